// `vertice user create|add|passwd|disable`: users, their companies and their password, on the admin
// database URL.
// Passwords come from standard input, VERTICE_PASSWORD or (discouraged) a flag.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "admin/admin.hpp"
#include "app/cli/commands.hpp"

namespace vertice::app::cli {

namespace {

struct UserArgs {
  std::string email, full_name, tenant, company, role;
  std::optional<std::string> password;
  bool password_stdin = false;
};

void AddPasswordOptions(CLI::App* sub, UserArgs& args) {
  sub->add_option("--password", args.password, "Password (prefer --password-stdin or VERTICE_PASSWORD)");
  sub->add_flag("--password-stdin", args.password_stdin, "Read the password from standard input");
}

// The password the command was given; empty (after saying so on standard error): none.
std::string Password(const UserArgs& args) {
  auto secret = ReadSecret(args.password, args.password_stdin, "VERTICE_PASSWORD");
  if (secret.empty()) std::cerr << "error: give a password with --password-stdin, VERTICE_PASSWORD or --password\n";
  return secret;
}

db::Task<Status> CreateUser(db::Connection& conn, UserArgs args, std::string password) {
  std::string tenant = args.tenant;
  if (tenant.empty() && !args.company.empty()) {
    VERTICE_CO_ASSIGN_OR_RETURN(tenant, co_await admin::TenantOfCompany(conn, args.company));
  }
  if (tenant.empty()) co_return Fail(ErrorKind::kInvalidInput, "tenant_required", "give --tenant or --company");
  auto company = args.company.empty() ? std::nullopt : std::optional(args.company);
  auto role = args.role.empty() ? std::nullopt : std::optional(args.role);
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto id, co_await admin::CreateUser(conn, tenant, args.email, args.full_name, password, company, role));
  Say("user " + args.email + " created (" + id + ")");
  co_return Status{};
}

}  // namespace

void AddUserCommands(CLI::App& cli, CliContext& ctx) {
  auto* user = cli.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto args = std::make_shared<UserArgs>();

  auto* create = user->add_subcommand("create", "Create a user, optionally with a role in a company");
  create->add_option("--email", args->email, "E-mail (login)")->required();
  create->add_option("--name", args->full_name, "Full name");
  create->add_option("--tenant", args->tenant, "Tenant (default: the company's)");
  create->add_option("--company", args->company, "Company to add the user to");
  create->add_option("--role", args->role, "owner|ceo|cfo|accountant|cashier|viewer (default viewer)");
  AddPasswordOptions(create, *args);
  create->callback([&ctx, args] {
    ctx.Run([&](const Config& config) {
      auto password = Password(*args);
      if (password.empty()) return 2;
      return WithAdminConnection(config, [&](db::Connection& conn) { return CreateUser(conn, *args, password); });
    });
  });

  // An existing user gets a role in another company of their tenant (the owner of a second company
  // is usually the owner of the first).
  auto* add = user->add_subcommand("add", "Give an existing user a role in another company of their tenant");
  add->add_option("--email", args->email, "E-mail of the existing user")->required();
  add->add_option("--company", args->company, "Company to add the user to")->required();
  add->add_option("--role", args->role, "owner|ceo|cfo|accountant|cashier|viewer")->required();
  add->callback([&ctx, args] {
    ctx.RunOnAdminConnection([&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::AddMembership(conn, args->email, args->company, args->role));
      Say("user " + args->email + " added to " + args->company + " as " + args->role);
      co_return Status{};
    });
  });

  auto* passwd = user->add_subcommand("passwd", "Set a user's password (ends their sessions)");
  passwd->add_option("--email", args->email, "E-mail")->required();
  AddPasswordOptions(passwd, *args);
  passwd->callback([&ctx, args] {
    ctx.Run([&](const Config& config) {
      auto password = Password(*args);
      if (password.empty()) return 2;
      return WithAdminConnection(config, [&](db::Connection& conn) -> db::Task<Status> {
        VERTICE_CO_TRY(co_await admin::SetPassword(conn, args->email, password));
        Say("password changed for " + args->email);
        co_return Status{};
      });
    });
  });

  auto* disable = user->add_subcommand("disable", "Disable a user (ends their sessions)");
  disable->add_option("--email", args->email, "E-mail")->required();
  disable->callback([&ctx, args] {
    ctx.RunOnAdminConnection([&](db::Connection& conn) -> db::Task<Status> {
      VERTICE_CO_TRY(co_await admin::DisableUser(conn, args->email));
      Say("user " + args->email + " disabled");
      co_return Status{};
    });
  });
}

}  // namespace vertice::app::cli
