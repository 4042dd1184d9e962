// Runs one coroutine to completion on a private io_context (CLI commands and tests).
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace vertice::db {

template <typename T, typename Fn>
T RunSync(Fn make_task) {
  boost::asio::io_context ctx;
  auto fut = boost::asio::co_spawn(ctx, make_task(ctx.get_executor()), boost::asio::use_future);
  ctx.run();
  return fut.get();
}

}  // namespace vertice::db
