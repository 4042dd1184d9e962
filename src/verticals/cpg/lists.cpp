#include "verticals/cpg/lists.hpp"

namespace vertice::verticals::cpg {

namespace {

// Every value as text or null, the way the lists have always shown them.
constexpr const char* kConsignmentItem = R"sql(json_build_object(
  'consignment_id', c.consignment_id::text, 'folio', c.folio, 'pos_id', c.pos_id::text, 'pos_code', p.code,
  'consigned_on', c.consigned_on::text, 'delivered_on', c.delivered_on::text, 'status', c.status,
  'value_delivered', c.value_delivered::text, 'value_sold', c.value_sold::text, 'amount_due', c.amount_due::text,
  'settled', c.settled::text, 'balance', (c.amount_due - c.settled)::text))sql";

constexpr const char* kSaleItem = R"sql(json_build_object(
  'sale_id', s.sale_id::text, 'pos_id', s.pos_id::text, 'pos_code', p.code, 'ticket', s.ticket,
  'sold_at', to_json(s.sold_at)#>>'{}', 'business_date', s.business_date::text, 'payment_method', s.payment_method,
  'subtotal', s.subtotal::text, 'iva', s.iva::text, 'total', s.total::text, 'cfdi_uuid', s.cfdi_uuid))sql";

}  // namespace

const shared::ListDefinition& ConsignmentList() {
  static const shared::ListDefinition def{
      .source = "cpg_consignments c JOIN cpg_pos p ON p.pos_id = c.pos_id",
      .scope = "c.tenant_id = vertice_current_tenant() AND c.company_id = vertice_current_company()",
      .item = kConsignmentItem,
      .filters = {shared::EqualsRowId("pos_id", "c.pos_id"),
                  shared::EqualsOneOf("status", "c.status",
                                      {"draft", "delivered", "partially_settled", "settled", "returned", "cancelled"}),
                  shared::DateOnOrAfter("from", "c.consigned_on"), shared::DateOnOrBefore("to", "c.consigned_on")},
      .sorts = {{"-consignment_id", {{"c.consignment_id", shared::KeyType::kBigint, true}}}},
  };
  return def;
}

const shared::ListDefinition& SaleList() {
  static const shared::ListDefinition def{
      .source = "cpg_sales s JOIN cpg_pos p ON p.pos_id = s.pos_id",
      .scope = "s.tenant_id = vertice_current_tenant() AND s.company_id = vertice_current_company()",
      .item = kSaleItem,
      .filters = {shared::EqualsRowId("pos_id", "s.pos_id"), shared::DateOnOrAfter("from", "s.business_date"),
                  shared::DateOnOrBefore("to", "s.business_date")},
      .sorts = {{"-sale_id", {{"s.sale_id", shared::KeyType::kBigint, true}}}},
  };
  return def;
}

}  // namespace vertice::verticals::cpg
