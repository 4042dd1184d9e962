// The migration plan: embedded files grouped by component into versioned (V) and repeatable (R)
// migrations, validated and ordered. Pure: no database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "migrate/embedded.hpp"

namespace vertice::migrate {

enum class Kind { kVersioned, kRepeatable };

struct Migration {
  std::string component;
  Kind kind = Kind::kVersioned;
  int version = 0;   // 0 for repeatable migrations
  std::string name;  // "V0001__core_schema" or "R__auth_functions"
  std::string up;
  std::string down;             // empty when irreversible
  std::string verify;           // empty when none
  std::string checksum;         // sha256 of up + verify, hex
  bool no_transaction = false;  // "-- vertice:no-transaction" header
  bool irreversible = false;    // "-- vertice:irreversible" header
};

struct Plan {
  std::vector<std::string> components;  // in application order
  std::vector<Migration> migrations;    // per component: V by version, then R by name

  std::vector<const Migration*> ForComponent(const std::string& component) const;
};

// Builds and validates the plan: well-formed names, no duplicate versions, a .down.sql for every
// versioned migration unless it says it is irreversible. `component_order` lists components
// that must come first (core); the rest follow in name order.
Result<Plan> BuildPlan(const std::vector<EmbeddedFile>& files,
                       const std::vector<std::string>& component_order = {"core"});

std::string Sha256Hex(std::string_view data);

}  // namespace vertice::migrate
