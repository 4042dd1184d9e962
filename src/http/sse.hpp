// Server-Sent Events (text/event-stream): the framing, and a streamed response that carries events
// from any source, with the client's retry delay and heartbeats while the source is silent.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "http/message.hpp"

namespace vertice::http::sse {

struct Event {
  std::string name;  // the `event:` field
  std::string data;  // one line (JSON here); a line break would end the field
};

// "event: NAME\ndata: DATA\n\n"
std::string Frame(const Event& e);

// Where a stream's events come from.
struct Source {
  std::function<Event()> greeting;             // the first event, when the stream opens
  std::function<std::optional<Event>()> next;  // an event ready now, if any
  std::function<boost::asio::awaitable<void>(std::chrono::milliseconds at_most)> wait;  // until one may be
};

struct Options {
  std::chrono::milliseconds retry{3000};      // how long the browser waits before reconnecting
  std::chrono::seconds heartbeat{15};         // a comment after this much silence also finds clients that left
  std::chrono::milliseconds idle_wait{1000};  // the longest wait before looking whether the server drains
};

// A streamed text/event-stream response: the greeting, then the source's events as they come,
// until the client leaves or the server drains. The source is released when the response is.
Response Stream(Source source, Options options = {});

}  // namespace vertice::http::sse
