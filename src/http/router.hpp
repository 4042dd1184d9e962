// Method + path-template routing ("/api/v1/members/{user_id}"); the template labels metrics and logs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vertice::http {

template <typename Route>
class Router {
 public:
  struct Match {
    const Route* route = nullptr;
    std::string path_template;
    std::map<std::string, std::string> params;
    bool method_mismatch = false;  // the path exists with other methods: 405
  };

  // Returns false when the same method and template are already registered.
  bool Add(std::string method, std::string path_template, Route route) {
    auto segments = Split(path_template);
    for (const auto& e : entries_) {
      if (e.method == method && e.segments == segments) return false;
    }
    entries_.push_back({std::move(method), std::move(path_template), std::move(segments), std::move(route)});
    return true;
  }

  Match Find(std::string_view method, std::string_view path) const {
    auto segments = Split(path);
    Match out;
    for (const auto& e : entries_) {
      std::map<std::string, std::string> params;
      if (!SegmentsMatch(e.segments, segments, params)) continue;
      if (e.method != method && !(method == "HEAD" && e.method == "GET")) {
        out.method_mismatch = true;
        out.path_template = e.path_template;
        continue;
      }
      out.route = &e.route;
      out.path_template = e.path_template;
      out.params = std::move(params);
      out.method_mismatch = false;
      return out;
    }
    return out;
  }

  std::vector<std::string> Templates() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.method + " " + e.path_template);
    return out;
  }

 private:
  struct Entry {
    std::string method;
    std::string path_template;
    std::vector<std::string> segments;
    Route route;
  };

  static std::vector<std::string> Split(std::string_view path) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') {
        ++i;
        continue;
      }
      auto j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      out.emplace_back(path.substr(i, j - i));
      i = j;
    }
    return out;
  }

  static bool SegmentsMatch(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                            std::map<std::string, std::string>& params) {
    if (pattern.size() != path.size()) return false;
    for (size_t i = 0; i < pattern.size(); ++i) {
      const auto& p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        params[p.substr(1, p.size() - 2)] = path[i];
      } else if (p != path[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Entry> entries_;
};

}  // namespace vertice::http
