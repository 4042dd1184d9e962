// A property test over every route the server has (`vertice routes`): generated requests with
// hostile values in every position — path ids, query values, headers (X-Company-Id,
// Authorization, cookies, content types), JSON fields of the right and wrong types, huge numbers
// and amounts, empty and huge strings, invalid UTF-8, NUL bytes, multipart parts, statement and
// CFDI files with absurd figures — sent signed in as each demo user and signed out. Every answer
// must be a 2xx or a documented 4xx in the error shape {"error":{"code","message","details"}},
// never a 5xx, and the server must stay healthy (/readyz, then a normal request).
//
//   VERTICE_PROPERTY_SEED        the PRNG seed (printed at start and with every failure)
//   VERTICE_PROPERTY_ITERATIONS  random requests per route after the sweep (default 60; scripts/fuzz
//                                runs it longer)
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <sstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/api/api_fixture.hpp"

namespace vertice::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
  std::string error;  // the exchange failed (connection, timeout)
};

// One request as raw bytes on a fresh connection, every step bounded by `timeout`. A streamed
// answer (Server-Sent Events) counts once its headers arrive.
Reply Exchange(unsigned short port, const std::string& bytes, std::chrono::seconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  parser.header_limit(1024 * 1024);
  Reply out;
  bool done = false;
  auto fail = [&](const char* step, boost::system::error_code ec) {
    out.error = std::string(step) + ": " + ec.message();
  };
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](boost::system::error_code ec) {
    if (ec) return fail("connect", ec);
    // A write cut short (the server refused early, e.g. 413) still leaves an answer to read.
    asio::async_write(stream, asio::buffer(bytes), [&](boost::system::error_code, size_t) {
      stream.expires_after(timeout);
      bhttp::async_read_header(stream, buffer, parser, [&](boost::system::error_code ec2, size_t) {
        if (ec2) return fail("read header", ec2);
        out.status = static_cast<int>(parser.get().result_int());
        out.content_type = std::string(parser.get()[bhttp::field::content_type]);
        if (out.content_type.starts_with("text/event-stream")) {
          done = true;
          return;
        }
        stream.expires_after(timeout);
        bhttp::async_read(stream, buffer, parser, [&](boost::system::error_code ec3, size_t) {
          if (ec3) return fail("read body", ec3);
          out.body = parser.get().body();
          done = true;
        });
      });
    });
  });
  ioc.run_for(timeout * 3 + std::chrono::seconds(1));
  if (!done && out.error.empty()) out.error = "no complete answer in time";
  return out;
}

std::string Printable(std::string_view s, size_t max = 240) {
  std::string out;
  for (unsigned char c : s.substr(0, max)) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  if (s.size() > max) out += "…(" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct RouteSpec {
  std::string method, path_template;
};

std::vector<RouteSpec> ServerRoutes() {
  const char* bin = std::getenv("VERTICE_BIN");
  if (bin == nullptr) throw std::runtime_error("VERTICE_BIN is not set");
  std::string cmd = std::string(bin) + " routes 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run " + cmd);
  std::string text;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe.get())) text.append(buf, n);
  std::vector<RouteSpec> routes;
  std::istringstream lines(text);
  std::string method, path;
  while (lines >> method >> path) routes.push_back({method, path});
  return routes;
}

// Hostile and plausible values for any position; the bytes are raw (encoded where they go).
const std::vector<std::string>& Values() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out = {
        "",
        "0",
        "1",
        "-1",
        "2",
        "42",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "99999999999999999999999999999999",
        "1e309",
        "-1e309",
        "NaN",
        "Infinity",
        "0x1F",
        "1.5",
        "-0",
        "-0.00",
        "0.00",
        "0.001",
        "100.00",
        "1500.50",
        "-1500.50",
        "9999999999999999.99",
        "-9999999999999999.99",
        "10000000000000000.00",
        "92233720368547758.07",
        "92233720368547758.08",
        "-92233720368547758.08",
        "1,000.00",
        "00000000-0000-0000-0000-000000000000",
        "6d7434a6-e3f2-4b53-9c11-7f0a2e9c5b01",
        "6D7434A6-E3F2-4B53-9C11-7F0A2E9C5B01",
        "2024-01-31",
        "2024-02-30",
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "2024-13-01",
        "2024-01-01T00:00:00Z",
        "2024-01-01T25:61:61+99:99",
        "acme",
        "globex",
        "owner",
        "cfo",
        "cashier",
        "viewer",
        "MXN",
        "XXX",
        "csv",
        "camt053",
        "true",
        "null",
        "' OR '1'='1",
        "\"; DROP TABLE users; --",
        "%",
        "%%",
        "%zz",
        "..",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "a b",
        "a+b",
        "a&b=c",
        "\xFF",
        "\xFE\xFF",
        "\xC0\xAF",
        "\xED\xA0\x80",
        "\xF4\x90\x80\x80",
        "abc\xE2\x82",
        std::string("a\0b", 3),
        std::string(1, '\0'),
        "\x01\x02\x7F",
        "\xF1",  // Latin-1 ñ
        "ñandú €",
        "\xF0\x9F\x98\x80",
        "ADI920101AB3",
        "XAXX010101000",
        "012180001234567897",
        "NL77INGB0574908765",
        std::string(64, 'a'),
        std::string(300, 'a'),
        std::string(5000, 'x'),
    };
    return out;
  }();
  return v;
}

// Values a well-behaved client might send, with the edges of what the server admits: a "tame"
// request carries these everywhere but in a few positions, so it reaches the handlers' own logic.
const std::vector<std::string> kPlausible = {"0",
                                             "1",
                                             "2",
                                             "3",
                                             "42",
                                             "-1",
                                             "1.00",
                                             "100.00",
                                             "1500.50",
                                             "-1500.50",
                                             "0.16",
                                             "16",
                                             "9999999999999999.99",
                                             "-9999999999999999.99",
                                             "10000000000000000.00",
                                             "92233720368547758.07",
                                             "999999999999.999999",
                                             "9223372036854775807",
                                             "2024-01-31",
                                             "2024-02-29",
                                             "2024-02-30",
                                             "0001-01-01",
                                             "9999-12-31",
                                             "2024-01-01T10:00:00Z",
                                             "2024-01",
                                             "acme",
                                             "globex",
                                             "owner",
                                             "cfo",
                                             "ceo",
                                             "cashier",
                                             "viewer",
                                             "accountant",
                                             "MXN",
                                             "USD",
                                             "csv",
                                             "camt053",
                                             "day",
                                             "month",
                                             "vertical",
                                             "pos",
                                             "product",
                                             "sku-1",
                                             "Tienda Centro",
                                             "nuevo@acme.mx",
                                             "ADI920101AB3",
                                             "XAXX010101000",
                                             "012180001234567897",
                                             "6d7434a6-e3f2-4b53-9c11-7f0a2e9c5b01",
                                             "deliver",
                                             "settle",
                                             "cancel",
                                             "fees",
                                             "comision"};

// JSON values: every type, the edges of the integer and decimal ranges, nesting.
json::value JsonValue(std::mt19937_64& rng, int depth = 0);

std::string Pick(std::mt19937_64& rng, const std::vector<std::string>& from) {
  return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
}

bool Chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

std::string HostileString(std::mt19937_64& rng) {
  if (Chance(rng, 0.02)) return std::string(std::uniform_int_distribution<size_t>(60000, 300000)(rng), 'z');
  std::string s = Pick(rng, Values());
  if (Chance(rng, 0.15)) s += Pick(rng, Values());
  return s;
}

json::value JsonValue(std::mt19937_64& rng, int depth) {
  switch (std::uniform_int_distribution<int>(0, 13)(rng)) {
    case 0:
      return nullptr;
    case 1:
      return Chance(rng, 0.5);
    case 2:
      return std::uniform_int_distribution<int64_t>(-5, 100)(rng);
    case 3:
      return Chance(rng, 0.5) ? INT64_MAX : INT64_MIN;
    case 4:
      return UINT64_MAX;
    case 5:
      return Chance(rng, 0.5) ? 1e308 : -1.5e300;
    case 6:
      return 0.1;
    case 7:
      if (depth < 3) {
        json::array a;
        int n = std::uniform_int_distribution<int>(0, 3)(rng);
        for (int i = 0; i < n; ++i) a.push_back(JsonValue(rng, depth + 1));
        return a;
      }
      return json::array{};
    case 8:
      if (depth < 3) {
        json::object o;
        int n = std::uniform_int_distribution<int>(0, 3)(rng);
        for (int i = 0; i < n; ++i) o[HostileString(rng).substr(0, 40)] = JsonValue(rng, depth + 1);
        return o;
      }
      return json::object{};
    default:
      return json::string(HostileString(rng));
  }
}

struct Fields {
  std::vector<std::string> top;                            // names the route reads
  std::map<std::string, std::vector<std::string>> nested;  // "lines" → {"sku", "quantity"}
};

const std::vector<std::string> kQueryKeys = {"limit",
                                             "after",
                                             "from",
                                             "to",
                                             "q",
                                             "status",
                                             "direction",
                                             "min_amount",
                                             "max_amount",
                                             "min_total",
                                             "max_total",
                                             "group_by",
                                             "sort",
                                             "measures",
                                             "format",
                                             "profile",
                                             "account_id",
                                             "file_name",
                                             "filename",
                                             "override_balance_reason",
                                             "as_of",
                                             "date",
                                             "month",
                                             "type",
                                             "tipo",
                                             "vertical",
                                             "company_id",
                                             "source_table",
                                             "bucket",
                                             "level",
                                             "rfc",
                                             "moneda",
                                             "transaction_type",
                                             "statement_id",
                                             "movement_id",
                                             "invoice_id",
                                             "sku",
                                             "pos",
                                             "product",
                                             "days",
                                             "role",
                                             "active"};

const std::vector<std::string> kCompanies = {"acme", "globex", "ACME", "no-existe", "acme'--", "a"};

class HostileInputTest : public ApiTest {
 protected:
  struct User {
    std::string email, token, csrf;
  };

  void SetUp() override {
    ApiTest::SetUp();
    const char* seed_env = std::getenv("VERTICE_PROPERTY_SEED");
    seed_ = seed_env ? std::strtoull(seed_env, nullptr, 10) : std::random_device{}();
    const char* n = std::getenv("VERTICE_PROPERTY_ITERATIONS");
    iterations_ = n ? std::max(1, std::atoi(n)) : 60;
    std::cout << "[property] seed " << seed_ << " (VERTICE_PROPERTY_SEED), " << iterations_
              << " requests per route (VERTICE_PROPERTY_ITERATIONS)\n";
  }

  // A fresh session straight in the database: hostile calls (logout, wrong passwords, the login
  // rate limit) must not leave the test without a way in.
  User Mint(const std::string& email) {
    User u{email, auth::NewToken("vs_"), auth::RandomHex(24)};
    SqlValue(
        db_->OwnerUrl(),
        "SELECT auth_login_succeeded($1::uuid, $2, $3, interval '2 hours', '127.0.0.1', 'property-test', '127.0.0.1')",
        {UserId(email), auth::HashToken(u.token), auth::HashToken(u.csrf)});
    return u;
  }

  // The JSON fields a route reads, learnt from its own answer to an empty object (missing_field
  // names) and, for each, to a list of one empty object ("lines[0].sku").
  Fields Discover(const RouteSpec& r, const User& owner) {
    Fields f;
    if (r.method == "GET" || r.method == "HEAD") return f;
    std::string path = r.path_template;
    for (size_t open; (open = path.find('{')) != std::string::npos;) path.replace(open, path.find('}') - open + 1, "1");
    auto fields_of = [&](const std::string& body) {
      std::vector<std::string> out;
      auto reply = Exchange(server_->Port(),
                            Request(r.method, path,
                                    {{"Authorization", "Bearer " + owner.token},
                                     {"X-Company-Id", "acme"},
                                     {"Content-Type", "application/json"}},
                                    body),
                            std::chrono::seconds(30));
      try {
        auto answer = json::parse(reply.body);
        for (const auto& item : answer.at("error").at("details").at("fields").as_array())
          out.emplace_back(item.at("field").as_string());
      } catch (...) {
      }
      return out;
    };
    for (const auto& name : fields_of("{}")) f.top.push_back(name);
    for (const auto& name : f.top) {
      json::object o{{name, json::array{json::object{}}}};
      for (const auto& nested : fields_of(json::serialize(o))) {
        auto prefix = name + "[0].";
        if (nested.starts_with(prefix)) f.nested[name].push_back(nested.substr(prefix.size()));
      }
    }
    return f;
  }

  static std::string Request(const std::string& method, const std::string& target,
                             const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
    std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return out;
  }

  // A value for any position: plausible in a tame request (mostly), hostile otherwise.
  std::string V() { return tame_ && !Chance(rng_, 0.05) ? Pick(rng_, kPlausible) : HostileString(rng_); }
  json::value J() {
    if (!tame_) return JsonValue(rng_);
    double k = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (k < 0.7) return json::string(V());
    if (k < 0.85) return std::uniform_int_distribution<int64_t>(-2, 50)(rng_);
    return JsonValue(rng_);
  }

  std::string Path(const RouteSpec& r) {
    std::string out;
    const auto& t = r.path_template;
    for (size_t i = 0; i < t.size();) {
      if (t[i] == '{') {
        auto close = t.find('}', i);
        std::string v = V();
        if (v.size() > 20000) v.resize(20000);
        // Mostly encoded as a client library would; sometimes raw high bytes.
        bool raw = Chance(rng_, 0.1) && std::none_of(v.begin(), v.end(), [](char c) {
                     return static_cast<unsigned char>(c) <= 0x20 || c == '?' || c == '#' || c == '/' || c == 0x7F;
                   });
        out += raw ? v : PercentEncode(v);
        i = close + 1;
      } else {
        out.push_back(t[i++]);
      }
    }
    return out;
  }

  std::string Query() {
    if (Chance(rng_, 0.3)) return {};
    std::string q;
    int n = std::uniform_int_distribution<int>(1, 4)(rng_);
    for (int i = 0; i < n; ++i) {
      if (!q.empty()) q += '&';
      std::string key = Chance(rng_, 0.85) ? Pick(rng_, kQueryKeys) : HostileString(rng_).substr(0, 50);
      std::string value = V();
      if (value.size() > 20000) value.resize(20000);
      q += PercentEncode(key) + "=" + (!tame_ && Chance(rng_, 0.05) ? std::string("%FF%") : PercentEncode(value));
    }
    return "?" + q;
  }

  static std::string HeaderSafe(std::string v) {
    std::erase_if(v, [](char c) { return c == '\r' || c == '\n'; });
    if (v.size() > 6000) v.resize(6000);
    return v;
  }

  std::string JsonBody(const Fields& f) {
    json::object o;
    for (const auto& name : f.top) {
      if (Chance(rng_, 0.2)) continue;  // missing
      auto nested = f.nested.find(name);
      if (nested != f.nested.end() && Chance(rng_, 0.7)) {
        json::array items;
        int n = std::uniform_int_distribution<int>(0, 3)(rng_);
        for (int i = 0; i < n; ++i) {
          json::object item;
          for (const auto& sub : nested->second)
            if (!Chance(rng_, 0.15)) item[sub] = J();
          items.push_back(std::move(item));
        }
        o[name] = std::move(items);
      } else {
        o[name] = J();
      }
    }
    if (!tame_ && Chance(rng_, 0.1)) o[HostileString(rng_).substr(0, 40)] = JsonValue(rng_);
    std::string body = json::serialize(o);
    // Numbers beyond any C++ type, as text.
    if (Chance(rng_, 0.05) && !f.top.empty())
      body = "{\"" + f.top.front() + "\":123456789012345678901234567890123456789}";
    return body;
  }

  std::string StatementFile() {
    auto amount = Pick(rng_, {"0.00", "1.00", "-5.50", "9999999999999999.99", "10000000000000000.00",
                              "92233720368547758.07", "99999999999999999999.00", "1e5", ""});
    auto date = Pick(rng_, {"2024-01-02", "0000-01-01", "2024-02-30", "9999-12-31", "x"});
    auto text = V().substr(0, 200);
    switch (std::uniform_int_distribution<int>(0, 3)(rng_)) {
      case 0:
        return "id,date,description,reference,amount,balance\na," + date + "," + text + ",ref," + amount + "," +
               amount + "\nb," + date + ",x,," + amount + ",\n";
      case 1:
        return "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"
               "<BkToCstmrStmt><Stmt><Id>" +
               text +
               "</Id><Acct><Id><IBAN>NL77INGB0574908765</IBAN></Id>"
               "<Ccy>EUR</Ccy></Acct><Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">" +
               amount + "</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal><Ntry><Amt Ccy=\"EUR\">" + amount +
               "</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>" + date +
               "</Dt></BookgDt><AddtlNtryInf>" + text + "</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>";
      case 2:
        return ":20:" + text.substr(0, 16) + "\n:25:NL77INGB0574908765\n:28C:1\n:60F:C240101EUR" + amount +
               "\n:61:2401020102D" + amount + "NTRFNONREF\n:86:" + text + "\n:62F:C240102EUR" + amount + "\n";
      default:
        return "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>MXN<BANKACCTFROM>"
               "<ACCTID>012180001234567897</BANKACCTFROM><BANKTRANLIST><STMTTRN><TRNTYPE>DEBIT<DTPOSTED>" +
               date + "<TRNAMT>" + amount + "<FITID>" + text + "<NAME>" + text +
               "</STMTTRN></BANKTRANLIST><LEDGERBAL><BALAMT>" + amount +
               "</LEDGERBAL></STMTRS></STMTTRNRS>"
               "</BANKMSGSRSV1></OFX>";
    }
  }

  std::string Multipart(std::string& content_type) {
    content_type = "multipart/form-data; boundary=B0undary";
    auto part = [](const std::string& disposition, const std::string& data) {
      return "--B0undary\r\nContent-Disposition: form-data; " + disposition + "\r\n\r\n" + data + "\r\n";
    };
    std::string body;
    int n = std::uniform_int_distribution<int>(1, 3)(rng_);
    for (int i = 0; i < n; ++i) {
      std::string name = Chance(rng_, 0.6) ? "file" : HeaderSafe(HostileString(rng_).substr(0, 30));
      std::erase(name, '"');
      std::string filename = HeaderSafe(HostileString(rng_).substr(0, 60));
      std::erase(filename, '"');
      body += part("name=\"" + name + "\"" + (Chance(rng_, 0.7) ? "; filename=\"" + filename + "\"" : ""),
                   Chance(rng_, 0.5) ? StatementFile() : HostileString(rng_));
    }
    if (Chance(rng_, 0.9)) body += "--B0undary--\r\n";
    return body;
  }

  // One generated request for `r`; `user` null: signed out (or with a made-up credential).
  std::string Generate(const RouteSpec& r, const Fields& f, const User* user) {
    tame_ = user != nullptr && Chance(rng_, 0.5);
    if (tame_) return GenerateTame(r, f, *user);
    std::vector<std::pair<std::string, std::string>> headers;
    if (user != nullptr) {
      if (Chance(rng_, 0.85)) {
        headers.emplace_back("Authorization", "Bearer " + user->token);
      } else {
        headers.emplace_back("Cookie", "vertice_session=" + user->token);
        if (Chance(rng_, 0.7)) headers.emplace_back("X-CSRF-Token", user->csrf);
      }
    } else if (Chance(rng_, 0.5)) {
      auto junk = HeaderSafe(HostileString(rng_));
      headers.emplace_back(Chance(rng_, 0.7) ? "Authorization" : "Cookie",
                           Pick(rng_, {"Bearer ", "Basic ", "", "bearer vs_", "vertice_session="}) + junk);
    }
    if (Chance(rng_, 0.75)) {
      headers.emplace_back("X-Company-Id",
                           Chance(rng_, 0.7) ? Pick(rng_, kCompanies) : HeaderSafe(HostileString(rng_)));
    }
    if (Chance(rng_, 0.1)) headers.emplace_back("X-Request-Id", HeaderSafe(HostileString(rng_)));
    if (Chance(rng_, 0.1)) headers.emplace_back("User-Agent", HeaderSafe(HostileString(rng_)));
    if (Chance(rng_, 0.1)) headers.emplace_back("Idempotency-Key", HeaderSafe(HostileString(rng_)));
    if (Chance(rng_, 0.05)) headers.emplace_back("Accept-Language", HeaderSafe(HostileString(rng_)));
    std::string body, content_type = "application/json";
    bool writes = r.method != "GET" && r.method != "HEAD";
    if (writes || Chance(rng_, 0.05)) {
      double kind = std::uniform_real_distribution<double>(0, 1)(rng_);
      if (kind < 0.65) {
        body = JsonBody(f);
      } else if (kind < 0.75) {
        body = Multipart(content_type);
      } else if (kind < 0.85) {
        body = StatementFile();
        content_type = Pick(rng_, {"text/plain", "application/octet-stream", "text/csv"});
      } else if (kind < 0.9) {
        body =
            "<?xml version=\"1.0\"?><cfdi:Comprobante xmlns:cfdi=\"http://www.sat.gob.mx/cfd/4\" Version=\"4.0\" "
            "Total=\"" +
            HeaderSafe(HostileString(rng_)) + "\" SubTotal=\"99999999999999999999\"/>";
        content_type = "application/xml";
      } else {
        body = HostileString(rng_);
        content_type = Chance(rng_, 0.5) ? "application/json" : HeaderSafe(HostileString(rng_)).substr(0, 100);
      }
    }
    if (!body.empty() || Chance(rng_, 0.1)) headers.emplace_back("Content-Type", content_type);
    return Request(r.method, Path(r) + Query(), headers, body);
  }

  // Signed in as `user` in their company, well-formed but for the values (V(), J()).
  std::string GenerateTame(const RouteSpec& r, const Fields& f, const User& user) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + user.token}};
    headers.emplace_back("X-Company-Id", user.email.ends_with("@globex.mx") ? "globex" : "acme");
    std::string body;
    if (r.method != "GET" && r.method != "HEAD") {
      if (Chance(rng_, 0.8)) {
        body = JsonBody(f);
        headers.emplace_back("Content-Type", "application/json");
      } else {
        body = StatementFile();
        headers.emplace_back("Content-Type", "text/csv");
      }
    }
    return Request(r.method, Path(r) + Query(), headers, body);
  }

  // The systematic part: a well-formed request as `user` (plausible values everywhere), then one
  // request per position — each path parameter, each query key, each JSON field (also inside
  // lists), each identity header — with only that position hostile, so every check between the
  // request and PostgreSQL sees each kind of bad value on its own.
  json::value PlausibleJson() {
    double k = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (k < 0.7) return json::string(Pick(rng_, kPlausible));
    if (k < 0.85) return std::uniform_int_distribution<int64_t>(1, 100)(rng_);
    if (k < 0.95) return Chance(rng_, 0.5);
    return nullptr;
  }

  // A body the route's validation accepts, found by asking it: every field it names as invalid
  // gets another plausible value, a few rounds (validation reports all fields at once). The
  // sweep then changes one position of it, so the hostile value meets the logic behind.
  json::object SettledBody(const RouteSpec& r, const Fields& f, const User& user) {
    json::object body;
    for (const auto& name : f.top) {
      auto nested = f.nested.find(name);
      if (nested == f.nested.end()) {
        body[name] = PlausibleJson();
      } else {
        json::object item;
        for (const auto& sub : nested->second) item[sub] = PlausibleJson();
        body[name] = json::array{item};
      }
    }
    if (r.method == "GET" || r.method == "HEAD" || f.top.empty()) return body;
    std::string path = r.path_template;
    for (size_t open; (open = path.find('{')) != std::string::npos;) path.replace(open, path.find('}') - open + 1, "1");
    for (int round = 0; round < 12; ++round) {
      auto reply = Exchange(server_->Port(),
                            Request(r.method, path,
                                    {{"Authorization", "Bearer " + user.token},
                                     {"X-Company-Id", user.email.ends_with("@globex.mx") ? "globex" : "acme"},
                                     {"Content-Type", "application/json"}},
                                    json::serialize(body)),
                            std::chrono::seconds(30));
      std::vector<std::string> bad;
      try {
        auto answer = json::parse(reply.body);
        for (const auto& item : answer.at("error").at("details").at("fields").as_array())
          bad.emplace_back(item.at("field").as_string());
      } catch (...) {
      }
      if (bad.empty()) break;
      for (const auto& field : bad) {
        auto bracket = field.find("[0].");
        if (bracket == std::string::npos) {
          if (body.contains(field) && !f.nested.contains(field)) body[field] = PlausibleJson();
        } else if (auto* list = body.if_contains(field.substr(0, bracket));
                   list && list->is_array() && !list->as_array().empty() && list->as_array()[0].is_object()) {
          list->as_array()[0].as_object()[field.substr(bracket + 4)] = PlausibleJson();
        }
      }
    }
    return body;
  }

  std::vector<std::string> Sweep(const RouteSpec& r, const Fields& f, const User& user,
                                 const json::object& settled = {}) {
    tame_ = true;
    const std::vector<std::string> nasty = {
        "\xFF", "\xC0\xAF", std::string("a\0b", 3), "10000000000000000.00", "99999999999999999999999",
        "-1",   "",         std::string(300, 'a')};
    const std::vector<json::value> wrong_types = {1e308, INT64_MAX,      UINT64_MAX,    -1,
                                                  true,  json::object{}, json::array{}, json::array{json::object{}}};
    std::vector<std::string> params;
    for (size_t at = 0; (at = r.path_template.find('{', at)) != std::string::npos; ++at) params.emplace_back();
    std::vector<std::string> base_params(params.size(), "1");
    auto path = [&](const std::vector<std::string>& values) {
      std::string out;
      size_t k = 0;
      for (size_t i = 0; i < r.path_template.size();) {
        if (r.path_template[i] == '{') {
          out += PercentEncode(values[k++]);
          i = r.path_template.find('}', i) + 1;
        } else {
          out.push_back(r.path_template[i++]);
        }
      }
      return out;
    };
    json::object base_body = settled;
    const bool writes = r.method != "GET" && r.method != "HEAD";
    std::vector<std::pair<std::string, std::string>> identity = {
        {"Authorization", "Bearer " + user.token},
        {"X-Company-Id", user.email.ends_with("@globex.mx") ? "globex" : "acme"}};
    auto make = [&](const std::vector<std::string>& values, const std::string& query, const json::object& body,
                    std::vector<std::pair<std::string, std::string>> headers) {
      if (writes) headers.emplace_back("Content-Type", "application/json");
      return Request(r.method, path(values) + query, headers, writes ? json::serialize(body) : std::string{});
    };
    std::vector<std::string> out = {make(base_params, "", base_body, identity)};
    for (size_t p = 0; p < params.size(); ++p) {
      for (const auto& v : nasty) {
        auto values = base_params;
        values[p] = v;
        out.push_back(make(values, "", base_body, identity));
      }
    }
    for (const auto& key : kQueryKeys) {
      for (const std::string v : {"\xFF", "a\0b", "99999999999999999999999"}) {
        out.push_back(make(base_params, "?" + key + "=" + PercentEncode(v), base_body, identity));
      }
    }
    if (writes) {
      for (const auto& [name, value] : base_body) {
        for (const auto& v : nasty) {
          auto body = base_body;
          body[name] = json::string(v);
          out.push_back(make(base_params, "", body, identity));
        }
        for (const auto& v : wrong_types) {
          auto body = base_body;
          body[name] = v;
          out.push_back(make(base_params, "", body, identity));
        }
        auto nested = f.nested.find(std::string(name));
        if (nested == f.nested.end() || !value.is_array() || value.as_array().empty() ||
            !value.as_array()[0].is_object())
          continue;
        for (const auto& sub : nested->second) {
          for (const auto& v : nasty) {
            auto body = base_body;
            body[name].as_array()[0].as_object()[sub] = json::string(v);
            out.push_back(make(base_params, "", body, identity));
          }
          for (const auto& v : wrong_types) {
            auto body = base_body;
            body[name].as_array()[0].as_object()[sub] = v;
            out.push_back(make(base_params, "", body, identity));
          }
        }
      }
    }
    for (const auto& [header, v] : std::vector<std::pair<std::string, std::string>>{{"X-Company-Id", "\xFF"},
                                                                                    {"X-Company-Id", "acme\xC0\xAF"},
                                                                                    {"Authorization", "Bearer \xFF"},
                                                                                    {"User-Agent", "Navegador \xF1"},
                                                                                    {"X-Request-Id", "\xFF"},
                                                                                    {"Idempotency-Key", "\xFF\xFE"}}) {
      auto headers = identity;
      bool replaced = false;
      for (auto& [k, old] : headers)
        if (k == header) old = v, replaced = true;
      if (!replaced) headers.emplace_back(header, v);
      out.push_back(make(base_params, "", base_body, headers));
    }
    return out;
  }

  bool tame_ = false;
  uint64_t seed_ = 0;
  int iterations_ = 60;
  std::mt19937_64 rng_;
};

bool IsDocumented4xx(int status) {
  static const std::set<int> k = {400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 431};
  return k.contains(status);
}

// "" when the body is the documented error shape, else what is wrong with it.
std::string ErrorShapeProblem(const Reply& r) {
  try {
    auto e = json::parse(r.body).at("error").as_object();
    if (!e.at("code").is_string() || e.at("code").as_string().empty()) return "error.code is not a string";
    if (!e.at("message").is_string()) return "error.message is not a string";
    if (!e.contains("details")) return "error.details is missing";
    return {};
  } catch (const std::exception& ex) {
    return std::string("not the error shape: ") + ex.what();
  }
}

TEST_F(HostileInputTest, EveryRouteAnswersHostileInputWithA2xxOrADocumented4xxAndStaysHealthy) {
  rng_.seed(seed_);
  auto routes = ServerRoutes();
  ASSERT_GT(routes.size(), 20u) << "`vertice routes` listed too few routes";
  const std::vector<std::string> emails = {"admin@acme.mx",  "ceo@acme.mx",   "cfo@acme.mx",
                                           "cajero@acme.mx", "cfo@globex.mx", "director@grupo.mx"};
  const auto started = std::chrono::steady_clock::now();
  int failures = 0, requests = 0;
  std::map<std::string, int> statuses;
  for (const auto& route : routes) {
    SCOPED_TRACE("seed " + std::to_string(seed_) + ", route " + route.method + " " + route.path_template);
    auto owner = Mint("admin@acme.mx");
    const Fields fields = Discover(route, owner);
    std::vector<User> users;
    for (const auto& e : emails) users.push_back(Mint(e));
    // The sweep runs as the first user the route lets in (its role), else as the owner.
    const User* allowed = &users.front();
    for (const auto& u : users) {
      auto probe = Exchange(server_->Port(), Sweep(route, fields, u).front(), std::chrono::seconds(30));
      if (probe.status != 401 && probe.status != 403) {
        allowed = &u;
        break;
      }
    }
    std::vector<std::string> batch = Sweep(route, fields, *allowed, SettledBody(route, fields, *allowed));
    for (int i = 0; i < iterations_; ++i) {
      // Half signed in (each role in turn), half signed out or with a made-up credential.
      const User* user = i % 2 == 0 ? &users[static_cast<size_t>(i / 2) % users.size()] : nullptr;
      batch.push_back(Generate(route, fields, user));
    }
    for (const auto& request : batch) {
      auto reply = Exchange(server_->Port(), request, std::chrono::seconds(30));
      ++requests;
      ++statuses[std::to_string(reply.status)];
      std::string problem;
      if (!reply.error.empty()) {
        problem = "no answer: " + reply.error;
      } else if (reply.status >= 500) {
        problem = "server error";
      } else if (reply.status >= 300 && !IsDocumented4xx(reply.status)) {
        problem = "undocumented status";
      } else if (reply.status >= 400 && reply.content_type.starts_with("application/json")) {
        problem = ErrorShapeProblem(reply);
      } else if (reply.status >= 400) {
        problem = "a 4xx that is not JSON";
      }
      if (!problem.empty()) {
        ++failures;
        ADD_FAILURE() << problem << " (seed " << seed_ << "): " << reply.status << " for\n  " << Printable(request, 600)
                      << "\n  answer: " << Printable(reply.body, 400);
        if (failures >= 25) FAIL() << "too many failures; stopping (seed " << seed_ << ")";
      }
    }
    auto ready = Exchange(server_->Port(), Request("GET", "/readyz", {}, ""), std::chrono::seconds(30));
    ASSERT_EQ(ready.status, 200) << "unhealthy after " << route.method << " " << route.path_template << " (seed "
                                 << seed_ << "): " << ready.error << " " << ready.body;
  }
  // Still serving normal requests.
  auto owner = Mint("admin@acme.mx");
  auto c = Client();
  EXPECT_EQ(c.Send("GET", "/api/v1/auth/me", "", {{"Authorization", "Bearer " + owner.token}}).status, 200);
  EXPECT_EQ(c.Send("GET", "/api/v1/members", "", {{"Authorization", "Bearer " + owner.token}, {"X-Company-Id", "acme"}})
                .status,
            200);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "[property] " << routes.size() << " routes, " << requests << " requests in " << seconds << " s;";
  for (const auto& [status, n] : statuses) std::cout << " " << status << "×" << n;
  std::cout << "\n";
}

}  // namespace
}  // namespace vertice::testing
