// Every named statement that touches a company's table states the company
// (vertice_current_company(), which each transaction sets). Row-level security checks it again;
// this test is the cheap guarantee that a forgotten predicate is caught before review does.
// The company tables are the ones the migrations put under company row-level security.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "banking/list.hpp"
#include "banking/queries.hpp"
#include "freshness/queries.hpp"
#include "invoices/list.hpp"
#include "invoices/queries.hpp"
#include "members/queries.hpp"
#include "migrate/embedded.hpp"
#include "reconciliation/decisions.hpp"
#include "reconciliation/queries.hpp"
#include "unified/queries.hpp"
#include "unified/transactions.hpp"
#include "verticals/cpg/lists.hpp"
#include "verticals/cpg/queries.hpp"

namespace vertice {
namespace {

std::set<std::string> CompanyTables() {
  static const std::regex kRls(R"(vertice_apply_company_rls\('([a-z0-9_]+)'\))");
  std::set<std::string> out;
  for (const auto& f : migrate::EmbeddedMigrations()) {
    std::string text(f.content);
    for (std::sregex_iterator it(text.begin(), text.end(), kRls), end; it != end; ++it) out.insert((*it)[1]);
  }
  return out;
}

std::set<std::string> TablesOf(const std::string& sql) {
  static const std::regex kTable(R"(\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z0-9_]+))", std::regex::icase);
  std::set<std::string> out;
  for (std::sregex_iterator it(sql.begin(), sql.end(), kTable), end; it != end; ++it) out.insert((*it)[1]);
  return out;
}

// The statements that touch a company table without stating the company, with the table.
std::vector<std::string> Unstated(const char* const* begin, const char* const* end,
                                  const std::set<std::string>& company) {
  std::vector<std::string> out;
  for (auto it = begin; it != end; ++it) {
    const std::string sql = *it;
    if (sql.find("vertice_current_company()") != std::string::npos) continue;
    for (const auto& table : TablesOf(sql))
      if (company.contains(table)) {
        out.push_back(table + ":\n" + sql);
        break;
      }
  }
  return out;
}

TEST(TenancySqlTest, TheMigrationsNameTheCompanyTables) {
  auto tables = CompanyTables();
  for (const char* t : {"sat_invoices", "bank_movements", "reconciliation_matches", "reconciliation_match_lines"})
    EXPECT_TRUE(tables.contains(t)) << t;
}

TEST(TenancySqlTest, EveryNamedStatementOnACompanyTableStatesTheCompany) {
  const auto company = CompanyTables();
  for (const auto& s : Unstated(std::begin(reconciliation::sql::kAll), std::end(reconciliation::sql::kAll), company))
    ADD_FAILURE() << "touches " << s;
  for (const auto& s : Unstated(std::begin(invoices::sql::kAll), std::end(invoices::sql::kAll), company))
    ADD_FAILURE() << "touches " << s;
  for (const auto& s : Unstated(std::begin(banking::sql::kAll), std::end(banking::sql::kAll), company))
    ADD_FAILURE() << "touches " << s;
  for (const auto& s : Unstated(std::begin(freshness::sql::kAll), std::end(freshness::sql::kAll), company))
    ADD_FAILURE() << "touches " << s;
  for (const auto& s : Unstated(std::begin(unified::sql::kAll), std::end(unified::sql::kAll), company))
    ADD_FAILURE() << "touches " << s;
  for (const auto& s : Unstated(std::begin(verticals::cpg::sql::kAll), std::end(verticals::cpg::sql::kAll), company))
    ADD_FAILURE() << "touches " << s;
  for (const auto& s : Unstated(std::begin(members::sql::kAll), std::end(members::sql::kAll), company))
    ADD_FAILURE() << "touches " << s;
}

// Lists build their statement from a definition: the statement of each one's default request.
TEST(TenancySqlTest, EveryListStatesTheCompany) {
  const auto company = CompanyTables();
  const std::vector<std::string> lists = {
      shared::DefaultListSql(invoices::InvoiceList()),    shared::DefaultListSql(banking::StatementList()),
      shared::DefaultListSql(banking::MovementList()),    shared::DefaultListSql(reconciliation::SuggestionList()),
      shared::DefaultListSql(unified::TransactionList()), shared::DefaultListSql(verticals::cpg::ConsignmentList()),
      shared::DefaultListSql(verticals::cpg::SaleList())};
  std::vector<const char*> statements;
  for (const auto& sql : lists) {
    ASSERT_FALSE(sql.empty());
    statements.push_back(sql.c_str());
  }
  for (const auto& s : Unstated(statements.data(), statements.data() + statements.size(), company))
    ADD_FAILURE() << "touches " << s;
  EXPECT_TRUE(company.contains("cpg_consignments"));
}

TEST(TenancySqlTest, AStatementWithoutTheCompanyIsCaught) {
  const char* const statements[] = {"SELECT 1 FROM sat_invoices WHERE invoice_id = $1",
                                    "SELECT 1 FROM sat_invoices i WHERE i.company_id = vertice_current_company()",
                                    "SELECT now()"};
  const auto unstated = Unstated(std::begin(statements), std::end(statements), CompanyTables());
  ASSERT_EQ(unstated.size(), 1u);
  EXPECT_EQ(unstated[0].substr(0, 13), "sat_invoices:");
}

}  // namespace
}  // namespace vertice
