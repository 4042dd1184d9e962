#include "db/sqlstate.hpp"

#include <gtest/gtest.h>

#include "db/connection.hpp"
#include "db/constraints.hpp"

namespace vertice::db {
namespace {

TEST(SqlStateTest, CodesAreReadIntoTheirType) {
  EXPECT_EQ(ParseSqlState("23505"), SqlState::kUniqueViolation);
  EXPECT_EQ(ParseSqlState("23514"), SqlState::kCheckViolation);
  EXPECT_EQ(ParseSqlState("40P01"), SqlState::kDeadlockDetected);
  EXPECT_EQ(ParseSqlState("08006"), SqlState::kConnectionException);  // the whole class 08
  EXPECT_EQ(ParseSqlState("08"), SqlState::kOther);
  EXPECT_EQ(ParseSqlState("XX000"), SqlState::kOther);
  EXPECT_EQ(ParseSqlState(""), SqlState::kOther);
}

TEST(SqlStateTest, RetryAndConnectionPredicatesReadTheTypeNotTheCodeText) {
  EXPECT_TRUE(IsRetryable(ErrorFromSqlState("40001", "could not serialize", "")));
  EXPECT_TRUE(IsRetryable(ErrorFromSqlState("40P01", "deadlock detected", "")));
  EXPECT_FALSE(IsRetryable(ErrorFromSqlState("23505", "duplicate key", "k")));
  for (const char* lost : {"08006", "57P01", "57P02", "57P03", "53300", "25006"}) {
    EXPECT_TRUE(IsConnectionError(ErrorFromSqlState(lost, "gone", ""))) << lost;
    EXPECT_FALSE(IsRetryable(ErrorFromSqlState(lost, "gone", ""))) << lost;
  }
  EXPECT_TRUE(IsConnectionError(ConnectionLost("socket closed")));
  // A write that reached a just-demoted primary is a 503 the client retries, not a 500.
  EXPECT_EQ(ErrorFromSqlState("25006", "cannot execute INSERT in a read-only transaction", "").kind,
            ErrorKind::kUnavailable);
  Error unconfirmed = CommitUnconfirmed();
  EXPECT_EQ(unconfirmed.kind, ErrorKind::kUnavailable);
  EXPECT_EQ(unconfirmed.code, "commit_unconfirmed");
  EXPECT_FALSE(IsRetryable(unconfirmed));  // committed on the primary: a blind retry would write twice
  EXPECT_TRUE(IsUnconfirmedCommitWarning("canceling wait for synchronous replication due to user request"));
  EXPECT_TRUE(IsUnconfirmedCommitWarning(
      "canceling the wait for synchronous replication and terminating connection due to administrator command"));
  EXPECT_FALSE(IsUnconfirmedCommitWarning("there is no transaction in progress"));
  EXPECT_FALSE(IsConnectionError(ErrorFromSqlState("57014", "canceling statement", "")));

  // A module that renames an error keeps it retryable: the type travels, the text does not count.
  Error renamed = ErrorFromSqlState("40001", "could not serialize", "");
  renamed.code = "cpg.duplicate_folio";
  EXPECT_TRUE(IsRetryable(renamed));
  // And an error that only looks like one by its code is not.
  Error lookalike{ErrorKind::kConflict, "db.serialization_failure", "Conflicto."};
  EXPECT_FALSE(IsRetryable(lookalike));
  Error unavailable{ErrorKind::kUnavailable, "database_unavailable", "No disponible."};
  EXPECT_FALSE(IsConnectionError(unavailable));
}

// What the transaction helper does with a lost connection depends on who said what: a server
// that announced its shutdown, refused a connection or is read-only is failing over (waited out);
// a connection that simply died after statements ran may have been killed by them (re-run at most
// twice); a COMMIT lost in flight may have committed (never re-run, and the client is told so).
TEST(SqlStateTest, ALostConnectionIsClassedByWhatTheServerSaid) {
  EXPECT_TRUE(IsLostMidway(ConnectionLost("server closed the connection unexpectedly")));
  EXPECT_TRUE(IsLostMidway(ErrorFromSqlState("08006", "connection failure", "")));
  EXPECT_TRUE(IsLostMidway(ErrorFromSqlState("57P02", "crash of another server process", "")));
  for (const char* failing_over : {"57P01", "57P03", "25006", "53300"})
    EXPECT_FALSE(IsLostMidway(ErrorFromSqlState(failing_over, "failing over", ""))) << failing_over;
  EXPECT_FALSE(IsLostMidway(ErrorFromSqlState("40P01", "deadlock detected", "")));

  Error unknown = CommitOutcomeUnknown(ConnectionLost("server closed the connection unexpectedly"));
  EXPECT_EQ(unknown.kind, ErrorKind::kUnavailable);
  EXPECT_EQ(unknown.code, "database_unavailable");  // clients that branch on the code see a 503 as before
  EXPECT_EQ(unknown.details.at("commit").as_string(), "unknown");
  EXPECT_NE(unknown.message.find("Consulte antes de repetirla"), std::string::npos);
  EXPECT_FALSE(IsRetryable(unknown));
}

TEST(SqlStateTest, IntegrityErrorsNameTheirConstraint) {
  auto dup = ErrorFromSqlState("23505", "duplicate key value", "cpg_pos_company_id_code_key");
  EXPECT_EQ(dup.kind, ErrorKind::kConflict);
  EXPECT_EQ(dup.code, "conflict");
  EXPECT_EQ(dup.sqlstate, SqlState::kUniqueViolation);
  EXPECT_EQ(dup.constraint, "cpg_pos_company_id_code_key");
  EXPECT_EQ(dup.details, (boost::json::object{{"constraint", "cpg_pos_company_id_code_key"}}));
  EXPECT_NE(dup.internal.find("23505"), std::string::npos);
  auto check = ErrorFromSqlState("23514", "violates check constraint", "cpg_consignment_lines_check");
  EXPECT_EQ(check.kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(check.code, "invalid_value");
  EXPECT_TRUE(ErrorFromSqlState("22P02", "invalid input syntax", "").details.empty());
  EXPECT_TRUE(ErrorFromSqlState("40001", "could not serialize", "").details.empty());
}

constexpr ConstraintError kTable[] = {
    {"cpg_consignments_company_id_folio_key", ErrorKind::kConflict, "cpg.duplicate_folio",
     "Ya existe una consignación con ese folio."},
    {"cpg_consignment_lines_check", ErrorKind::kBusinessRule, "cpg.quantities_exceed_delivered",
     "Lo vendido más lo devuelto no puede exceder lo entregado."},
};

TEST(ConstraintTableTest, TheConstraintThatFiredDecidesTheCode) {
  auto folio = Remap(ErrorFromSqlState("23505", "duplicate key", "cpg_consignments_company_id_folio_key"), kTable);
  EXPECT_EQ(folio.kind, ErrorKind::kConflict);
  EXPECT_EQ(folio.code, "cpg.duplicate_folio");
  EXPECT_EQ(folio.message, "Ya existe una consignación con ese folio.");
  EXPECT_TRUE(folio.details.empty());  // the schema's names stay in the logs
  EXPECT_EQ(folio.constraint, "cpg_consignments_company_id_folio_key");
  EXPECT_NE(folio.internal.find("duplicate key"), std::string::npos);

  // A check constraint becomes a business rule (422), not a bad value (400).
  auto over = Remap(ErrorFromSqlState("23514", "violates check", "cpg_consignment_lines_check"), kTable);
  EXPECT_EQ(over.kind, ErrorKind::kBusinessRule);
  EXPECT_EQ(over.code, "cpg.quantities_exceed_delivered");
}

TEST(ConstraintTableTest, AnythingElsePassesUnchanged) {
  // Another unique key of the same statement: not a duplicate folio.
  auto other = Remap(ErrorFromSqlState("23505", "duplicate key", "cpg_sales_company_id_pos_id_ticket_key"), kTable);
  EXPECT_EQ(other.code, "conflict");
  EXPECT_EQ(other.details, (boost::json::object{{"constraint", "cpg_sales_company_id_pos_id_ticket_key"}}));
  // A conflict that is no constraint at all (a serialization failure) stays retryable.
  auto busy = Remap(ErrorFromSqlState("40001", "could not serialize", ""), kTable);
  EXPECT_EQ(busy.code, "db.serialization_failure");
  EXPECT_TRUE(IsRetryable(busy));
  // Errors from elsewhere, even with the same code text, are not the table's.
  Error business{ErrorKind::kBusinessRule, "check_violation", "Regla."};
  EXPECT_EQ(Remap(business, kTable).code, "check_violation");
}

}  // namespace
}  // namespace vertice::db
