#include "invoices/summaries.hpp"

#include <array>
#include <boost/json.hpp>

#include "invoices/queries.hpp"
#include "shared/decimal.hpp"
#include "shared/validation.hpp"

namespace vertice::invoices {

namespace json = boost::json;

db::Task<Result<json::object>> MonthlySummary(db::Transaction& tx, std::optional<std::string> from,
                                              std::optional<std::string> to) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(sql::kMonthlySummary, db::P(from, to)));
  json::array items;
  for (int r = 0; r < rows.Size(); ++r)
    items.push_back(json::object{{"month", rows.Str(r, "month")},
                                 {"direction", rows.Str(r, "direction")},
                                 {"tipo", rows.Str(r, "tipo")},
                                 {"count", rows.Int(r, "n")},
                                 {"total_mxn", rows.Str(r, "total_mxn")},
                                 {"outstanding_mxn", rows.Str(r, "outstanding_mxn")}});
  co_return json::object{{"currency", "MXN"}, {"items", std::move(items)}};
}

db::Task<Result<json::object>> Aging(db::Transaction& tx, std::string direction, std::string as_of,
                                     const Clock& clock) {
  if (as_of.empty()) {
    VERTICE_CO_ASSIGN_OR_RETURN(as_of, co_await shared::BusinessToday(tx, clock));
  }
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(sql::kAging, db::P(direction, as_of)));
  static constexpr std::array<const char*, 4> kBuckets = {"0_30", "31_60", "61_90", "90_plus"};
  static constexpr std::array<const char*, 4> kColumns = {"d0_30", "d31_60", "d61_90", "d90_plus"};
  // The totals are the exact sums of what the rows show.
  shared::Money total;
  std::array<shared::Money, 4> bucket_totals{};
  auto add = [](shared::Money& acc, std::string_view v) {
    if (auto m = shared::Money::Parse(v)) acc = acc.Add(*m).value_or(acc);
  };
  json::array items;
  for (int r = 0; r < rows.Size(); ++r) {
    json::object buckets;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      buckets[kBuckets[b]] = rows.Str(r, kColumns[b]);
      add(bucket_totals[b], rows.Get(r, kColumns[b]));
    }
    add(total, rows.Get(r, "total"));
    items.push_back(json::object{{"rfc", rows.Str(r, "rfc")},
                                 {"nombre", rows.Str(r, "name")},
                                 {"invoices", rows.Int(r, "n")},
                                 {"outstanding_mxn", rows.Str(r, "total")},
                                 {"buckets", std::move(buckets)}});
  }
  json::object totals_buckets;
  for (size_t b = 0; b < kBuckets.size(); ++b) totals_buckets[kBuckets[b]] = bucket_totals[b].ToString();
  co_return json::object{
      {"direction", direction},
      {"as_of", as_of},
      {"currency", "MXN"},
      {"totals", json::object{{"outstanding_mxn", total.ToString()}, {"buckets", std::move(totals_buckets)}}},
      {"items", std::move(items)}};
}

}  // namespace vertice::invoices
