// A fresh database per test binary, cloned from the migrated template that scripts/test builds.
// Without VERTICE_TEST_PG_PORT the tests skip loudly — or fail when VERTICE_REQUIRE_DB=1 (CI).
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vertice::testing {

using SqlRows = std::vector<std::vector<std::string>>;

class TestDatabase {
 public:
  // empty_database: an empty database (no migrations) instead of a template clone.
  static std::unique_ptr<TestDatabase> Create(bool empty_database = false);
  ~TestDatabase();

  const std::string& Name() const { return name_; }
  std::string OwnerUrl() const { return Url("vertice_owner", name_); }
  std::string AppUrl() const { return Url("vertice_app", name_); }
  static std::string Url(const std::string& user, const std::string& db);

 private:
  std::string name_;
};

// Blocking one-off query for assertions and fixtures; throws on error.
SqlRows Sql(const std::string& url, const std::string& sql, const std::vector<std::string>& params = {});
std::string SqlValue(const std::string& url, const std::string& sql, const std::vector<std::string>& params = {});

bool DatabaseAvailable();

}  // namespace vertice::testing

#define VERTICE_REQUIRE_DATABASE()                                                                  \
  do {                                                                                              \
    if (!::vertice::testing::DatabaseAvailable()) {                                                 \
      if (std::getenv("VERTICE_REQUIRE_DB")) FAIL() << "VERTICE_REQUIRE_DB=1 but no test database"; \
      GTEST_SKIP() << "no test database: run through scripts/test";                                 \
    }                                                                                               \
  } while (false)
