#pragma once

#include "app/config.hpp"

namespace vertice::app {

// Runs the HTTP server until SIGINT/SIGTERM; returns the process exit code.
int Serve(const Config& config);

}  // namespace vertice::app
