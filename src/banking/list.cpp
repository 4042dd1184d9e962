#include "banking/list.hpp"

#include "banking/queries.hpp"

namespace vertice::banking {

namespace {

constexpr const char* kCompanyMovements =
    "m.tenant_id = vertice_current_tenant() AND m.company_id = vertice_current_company()";

shared::ListFilter Direction() {
  return {"direction", "debe ser in (depósitos) u out (retiros)",
          [](const std::string& v) { return v == "in" || v == "out"; },
          [](const std::string& v, shared::SqlParams&) {
            return std::string(v == "in" ? "m.amount > 0" : "m.amount < 0");
          }};
}

shared::ListFilter Search() {
  return {"q", "debe tener de 1 a 100 caracteres", [](const std::string& v) { return !v.empty() && v.size() <= 100; },
          [](const std::string& v, shared::SqlParams& params) {
            auto p = params.Bind(v);
            return "(m.description ILIKE '%' || " + p + " || '%' OR m.reference = " + p +
                   " OR m.bank_reference = " + p + " OR m.counterparty_name ILIKE '%' || " + p + " || '%')";
          }};
}

}  // namespace

const shared::ListDefinition& StatementList() {
  static const shared::ListDefinition def{
      .source = "bank_statements s JOIN bank_statement_files f USING (file_id)",
      .scope = "s.tenant_id = vertice_current_tenant() AND s.company_id = vertice_current_company()",
      .item = sql::kStatementItem,
      .filters = {shared::EqualsRowId("account_id", "s.account_id")},
      .sorts = {{"-statement_id", {{"s.statement_id", shared::KeyType::kBigint, true}}}},
  };
  return def;
}

const shared::ListDefinition& MovementList() {
  using shared::KeyType;
  static const shared::ListDefinition def{
      .source = "bank_movements m",
      .scope = kCompanyMovements,
      .item = sql::kMovementItem,
      .filters = {shared::EqualsRowId("account_id", "m.account_id"),
                  shared::EqualsRowId("statement_id", "m.statement_id"),
                  shared::DateOnOrAfter("from", "m.booking_date"), shared::DateOnOrBefore("to", "m.booking_date"),
                  shared::EqualsOneOf("status", "m.status", {"unreconciled", "partial", "reconciled", "ignored"}),
                  Direction(), shared::AmountAtLeast("min_amount", "abs(m.amount)"),
                  shared::AmountAtMost("max_amount", "abs(m.amount)"), Search()},
      .sorts = {{"-booking_date",
                 {{"m.booking_date", KeyType::kDate, true}, {"m.movement_id", KeyType::kBigint, true}}}},
  };
  return def;
}

}  // namespace vertice::banking
