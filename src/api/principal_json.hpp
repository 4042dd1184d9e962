#pragma once

#include <boost/json/object.hpp>

#include "auth/capabilities.hpp"
#include "auth/principal.hpp"

namespace vertice::api {

// {"user": {...} | "api_key": {...}, "companies": [{company_id, name, role, capabilities}]}: what
// the caller may do in each company, core and per vertical (auth/capabilities.hpp).
boost::json::object PrincipalJson(const auth::Principal& p, const auth::Capabilities& capabilities);

}  // namespace vertice::api
