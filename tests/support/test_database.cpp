#include "tests/support/test_database.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <random>
#include <stdexcept>

namespace vertice::testing {

namespace {

std::string Env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

}  // namespace

bool DatabaseAvailable() { return !Env("VERTICE_TEST_PG_PORT").empty(); }

std::string TestDatabase::Url(const std::string& user, const std::string& db) {
  return fmt::format("postgresql://{}@{}:{}/{}", user, Env("VERTICE_TEST_PG_HOST", "127.0.0.1"),
                     Env("VERTICE_TEST_PG_PORT"), db);
}

SqlRows Sql(const std::string& url, const std::string& sql, const std::vector<std::string>& params) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  std::unique_ptr<PGresult, decltype(&PQclear)> res(
      PQexecParams(conn.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr,
                   0),
      &PQclear);
  auto st = PQresultStatus(res.get());
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    throw std::runtime_error(fmt::format("{}: {}", sql, PQresultErrorMessage(res.get())));
  }
  SqlRows rows;
  for (int r = 0; r < PQntuples(res.get()); ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < PQnfields(res.get()); ++c) row.emplace_back(PQgetvalue(res.get(), r, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string SqlValue(const std::string& url, const std::string& sql, const std::vector<std::string>& params) {
  auto rows = Sql(url, sql, params);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value: " + sql);
  return rows[0][0];
}

std::unique_ptr<TestDatabase> TestDatabase::Create(bool empty_database) {
  auto db = std::unique_ptr<TestDatabase>(new TestDatabase());
  std::random_device rd;
  db->name_ = fmt::format("vt_{}_{:08x}", getpid(), rd());
  auto admin = Url("postgres", "postgres");
  if (empty_database) {
    Sql(admin, fmt::format("CREATE DATABASE {} OWNER vertice_owner TEMPLATE template0", db->name_));
  } else {
    Sql(admin, fmt::format("CREATE DATABASE {} OWNER vertice_owner TEMPLATE {}", db->name_,
                           Env("VERTICE_TEST_TEMPLATE", "vertice_template")));
  }
  return db;
}

TestDatabase::~TestDatabase() {
  try {
    Sql(Url("postgres", "postgres"), fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_));
  } catch (...) {
  }
}

}  // namespace vertice::testing
