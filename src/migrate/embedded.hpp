#pragma once

#include <string_view>
#include <vector>

namespace vertice::migrate {

struct EmbeddedFile {
  std::string_view component;
  std::string_view name;
  std::string_view content;
};

// Every migration file of every component, embedded at build time.
const std::vector<EmbeddedFile>& EmbeddedMigrations();

}  // namespace vertice::migrate
