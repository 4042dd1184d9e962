#include "admin/demo_verticals.hpp"

#include <fmt/format.h>

namespace vertice::admin {

db::Task<Result<int>> LoadDemoVerticals(db::Connection& conn, const verticals::Registry& registry) {
  struct Assignment {
    const char* company;
    const char* vertical;
  };
  static const std::vector<Assignment> kAssignments = {{"acme", "cpg"}, {"globex", "services"}};
  int loaded = 0;
  for (const auto& a : kAssignments) {
    const auto* manifest = registry.Find(a.vertical);
    if (manifest == nullptr) continue;  // a build without that vertical
    std::string company = a.company, vertical = a.vertical;
    VERTICE_CO_TRY(co_await db::Atomically(conn, [&]() -> db::Task<Status> {
      VERTICE_CO_ASSIGN_OR_RETURN(
          auto inserted, co_await conn.Execute("INSERT INTO company_verticals (tenant_id, company_id, vertical) "
                                               "SELECT tenant_id, company_id, $2 FROM companies WHERE company_id = $1 "
                                               "ON CONFLICT DO NOTHING RETURNING tenant_id",
                                               db::P(company, vertical)));
      if (inserted.Empty() || manifest->demo_sql.empty()) co_return Status{};
      VERTICE_CO_TRY(co_await conn.Execute(
          "SELECT set_config('vertice.tenant_id', $1, true), set_config('vertice.company_id', $2, true)",
          db::P(inserted.Str(0, "tenant_id"), company)));
      auto script = co_await conn.ExecuteScript(manifest->demo_sql);
      if (!script) {
        auto e = script.error();
        e.message = fmt::format("demo data of {} for {} failed: {}", vertical, company, e.internal);
        co_return std::unexpected(e);
      }
      ++loaded;
      co_return Status{};
    }));
  }
  co_return loaded;
}

}  // namespace vertice::admin
