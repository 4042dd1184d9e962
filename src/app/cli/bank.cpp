// `vertice bank account create`: registers a company's bank account as the server role (row-level
// security on) and prints its id.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "app/cli/commands.hpp"
#include "db/run_sync.hpp"
#include "shared/validation.hpp"

namespace vertice::app::cli {

namespace {

struct BankAccountArgs {
  std::string company, name, bank, clabe, number, currency = "MXN";
};

// Prints the new account's id. 0 on success; 1/2 could not run.
int CreateBankAccount(const Config& config, const BankAccountArgs& a) {
  auto urls = ServerDatabaseUrls(config);
  if (!urls) return 2;
  if (!a.clabe.empty() && !shared::IsValidClabe(a.clabe)) {
    std::cerr << "error: " << a.clabe << " no es una CLABE válida\n";
    return 2;
  }
  if (a.clabe.empty() && a.number.empty()) {
    std::cerr << "error: indique --clabe o --number\n";
    return 2;
  }
  std::string bank = a.bank;
  if (bank.empty() && !a.clabe.empty())
    if (auto known = shared::ClabeBankName(a.clabe)) bank = std::string(*known);
  if (bank.empty()) {
    std::cerr << "error: indique --bank (no se deduce sin CLABE)\n";
    return 2;
  }
  auto id = db::RunSync<Result<int64_t>>([&](boost::asio::any_io_executor ex) -> db::Task<Result<int64_t>> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto ctx, co_await ResolveCompany(ex, urls->admin, a.company));
    db::Pool pool(ex, CommandPool(urls->url));
    co_return co_await pool.InTransaction(ctx.scope, [&](db::Transaction& tx) -> db::Task<Result<int64_t>> {
      VERTICE_CO_ASSIGN_OR_RETURN(
          auto rows,
          co_await tx.Query("INSERT INTO bank_accounts (tenant_id, company_id, name, bank, clabe, account_number, "
                            "currency) VALUES (vertice_current_tenant(), vertice_current_company(), $1, $2, "
                            "NULLIF($3, ''), NULLIF($4, ''), $5) RETURNING account_id",
                            db::P(a.name.empty() ? bank : a.name, bank, a.clabe, a.number, a.currency)));
      auto account_id = rows.Int(0, "account_id");
      VERTICE_CO_TRY(co_await shared::RecordAudit(tx, ctx.actor, "bank.account_created", "bank_account",
                                                  std::to_string(account_id), {}, {}));
      co_return account_id;
    });
  });
  if (!id) {
    std::cerr << "error: " << id.error().message << " " << id.error().internal << "\n";
    return 1;
  }
  std::cout << *id << std::endl;
  return 0;
}

}  // namespace

void AddBankCommands(CLI::App& cli, CliContext& ctx) {
  auto* bank = cli.add_subcommand("bank", "Bank accounts");
  bank->require_subcommand(1);
  auto* account = bank->add_subcommand("account", "Bank accounts of a company");
  account->require_subcommand(1);

  auto args = std::make_shared<BankAccountArgs>();
  auto* create = account->add_subcommand("create", "Register a bank account (prints its id)");
  create->add_option("--company", args->company, "Company id")->required();
  create->add_option("--name", args->name, "Name shown to users (default: the bank)");
  create->add_option("--bank", args->bank, "Bank (default: from the CLABE)");
  create->add_option("--clabe", args->clabe, "CLABE (18 digits)");
  create->add_option("--number", args->number, "Account number or IBAN as statements write it");
  create->add_option("--currency", args->currency, "ISO 4217 (default MXN)");
  ctx.AddDatabaseUrlFlag(create);
  create->callback([&ctx, args] { ctx.Run([&](const Config& config) { return CreateBankAccount(config, *args); }); });
}

}  // namespace vertice::app::cli
