// Applies, rolls back, verifies and reports migrations on one direct connection, holding a
// session advisory lock so two instances never migrate at once (Flyway / golang-migrate style).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "migrate/plan.hpp"

namespace vertice::migrate {

struct StatusEntry {
  std::string component;
  std::string name;
  Kind kind = Kind::kVersioned;
  std::string state;  // applied, pending, changed (checksum differs), missing (applied, not in binary)
  std::string applied_at;
};

using Logger = std::function<void(const std::string&)>;

class Runner {
 public:
  Runner(db::Connection& conn, const Plan& plan, Logger log) : conn_(conn), plan_(plan), log_(std::move(log)) {}

  db::Task<Result<int>> Up();  // returns how many migrations ran
  db::Task<Result<int>> Down(std::string component, int to_version);
  db::Task<Result<std::vector<StatusEntry>>> GetStatus();
  db::Task<Status> Verify();

 private:
  struct Applied {
    std::string component, name, checksum, kind, applied_at;
    int version = 0;
  };
  db::Task<Status> Lock();
  db::Task<void> Unlock();
  db::Task<Result<std::vector<Applied>>> LoadApplied();
  db::Task<Status> Apply(const Migration& m, bool record_as_update);

  db::Connection& conn_;
  const Plan& plan_;
  Logger log_;
};

// True when every migration of the plan is applied with its current checksum (readiness).
db::Task<Result<bool>> IsCurrent(db::Connection& conn, const Plan& plan);

}  // namespace vertice::migrate
