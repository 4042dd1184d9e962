#pragma once

#include "app/config.hpp"

namespace vertice::api {
class App;
}
namespace vertice::banking {
struct Profiles;
}
namespace vertice::freshness {
class RefreshService;
class ChangeFeed;
}  // namespace vertice::freshness
namespace vertice::verticals {
class Registry;
}

namespace vertice::app {

// Every route the server answers, on `app`: one list for `serve` and `vertice routes`.
void RegisterRoutes(api::App& app, const Config& config, const verticals::Registry& registry,
                    freshness::RefreshService& refresh, freshness::ChangeFeed& feed,
                    const banking::Profiles& csv_profiles);
// `vertice routes`: prints "METHOD /path/{template}" per line, without a database.
int PrintRoutes(const Config& config);

// Runs the HTTP server until SIGINT/SIGTERM; returns the process exit code.
int Serve(const Config& config);

}  // namespace vertice::app
