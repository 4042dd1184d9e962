// The migration plan: embedded files grouped by component into versioned (V) and repeatable (R)
// migrations, validated and ordered. Pure: no database.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.hpp"
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
  std::string down;             // empty when irreversible (repeatable: how to remove its objects)
  std::string verify;           // empty when none
  std::string checksum;         // sha256 of up + verify, hex
  bool no_transaction = false;  // "-- vertice:no-transaction" header
  bool irreversible = false;    // "-- vertice:irreversible" header
};

struct Plan {
  std::vector<std::string> components;  // in application order
  std::vector<Migration> migrations;    // per component: V by version, then R by name
  // The components each one builds on (a vertical: core and its depends). A component missing
  // here is taken to build on every component before it.
  std::map<std::string, std::vector<std::string>> builds_on;

  std::vector<const Migration*> ForComponent(const std::string& component) const;
};

// The component of derived objects over all others (universal_transactions_mv): always applied
// last, and rolled back (its repeatable .down.sql) before any component it reads from.
inline constexpr std::string_view kDerivedComponent = "universal";

// Builds and validates the plan: well-formed names, no duplicate versions, a .down.sql for every
// versioned migration unless it says it is irreversible. `component_order` lists components
// that must come first, in that order (core, then cfdi, then bank, which reconciles against
// cfdi's documents); the rest follow in name order.
Result<Plan> BuildPlan(const std::vector<EmbeddedFile>& files,
                       const std::vector<std::string>& component_order = {"core", "cfdi", "bank"});

}  // namespace vertice::migrate
