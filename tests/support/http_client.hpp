// A blocking HTTP/1.1 client for black-box API tests, and a helper that runs the built
// `vertice serve` binary as a child process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vertice::testing {

struct HttpResponse {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& name) const;
};

class HttpClient {
 public:
  // Every request fails (throws) after `timeout`: a test never waits unbounded for an answer.
  HttpClient(std::string host, unsigned short port, std::chrono::seconds timeout = std::chrono::seconds(60));
  ~HttpClient();
  // One request on a keep-alive connection (reconnects when the server closed it).
  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});
  // Sends raw bytes and returns whatever the server answers (for malformed-request tests).
  std::string SendRaw(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ServerProcess {
 public:
  // Starts `$VERTICE_BIN serve` on a free port with the given DATABASE_URL and extra environment.
  ServerProcess(const std::string& database_url, const std::vector<std::string>& extra_env = {});
  ~ServerProcess();
  unsigned short Port() const { return port_; }
  pid_t Pid() const { return pid_; }
  // SIGTERM, then waits; returns the exit status (or -1 on timeout).
  int Stop(int timeout_seconds = 30);
  std::string LogPath() const { return log_; }

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string log_;
};

unsigned short FreePort();

}  // namespace vertice::testing
