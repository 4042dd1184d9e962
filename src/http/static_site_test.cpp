#include "http/static_site.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace vertice::http {
namespace {

namespace fs = std::filesystem;

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vertice-site-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    Write("index.html", "<html>panel</html>");
    Write("reportes.html", "<html>reportes</html>");
    Write("facturas.html", "<html>facturas</html>");
    Write("404.html", "<html>no encontrado</html>");
    Write("_next/static/chunks/app-1a2b.js", "console.log(1)");
    Write("_next/static/chunks/app-1a2b.js.gz", "GZIPPED");
    Write("reportes.txt", "rsc payload");
    auto site = StaticSite::Load(root_);
    ASSERT_TRUE(site) << site.error().message;
    site_.emplace(std::move(*site));
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& body) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel, std::ios::binary) << body;
  }
  Response Get(const std::string& path, const std::string& accept_encoding = "") {
    Request r;
    r.method = "GET";
    r.path = path;
    if (!accept_encoding.empty()) r.headers.emplace_back("accept-encoding", accept_encoding);
    return site_->Serve(r);
  }
  static std::string Header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }

  fs::path root_;
  std::optional<StaticSite> site_;
};

TEST_F(StaticSiteTest, PagesAreServedByRouteWithTheirTypeAndRevalidated) {
  auto home = Get("/");
  EXPECT_EQ(home.status, 200);
  EXPECT_EQ(home.body, "<html>panel</html>");
  EXPECT_EQ(home.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Header(home, "Cache-Control"), "no-cache");
  EXPECT_EQ(Get("/reportes").body, "<html>reportes</html>");
  EXPECT_EQ(Get("/reportes/").body, "<html>reportes</html>");
  EXPECT_EQ(Get("/reportes.txt").content_type, "text/plain; charset=utf-8");
}

TEST_F(StaticSiteTest, ClientSideRoutesFallBackToTheirPageAndUnknownOnesAre404) {
  EXPECT_EQ(Get("/facturas/6d7434a6-e3f2").body, "<html>facturas</html>");
  auto unknown = Get("/no-existe");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "<html>no encontrado</html>");
  EXPECT_EQ(Get("/no-existe/hondo").status, 404);  // never the dashboard by accident
  EXPECT_EQ(Get("/_next/static/chunks/missing.js").status, 404);
  EXPECT_EQ(Get("/../etc/passwd").status, 404);
  EXPECT_EQ(Get("/_next/../../secret").status, 404);
  // Targets that are not paths (the server refuses them first) are still just not found here.
  EXPECT_EQ(Get("*").status, 404);
  EXPECT_EQ(Get("x").status, 404);
  EXPECT_EQ(Get("http:").status, 404);
}

TEST_F(StaticSiteTest, HashedAssetsAreImmutableAndGzipIsSentOnlyToWhoAcceptsIt) {
  auto plain = Get("/_next/static/chunks/app-1a2b.js");
  EXPECT_EQ(plain.body, "console.log(1)");
  EXPECT_EQ(plain.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(plain, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(plain, "Vary"), "Accept-Encoding");
  EXPECT_TRUE(Header(plain, "Content-Encoding").empty());
  auto gz = Get("/_next/static/chunks/app-1a2b.js", "gzip, deflate, br");
  EXPECT_EQ(gz.body, "GZIPPED");
  EXPECT_EQ(Header(gz, "Content-Encoding"), "gzip");
  EXPECT_TRUE(Header(Get("/_next/static/chunks/app-1a2b.js", "gzip;q=0, br"), "Content-Encoding").empty());
  EXPECT_EQ(Get("/_next/static/chunks/app-1a2b.js.gz").status, 404);  // twins are not files of their own
}

TEST_F(StaticSiteTest, OnlyReadsOutsideTheApiAreTheSites) {
  Request r;
  r.method = "GET";
  r.path = "/api/v1/dashboard";
  EXPECT_FALSE(StaticSite::Handles(r));
  r.path = "/metrics";
  EXPECT_FALSE(StaticSite::Handles(r));
  r.path = "/reportes";
  EXPECT_TRUE(StaticSite::Handles(r));
  r.method = "POST";
  EXPECT_FALSE(StaticSite::Handles(r));
}

TEST(StaticSiteLoadTest, AnExportWithoutIndexIsRefused) {
  auto empty = fs::temp_directory_path() / ("vertice-empty-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  EXPECT_FALSE(StaticSite::Load(empty));
  fs::remove_all(empty);
}

}  // namespace
}  // namespace vertice::http
