#include "verticals/cpg/lists.hpp"

namespace vertice::verticals::cpg {

namespace {

// Every value as text or null, the way the lists have always shown them.
constexpr const char* kConsignmentItem = R"sql(json_build_object(
  'consignment_id', c.consignment_id::text, 'folio', c.folio, 'pos_id', c.pos_id::text, 'pos_code', p.code,
  'consigned_on', c.consigned_on::text, 'delivered_on', c.delivered_on::text, 'status', c.status,
  'value_delivered', c.value_delivered::text, 'value_sold', c.value_sold::text, 'amount_due', c.amount_due::text,
  'settled', c.settled::text, 'balance', (c.amount_due - c.settled)::text))sql";

constexpr const char* kProductItem = R"sql(json_build_object(
  'product_id', p.product_id::text, 'sku', p.sku, 'name', p.name, 'unit_price', p.unit_price::text,
  'iva_rate', p.iva_rate::text, 'price_includes_tax', p.price_includes_tax, 'active', p.active, 'version', p.version,
  'created_at', to_json(p.created_at)#>>'{}'))sql";

bool AnyText(const std::string& v) { return !v.empty() && v.size() <= 200; }

// ?q=: the words as typed, anywhere in the SKU or the name, case and accents as stored (ILIKE,
// with LIKE's wildcards in the text taken literally).
shared::ListFilter ProductText() {
  return {"q", "debe ser un texto de hasta 200 caracteres", AnyText,
          [](const std::string& v, shared::SqlParams& params) {
            std::string pattern = "%";
            for (char c : v) {
              if (c == '%' || c == '_' || c == '\\') pattern += '\\';
              pattern += c;
            }
            pattern += '%';
            auto p = params.Bind(pattern);
            return "(p.sku ILIKE " + p + " OR p.name ILIKE " + p + ")";
          }};
}

shared::ListFilter TextEquals(std::string name, std::string column) {
  return {std::move(name), "debe ser un texto de hasta 200 caracteres", AnyText,
          [column = std::move(column)](const std::string& v, shared::SqlParams& params) {
            return column + " = " + params.Bind(v);
          }};
}

// ?product_id=: tickets with a line of that product.
shared::ListFilter SaleHasProduct() {
  return {"product_id", "debe ser un id numérico",
          [](const std::string& v) {
            return !v.empty() && v.size() < 19 && v.find_first_not_of("0123456789") == std::string::npos;
          },
          [](const std::string& v, shared::SqlParams& params) {
            return "EXISTS (SELECT 1 FROM cpg_sale_lines l WHERE l.company_id = s.company_id AND l.sale_id = s.sale_id"
                   " AND l.product_id = " +
                   params.Bind(v) + "::bigint)";
          }};
}

}  // namespace

const shared::ListDefinition& ProductList() {
  static const shared::ListDefinition def{
      .source = "cpg_products p",
      .scope = "p.tenant_id = vertice_current_tenant() AND p.company_id = vertice_current_company()",
      .item = kProductItem,
      .filters = {shared::EqualsOneOf("active", "p.active::text", {"true", "false"}), TextEquals("sku", "p.sku"),
                  ProductText()},
      .sorts = {{"product_id", {{"p.product_id", shared::KeyType::kBigint}}},
                {"sku", {{"p.sku", shared::KeyType::kText}}},
                {"name", {{"p.name", shared::KeyType::kText}, {"p.product_id", shared::KeyType::kBigint}}}},
  };
  return def;
}

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
      // Written by the server from plain columns (a json_build_object per row was most of the page's cost).
      .fields = {{"sale_id", "s.sale_id"},
                 {"pos_id", "s.pos_id"},
                 {"pos_code", "p.code"},
                 {"ticket", "s.ticket"},
                 {"sold_at", "to_json(s.sold_at)#>>'{}'"},
                 {"business_date", "s.business_date"},
                 {"payment_method", "s.payment_method"},
                 {"subtotal", "s.subtotal"},
                 {"iva", "s.iva"},
                 {"total", "s.total"},
                 {"cfdi_uuid", "s.cfdi_uuid"}},
      .filters = {shared::EqualsRowId("pos_id", "s.pos_id"), shared::DateOnOrAfter("from", "s.business_date"),
                  shared::DateOnOrBefore("to", "s.business_date"),
                  shared::EqualsOneOf("payment_method", "s.payment_method", {"cash", "card", "transfer", "voucher"}),
                  SaleHasProduct(), TextEquals("ticket", "s.ticket")},
      .sorts = {{"-sale_id", {{"s.sale_id", shared::KeyType::kBigint, true}}}},
  };
  return def;
}

}  // namespace vertice::verticals::cpg
