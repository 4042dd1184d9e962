// One dedicated connection kept open for the life of the process, for work outside the pool that
// must notice a server restart: LISTEN (auth's cache invalidation) and polling (the change feed).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "db/connection.hpp"

namespace vertice::db {

struct ListenLoop {
  std::string conninfo;
  // Runs on each fresh connection (prepared statements off: it may sit behind PgBouncer) until the
  // connection breaks or `stop` is set; answers whether it got going (its setup statement ran),
  // which resets the reconnect backoff.
  std::function<Task<bool>(Connection&)> session;
  // Called every time a session ends, also on shutdown: whatever the session vouched for is stale.
  std::function<void()> on_lost;
  std::string lost_warning;  // logged when the connection is lost (not on shutdown)
};

// Runs `loop` until `stop`: connect, session, on_lost, then wait 250 ms doubling to 5 s and reconnect.
Task<void> RunListenLoop(ListenLoop loop, std::shared_ptr<std::atomic<bool>> stop);

}  // namespace vertice::db
