#pragma once

#include <boost/json/object.hpp>

#include "auth/principal.hpp"

namespace vertice::api {

// {"user": {...} | "api_key": {...}, "companies": [{company_id, name, role}]}
boost::json::object PrincipalJson(const auth::Principal& p);

}  // namespace vertice::api
