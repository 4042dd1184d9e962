// Element names by namespace for pugixml, which does not resolve namespaces: an element's local
// name, and the URI its prefix is bound to by the nearest xmlns declaration on itself or an
// ancestor (Parse has checked that every prefix is bound).
#pragma once

#include <pugixml.hpp>
#include <string_view>

namespace vertice::cfdi::xml {

inline std::string_view LocalName(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

inline std::string_view NamespaceOf(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  std::string_view prefix = colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
  for (auto cur = n; cur && cur.type() == pugi::node_element; cur = cur.parent()) {
    for (auto a = cur.first_attribute(); a; a = a.next_attribute()) {
      std::string_view an = a.name();
      if (prefix.empty() ? an == "xmlns"
                         : (an.size() == prefix.size() + 6 && an.starts_with("xmlns:") && an.substr(6) == prefix))
        return a.value();
    }
  }
  return {};
}

inline bool Is(const pugi::xml_node& n, std::string_view ns_uri, std::string_view local) {
  return n.type() == pugi::node_element && LocalName(n) == local && NamespaceOf(n) == ns_uri;
}

}  // namespace vertice::cfdi::xml
