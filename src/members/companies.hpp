// Another company of the tenant, created by an owner of one of its companies (a holding with
// several legal entities): the company and its first owner, the creator, in one transaction,
// audited in the company it was created from.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "db/pool.hpp"
#include "shared/audit.hpp"

namespace vertice::members {

struct NewCompany {
  std::string company_id;  // a slug, unique across the installation
  std::string legal_name;
  std::string rfc;
};

// 409 company.id_taken when the slug is in use; 403 when the actor does not own the scoped company.
db::Task<Result<boost::json::object>> CreateCompany(db::Transaction& tx, shared::Actor actor, NewCompany company);

}  // namespace vertice::members
