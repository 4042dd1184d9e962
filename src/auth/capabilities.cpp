#include "auth/capabilities.hpp"

#include <algorithm>
#include <stdexcept>

namespace vertice::auth {

namespace {
// Who reads the company's numbers: everyone but the cashier, who only sells.
const std::vector<std::string> kReaders{"owner", "ceo", "cfo", "accountant", "viewer"};
}  // namespace

Capabilities Capabilities::Core() {
  Capabilities c;
  c.Add("dashboard.read", kReaders);
  c.Add("transactions.read", kReaders);  // the unified view's list and revenue reports
  c.Add("invoices.read", kReaders);
  c.Add("invoices.import", {"owner", "ceo", "cfo", "accountant"});
  c.Add("invoices.cancel", {"owner", "cfo"});
  c.Add("bank.read", kReaders);
  c.Add("bank.import", {"owner", "cfo", "accountant"});
  c.Add("bank.accounts.manage", {"owner", "cfo"});
  c.Add("reconciliation.read", kReaders);
  c.Add("reconciliation.decide", {"owner", "cfo", "accountant"});
  c.Add("freshness.read", {"owner", "ceo", "cfo"});  // the view's health, metrics and settings
  c.Add("freshness.refresh", {"owner", "ceo", "cfo"});
  c.Add("freshness.configure", {"owner"});
  c.Add("members.read", {"owner", "ceo", "cfo"});
  c.Add("members.manage", {"owner"});
  c.Add("companies.create", {"owner"});  // another company of the tenant
  c.Add("api_keys.manage", {"owner"});
  c.Add("verticals.manage", {"owner"});
  return c;
}

void Capabilities::Add(std::string name, std::vector<std::string> roles) {
  if (table_.contains(name)) throw std::logic_error("capability declared twice: " + name);
  table_.emplace(std::move(name), std::move(roles));
}

const std::vector<std::string>& Capabilities::Roles(std::string_view name) const {
  auto it = table_.find(name);
  if (it == table_.end()) throw std::logic_error("unknown capability: " + std::string(name));
  return it->second;
}

std::vector<std::string> Capabilities::Of(std::string_view role) const {
  std::vector<std::string> out;
  for (const auto& [name, roles] : table_)
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) out.push_back(name);
  return out;
}

}  // namespace vertice::auth
