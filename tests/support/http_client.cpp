#include "tests/support/http_client.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace vertice::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

struct HttpClient::Impl {
  std::string host;
  unsigned short port;
  std::chrono::seconds timeout{60};
  asio::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void Connect() {
    stream = std::make_unique<beast::tcp_stream>(ioc);
    stream->connect(tcp::endpoint(asio::ip::make_address(host), port));
    buffer.clear();
  }
};

namespace {

// With VERTICE_API_RECORD=<dir>, every exchange is appended as one JSON line to <dir>/<pid>.jsonl:
// {method, target, status, content_type, body} (body only when JSON, else null). The OpenAPI test
// (tests/openapi/validate.mjs) checks each answer against the description's schema for its status.
void Record(const std::string& method, const std::string& target, const HttpResponse& response) {
  static const char* dir = std::getenv("VERTICE_API_RECORD");
  if (dir == nullptr || *dir == '\0') return;
  static std::mutex mutex;
  static int fd = -1;
  auto type = response.Header("content-type");
  boost::json::object line{
      {"method", method}, {"target", target}, {"status", response.status}, {"content_type", type}, {"body", nullptr}};
  if (type.find("json") != std::string::npos) line["body"] = response.body;
  auto text = boost::json::serialize(line) + "\n";
  std::lock_guard lock(mutex);
  if (fd < 0) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    auto path = std::string(dir) + "/" + std::to_string(getpid()) + ".jsonl";
    fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      // Loud, and not an exception: Send would take it for a network error and send again.
      std::fprintf(stderr, "VERTICE_API_RECORD: cannot write %s\n", path.c_str());
      std::abort();
    }
  }
  if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    std::fprintf(stderr, "VERTICE_API_RECORD: cannot write the record\n");
    std::abort();
  }
}

}  // namespace

HttpClient::HttpClient(std::string host, unsigned short port, std::chrono::seconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::Send(const std::string& method, const std::string& target, const std::string& body,
                              const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!impl_->stream) impl_->Connect();
      http::request<http::string_body> req{http::string_to_verb(method), target, 11};
      req.set(http::field::host, impl_->host);
      bool has_type = false;
      for (const auto& [k, v] : headers) {
        req.set(k, v);
        if (beast::iequals(k, "content-type")) has_type = true;
      }
      if (!body.empty() && !has_type) req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
      impl_->stream->expires_after(impl_->timeout);
      http::write(*impl_->stream, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      http::read(*impl_->stream, impl_->buffer, parser);
      auto res = parser.release();
      HttpResponse out;
      out.status = static_cast<int>(res.result_int());
      for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers.emplace(name, std::string(f.value()));
      }
      out.body = res.body();
      if (!res.keep_alive()) impl_->stream.reset();
      Record(method, target, out);  // never throws: a request is not sent again because of it
      return out;
    } catch (const std::exception&) {
      impl_->stream.reset();
      if (attempt == 1) throw;
    }
  }
  throw std::logic_error("unreachable");
}

std::string HttpClient::SendRaw(const std::string& bytes) {
  impl_->Connect();
  timeval tv{static_cast<time_t>(impl_->timeout.count()), 0};
  setsockopt(impl_->stream->socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  asio::write(impl_->stream->socket(), asio::buffer(bytes));
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  impl_->stream->socket().shutdown(tcp::socket::shutdown_send, ec);
  while (true) {
    auto n = impl_->stream->socket().read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  impl_->stream.reset();
  return out;
}

unsigned short FreePort() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

ServerProcess::ServerProcess(const std::string& database_url, const std::vector<std::string>& extra_env) {
  const char* bin = std::getenv("VERTICE_BIN");
  if (!bin) throw std::runtime_error("VERTICE_BIN is not set");
  port_ = FreePort();
  log_ = "/tmp/vertice-test-server-" + std::to_string(getpid()) + "-" + std::to_string(port_) + ".log";
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string s(*e);
    if (s.starts_with("DATABASE_URL=") || s.starts_with("VERTICE_LISTEN=")) continue;
    env_strings.push_back(s);
  }
  env_strings.push_back("DATABASE_URL=" + database_url);
  env_strings.push_back("VERTICE_LISTEN=127.0.0.1:" + std::to_string(port_));
  for (const auto& e : extra_env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string arg0 = bin, arg1 = "serve";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // The server dies with the thread that started it (the test's main thread), however that ends (a failed assertion,
    // a crash, CTest's timeout killing it): no server is ever left behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int err = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (err < 0 || out < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    execve(bin, argv, envp.data());
    _exit(127);
  }
  // Ready when /healthz answers.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      HttpClient c("127.0.0.1", port_);
      if (c.Send("GET", "/healthz").status == 200) return;
    } catch (...) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  throw std::runtime_error("server did not start; see " + log_);
}

int ServerProcess::Stop(int timeout_seconds) {
  if (pid_ <= 0) return 0;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

// The server's log stays behind only when a test has failed (it is what explains the failure);
// otherwise every run would leave one file per server in /tmp.
ServerProcess::~ServerProcess() {
  Stop();
  if (!::testing::UnitTest::GetInstance()->Failed()) std::remove(log_.c_str());
}

}  // namespace vertice::testing
