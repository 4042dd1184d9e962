#include "migrate/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

namespace vertice::migrate {

namespace {

constexpr const char* kLockKey = "7360512001";  // pg_advisory_lock key reserved for migrations

Error MigrateError(std::string code, const std::string& message) {
  return Error{ErrorKind::kInternal, std::move(code), message, {}, message};
}

const char* KindName(Kind k) { return k == Kind::kVersioned ? "versioned" : "repeatable"; }

}  // namespace

db::Task<Status> Runner::Lock() {
  VERTICE_CO_TRY(co_await conn_.Execute(fmt::format("SELECT pg_advisory_lock({})", kLockKey)));
  VERTICE_CO_TRY(co_await conn_.ExecuteScript(R"(
    CREATE TABLE IF NOT EXISTS schema_migrations (
      component   text NOT NULL,
      name        text NOT NULL,
      version     integer NOT NULL DEFAULT 0,
      kind        text NOT NULL CHECK (kind IN ('versioned', 'repeatable')),
      checksum    text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now(),
      applied_by  text NOT NULL DEFAULT current_user,
      duration_ms integer NOT NULL DEFAULT 0,
      PRIMARY KEY (component, name)
    ))"));
  co_return Status{};
}

db::Task<void> Runner::Unlock() {
  (void)co_await conn_.Execute(fmt::format("SELECT pg_advisory_unlock({})", kLockKey));
}

db::Task<Result<std::vector<Runner::Applied>>> Runner::LoadApplied() {
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto rows,
      co_await conn_.Execute("SELECT component, name, version, kind, checksum, applied_at::text AS applied_at "
                             "FROM schema_migrations ORDER BY component, version, name"));
  std::vector<Applied> out;
  for (int i = 0; i < rows.Size(); ++i) {
    out.push_back({rows.Str(i, "component"), rows.Str(i, "name"), rows.Str(i, "checksum"), rows.Str(i, "kind"),
                   rows.Str(i, "applied_at"), static_cast<int>(rows.Int(i, "version"))});
  }
  co_return out;
}

db::Task<Status> Runner::Apply(const Migration& m, bool record_as_update) {
  auto started = std::chrono::steady_clock::now();
  auto record = [&]() -> db::Task<Status> {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    VERTICE_CO_TRY(co_await conn_.Execute(
        "INSERT INTO schema_migrations (component, name, version, kind, checksum, duration_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (component, name) DO UPDATE "
        "SET checksum = EXCLUDED.checksum, applied_at = now(), applied_by = current_user, duration_ms = "
        "EXCLUDED.duration_ms",
        db::P(m.component, m.name, std::to_string(m.version), KindName(m.kind), m.checksum, std::to_string(ms))));
    co_return Status{};
  };
  auto run = [&]() -> db::Task<Status> {
    auto up = co_await conn_.ExecuteScript(m.up);
    if (!up) {
      auto e = up.error();
      e.message = fmt::format("{}/{} failed: {}", m.component, m.name, e.internal);
      co_return std::unexpected(e);
    }
    if (!m.verify.empty()) {
      auto verified = co_await conn_.ExecuteScript(m.verify);
      if (!verified) {
        co_return std::unexpected(
            MigrateError("migrate.verify_failed",
                         fmt::format("{}/{} verify failed: {}", m.component, m.name, verified.error().internal)));
      }
    }
    co_return Status{};
  };
  if (m.no_transaction) {
    VERTICE_CO_TRY(co_await run());
    VERTICE_CO_TRY(co_await record());
  } else {
    VERTICE_CO_TRY(co_await db::Atomically(conn_, [&]() -> db::Task<Status> {
      VERTICE_CO_TRY(co_await run());
      co_return co_await record();
    }));
  }
  log_(
      fmt::format("{} {}/{} ({})", record_as_update ? "re-applied" : "applied", m.component, m.name, KindName(m.kind)));
  co_return Status{};
}

db::Task<Result<int>> Runner::Up() {
  VERTICE_CO_TRY(co_await Lock());
  auto result = co_await [&]() -> db::Task<Result<int>> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto applied, co_await LoadApplied());
    std::map<std::pair<std::string, std::string>, const Applied*> by_key;
    for (const auto& a : applied) by_key[{a.component, a.name}] = &a;
    // Refuse before changing anything: edited migrations, or a database newer than this binary.
    for (const auto& a : applied) {
      auto it = std::find_if(plan_.migrations.begin(), plan_.migrations.end(),
                             [&](const Migration& m) { return m.component == a.component && m.name == a.name; });
      if (it == plan_.migrations.end()) {
        co_return std::unexpected(
            MigrateError("migrate.unknown_applied",
                         fmt::format("{}/{} is applied but not part of this binary (database newer than the code?)",
                                     a.component, a.name)));
      }
      if (it->kind == Kind::kVersioned && it->checksum != a.checksum) {
        co_return std::unexpected(
            MigrateError("migrate.checksum_mismatch",
                         fmt::format("{}/{} was edited after it was applied (checksum {} in database, {} in binary); "
                                     "add a new migration instead",
                                     a.component, a.name, a.checksum.substr(0, 12), it->checksum.substr(0, 12))));
      }
    }
    int ran = 0;
    for (const auto& component : plan_.components) {
      int highest_applied = 0;
      for (const auto& a : applied) {
        if (a.component == component && a.kind == "versioned") highest_applied = std::max(highest_applied, a.version);
      }
      for (const Migration* m : plan_.ForComponent(component)) {
        auto it = by_key.find({m->component, m->name});
        if (m->kind == Kind::kVersioned) {
          if (it != by_key.end()) continue;
          if (m->version < highest_applied) {
            co_return std::unexpected(MigrateError(
                "migrate.out_of_order",
                fmt::format("{}/{} is pending but a later version is already applied", m->component, m->name)));
          }
          VERTICE_CO_TRY(co_await Apply(*m, false));
          ++ran;
        } else if (it == by_key.end() || it->second->checksum != m->checksum) {
          VERTICE_CO_TRY(co_await Apply(*m, it != by_key.end()));
          ++ran;
        }
      }
    }
    co_return ran;
  }();
  co_await Unlock();
  co_return result;
}

db::Task<Result<int>> Runner::Down(std::string component, int to_version) {
  VERTICE_CO_TRY(co_await Lock());
  auto result = co_await [&]() -> db::Task<Result<int>> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto applied, co_await LoadApplied());
    // Components after this one in the plan build on it (cfdi tables reference companies):
    // they must be rolled back first.
    auto self = std::find(plan_.components.begin(), plan_.components.end(), component);
    bool drop_derived = component == kDerivedComponent;
    for (auto later = self == plan_.components.end() ? self : self + 1; later != plan_.components.end(); ++later) {
      const auto& name = *later;
      if (!std::any_of(applied.begin(), applied.end(), [&](const Applied& a) { return a.component == name; })) continue;
      // The unified view is derived from everything: it is removed now and rebuilt by the next up.
      if (name == kDerivedComponent) {
        drop_derived = true;
        continue;
      }
      auto declared = plan_.builds_on.find(name);
      if (declared != plan_.builds_on.end() &&
          std::find(declared->second.begin(), declared->second.end(), component) == declared->second.end())
        continue;
      co_return std::unexpected(
          MigrateError("migrate.dependents_applied",
                       fmt::format("{} depends on {}: roll back {} first (migrate down --component {} --to 0)", name,
                                   component, name, name)));
    }
    int ran = 0;
    if (drop_derived) {
      for (const Migration* m : plan_.ForComponent(std::string(kDerivedComponent))) {
        bool is_applied = std::any_of(applied.begin(), applied.end(), [&](const Applied& a) {
          return a.component == kDerivedComponent && a.name == m->name;
        });
        if (!is_applied) continue;
        VERTICE_CO_TRY(co_await db::Atomically(conn_, [&]() -> db::Task<Status> {
          if (!m->down.empty()) {
            auto down = co_await conn_.ExecuteScript(m->down);
            if (!down)
              co_return std::unexpected(
                  MigrateError("migrate.down_failed",
                               fmt::format("{}/{} down failed: {}", m->component, m->name, down.error().internal)));
          }
          VERTICE_CO_TRY(co_await conn_.Execute("DELETE FROM schema_migrations WHERE component = $1 AND name = $2",
                                                db::P(m->component, m->name)));
          co_return Status{};
        }));
        log_(fmt::format("removed {}/{} (rebuilt by the next up)", m->component, m->name));
        ++ran;
      }
    }
    std::vector<const Migration*> todo;
    for (const Migration* m : plan_.ForComponent(component)) {
      if (m->kind != Kind::kVersioned || m->version <= to_version) continue;
      bool is_applied = std::any_of(applied.begin(), applied.end(),
                                    [&](const Applied& a) { return a.component == component && a.name == m->name; });
      if (is_applied) todo.push_back(m);
    }
    std::sort(todo.begin(), todo.end(), [](auto* a, auto* b) { return a->version > b->version; });
    for (const Migration* m : todo) {
      if (m->irreversible) {
        co_return std::unexpected(
            MigrateError("migrate.irreversible",
                         fmt::format("{}/{} is irreversible; restore from a backup instead", component, m->name)));
      }
      VERTICE_CO_TRY(co_await db::Atomically(conn_, [&]() -> db::Task<Status> {
        auto down = co_await conn_.ExecuteScript(m->down);
        if (!down) {
          co_return std::unexpected(MigrateError(
              "migrate.down_failed", fmt::format("{}/{} down failed: {}", component, m->name, down.error().internal)));
        }
        // Repeatable migrations of the component are re-applied on the next up.
        VERTICE_CO_TRY(co_await conn_.Execute(
            "DELETE FROM schema_migrations WHERE component = $1 AND (name = $2 OR kind = 'repeatable')",
            db::P(component, m->name)));
        co_return Status{};
      }));
      log_(fmt::format("rolled back {}/{}", component, m->name));
      ++ran;
    }
    co_return ran;
  }();
  co_await Unlock();
  co_return result;
}

db::Task<Result<std::vector<StatusEntry>>> Runner::GetStatus() {
  VERTICE_CO_TRY(co_await Lock());
  auto applied = co_await LoadApplied();
  co_await Unlock();
  if (!applied) co_return std::unexpected(applied.error());
  std::vector<StatusEntry> out;
  for (const auto& m : plan_.migrations) {
    auto it = std::find_if(applied->begin(), applied->end(),
                           [&](const Applied& a) { return a.component == m.component && a.name == m.name; });
    StatusEntry e{m.component, m.name, m.kind, "pending", ""};
    if (it != applied->end()) {
      e.state = it->checksum == m.checksum ? "applied" : (m.kind == Kind::kVersioned ? "changed" : "pending");
      e.applied_at = it->applied_at;
    }
    out.push_back(std::move(e));
  }
  for (const auto& a : *applied) {
    bool known = std::any_of(plan_.migrations.begin(), plan_.migrations.end(),
                             [&](const Migration& m) { return m.component == a.component && m.name == a.name; });
    if (!known)
      out.push_back(
          {a.component, a.name, a.kind == "versioned" ? Kind::kVersioned : Kind::kRepeatable, "missing", a.applied_at});
  }
  co_return out;
}

db::Task<Status> Runner::Verify() {
  VERTICE_CO_ASSIGN_OR_RETURN(auto status, co_await GetStatus());
  std::vector<std::string> problems;
  for (const auto& e : status) {
    if (e.state != "applied") problems.push_back(fmt::format("{}/{} is {}", e.component, e.name, e.state));
  }
  for (const auto& m : plan_.migrations) {
    if (m.verify.empty()) continue;
    bool applied = std::any_of(status.begin(), status.end(), [&](const StatusEntry& e) {
      return e.component == m.component && e.name == m.name && e.state == "applied";
    });
    if (!applied) continue;
    VERTICE_CO_TRY(co_await conn_.ExecuteScript("BEGIN"));
    auto verified = co_await conn_.ExecuteScript(m.verify);
    (void)co_await conn_.ExecuteScript("ROLLBACK");
    if (!verified)
      problems.push_back(fmt::format("{}/{} verify failed: {}", m.component, m.name, verified.error().internal));
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += p + "\n";
    co_return std::unexpected(MigrateError("migrate.verify_failed", all));
  }
  co_return Status{};
}

db::Task<Result<bool>> IsCurrent(db::Connection& conn, const Plan& plan) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows,
                              co_await conn.Execute("SELECT component, name, checksum FROM schema_migrations"));
  std::map<std::pair<std::string, std::string>, std::string> applied;
  for (int i = 0; i < rows.Size(); ++i)
    applied[{rows.Str(i, "component"), rows.Str(i, "name")}] = rows.Str(i, "checksum");
  for (const auto& m : plan.migrations) {
    auto it = applied.find({m.component, m.name});
    if (it == applied.end() || it->second != m.checksum) co_return false;
  }
  co_return true;
}

}  // namespace vertice::migrate
