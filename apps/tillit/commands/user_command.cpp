// tillit user / token / approvals: account administration from the server's shell. The CLI
// acts as the local operator (whoever holds the data directory and its key file): it is the
// break-glass path when no second administrator exists, and every action is audited as "cli".
#include <iomanip>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tillit/services/accounts.h"
#include "tillit/services/sign_in.h"
#include "tillit/store/identity_repository.h"

namespace tillit::cli {
namespace {

using services::AccountService;

// Opens DATA_DIR and runs `body` with the installation; its result is the exit code.
Runner with_installation(std::shared_ptr<std::string> data_dir,
                         std::function<int(services::Installation&)> body) {
  return [data_dir, body = std::move(body)] {
    auto inst = open_installation(*data_dir);
    if (!inst) return report(inst.error());
    return body(**inst);
  };
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

int print_request(const Result<std::int64_t>& id, const std::string& done) {
  if (!id) return report(id.error());
  if (*id == 0)
    std::cout << done << "\n";
  else
    std::cout << "request " << *id << " opened; another administrator must approve it\n";
  return 0;
}

}  // namespace

void add_user_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("user", "Accounts: list, add, roles, setup codes, deactivate, delete");
  cmd->require_subcommand(1);
  auto data_dir = std::make_shared<std::string>();
  auto username = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);

  auto* list = cmd->add_subcommand("list", "Every account with kind, status, roles and last sign-in");
  list->add_option("--data", *data_dir, "Data directory")->required();
  list->add_flag("--json", *as_json, "Print JSON");
  list->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto all = AccountService(inst).list(services::local_operator());
      if (!all) return report(all.error());
      if (*as_json) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& a : *all)
          items.push_back({{"id", a.id}, {"username", a.username}, {"kind", a.kind}, {"status", a.status},
                           {"roles", a.roles}, {"mfa_enrolled", a.mfa_enrolled}, {"last_login_at", a.last_login_at}});
        std::cout << items.dump(2) << "\n";
        return 0;
      }
      for (const auto& a : *all)
        std::cout << std::left << std::setw(6) << a.id << std::setw(24) << a.username << std::setw(10) << a.kind
                  << std::setw(15) << a.status << std::setw(40) << joined(a.roles)
                  << (a.last_login_at.empty() ? "never signed in" : a.last_login_at) << "\n";
      return 0;
    });
  });

  auto display = std::make_shared<std::string>();
  auto email = std::make_shared<std::string>();
  auto kind = std::make_shared<std::string>("business");
  auto roles = std::make_shared<std::vector<std::string>>();
  auto* add = cmd->add_subcommand("add", "Create an account and print its one-time setup code (24 h)");
  add->add_option("username", *username, "User name (never reused)")->required();
  add->add_option("--data", *data_dir, "Data directory")->required();
  add->add_option("--name", *display, "Display name")->required();
  add->add_option("--email", *email, "E-mail address");
  add->add_option("--kind", *kind, "admin or business")->check(CLI::IsMember({"admin", "business"}));
  add->add_option("--role", *roles, "A role (repeatable): auditor, engineer, security_manager, "
                                    "data_protection_officer, admin");
  add->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      services::NewAccount n{*username, *display, *email, *kind, {}};
      for (const auto& r : *roles) {
        auto role = services::role_from_string(r);
        if (!role) return report_usage(make_error(ErrorCode::invalid_argument, "unknown role '" + r + "'"));
        n.roles.push_back(*role);
      }
      auto created = AccountService(inst).create(services::local_operator(), n, "created from the command line");
      if (!created) return report(created.error());
      std::cout << "created " << created->account.username << " (" << created->account.kind << ": "
                << joined(created->account.roles) << ")\n"
                << "setup code: " << created->setup_code << " (valid once, until " << created->setup_code_expires_at
                << ")\n";
      return 0;
    });
  });

  auto* code = cmd->add_subcommand("setup-code", "Issue a new one-time setup code (first sign-in or password reset)");
  code->add_option("username", *username, "User name")->required();
  code->add_option("--data", *data_dir, "Data directory")->required();
  code->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto c = AccountService(inst).issue_setup_code(services::local_operator(), *username);
      if (!c) return report(c.error());
      std::cout << "setup code: " << c->code << " (valid once, until " << c->expires_at << ")\n";
      return 0;
    });
  });

  auto role = std::make_shared<std::string>();
  for (const bool grant : {true, false}) {
    auto* sub = cmd->add_subcommand(grant ? "grant" : "revoke", grant ? "Grant a role" : "Remove a role");
    sub->add_option("username", *username, "User name")->required();
    sub->add_option("role", *role, "Role")->required();
    sub->add_option("--data", *data_dir, "Data directory")->required();
    sub->add_option("--reason", *reason, "Why (goes into the audit trail)")->required();
    sub->callback([=, &run] {
      run = with_installation(data_dir, [=](services::Installation& inst) {
        auto r = services::role_from_string(*role);
        if (!r) return report_usage(make_error(ErrorCode::invalid_argument, "unknown role '" + *role + "'"));
        AccountService accounts(inst);
        auto id = grant ? accounts.grant_role(services::local_operator(), *username, *r, *reason)
                        : accounts.remove_role(services::local_operator(), *username, *r, *reason);
        return print_request(id, grant ? "role granted" : "role removed");
      });
    });
  }

  auto* deactivate = cmd->add_subcommand("deactivate", "Deactivate an account at once (its sessions end)");
  deactivate->add_option("username", *username, "User name")->required();
  deactivate->add_option("--data", *data_dir, "Data directory")->required();
  deactivate->add_option("--reason", *reason, "Why")->required();
  deactivate->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      if (auto s = AccountService(inst).deactivate(services::local_operator(), *username, *reason); !s)
        return report(s.error());
      std::cout << *username << " deactivated\n";
      return 0;
    });
  });

  auto* remove = cmd->add_subcommand("delete", "Delete an account: personal data removed, id and name kept");
  remove->add_option("username", *username, "User name")->required();
  remove->add_option("--data", *data_dir, "Data directory")->required();
  remove->add_option("--reason", *reason, "Why")->required();
  remove->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      if (auto s = AccountService(inst).remove(services::local_operator(), *username, *reason); !s)
        return report(s.error());
      std::cout << *username << " deleted (tombstone kept)\n";
      return 0;
    });
  });

  auto issuer = std::make_shared<std::string>();
  auto subject = std::make_shared<std::string>();
  auto* link = cmd->add_subcommand("link", "Link a federated (eID) identity to an account");
  link->add_option("username", *username, "User name")->required();
  link->add_option("--data", *data_dir, "Data directory")->required();
  link->add_option("--issuer", *issuer, "The identity provider's issuer URL")->required();
  link->add_option("--subject", *subject, "The person's stable subject identifier at that provider")->required();
  link->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      if (auto s = AccountService(inst).link_federated(services::local_operator(), *username, *issuer, *subject); !s)
        return report(s.error());
      std::cout << *username << " linked to " << *issuer << "\n";
      return 0;
    });
  });
}

void add_token_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("token", "API tokens for automation (e.g. scanner imports from CI)");
  cmd->require_subcommand(1);
  auto data_dir = std::make_shared<std::string>();
  auto username = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto permissions = std::make_shared<std::vector<std::string>>();
  auto days = std::make_shared<int>(90);

  auto* create = cmd->add_subcommand("create", "Create a token for an account and print it once");
  create->add_option("--data", *data_dir, "Data directory")->required();
  create->add_option("--user", *username, "The account the token acts for")->required();
  create->add_option("--name", *name, "What the token is for")->required();
  create->add_option("--permission", *permissions, "A permission (repeatable), e.g. catalog_read")->required();
  create->add_option("--days", *days, "Lifetime in days (default 90)");
  create->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      std::vector<services::Permission> ps;
      for (const auto& p : *permissions) {
        auto parsed = services::permission_from_string(p);
        if (!parsed) return report_usage(make_error(ErrorCode::invalid_argument, "unknown permission '" + p + "'"));
        ps.push_back(*parsed);
      }
      auto tx = inst.db().begin(store::Access::read);
      if (!tx) return report(tx.error());
      auto user = store::find_user(**tx, *username);
      if (!user) return report(user.error());
      if (!*user) return report(make_error(ErrorCode::not_found, "no account named '" + *username + "'"));
      tx->reset();
      auto issued = services::SignInService(inst).create_token(services::local_operator(), (*user)->id, *name, ps,
                                                               std::chrono::days(*days));
      if (!issued) return report(issued.error());
      std::cout << issued->token << "\n";
      std::cerr << "token " << issued->id << " expires " << issued->expires_at << "; it is shown only now\n";
      return 0;
    });
  });

  auto id = std::make_shared<std::int64_t>(0);
  auto* revoke = cmd->add_subcommand("revoke", "Revoke a token at once");
  revoke->add_option("id", *id, "Token id")->required();
  revoke->add_option("--data", *data_dir, "Data directory")->required();
  revoke->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      if (auto s = services::SignInService(inst).revoke_token(services::local_operator(), *id); !s)
        return report(s.error());
      std::cout << "token " << *id << " revoked\n";
      return 0;
    });
  });
}

void add_approvals_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("approvals", "Four-eyes requests: list, approve, reject");
  cmd->require_subcommand(1);
  auto data_dir = std::make_shared<std::string>();
  auto status = std::make_shared<std::string>("pending");
  auto* list = cmd->add_subcommand("list", "List requests (default: pending)");
  list->add_option("--data", *data_dir, "Data directory")->required();
  list->add_option("--status", *status, "pending, approved, rejected or all");
  list->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto all = AccountService(inst).approvals(services::local_operator(), *status == "all" ? "" : *status);
      if (!all) return report(all.error());
      for (const auto& a : *all)
        std::cout << std::left << std::setw(6) << a.id << std::setw(10) << a.status << std::setw(50) << a.summary
                  << a.requested_by << " " << a.requested_at << "\n";
      return 0;
    });
  });
  auto id = std::make_shared<std::int64_t>(0);
  auto note = std::make_shared<std::string>();
  for (const bool approve : {true, false}) {
    auto* sub = cmd->add_subcommand(approve ? "approve" : "reject", approve ? "Approve a request" : "Reject a request");
    sub->add_option("id", *id, "Request id")->required();
    sub->add_option("--data", *data_dir, "Data directory")->required();
    sub->add_option("--note", *note, "A note for the record");
    sub->callback([=, &run] {
      run = with_installation(data_dir, [=](services::Installation& inst) {
        AccountService accounts(inst);
        auto s = approve ? accounts.approve(services::local_operator(), *id, *note)
                         : accounts.reject(services::local_operator(), *id, *note);
        if (!s) return report(s.error());
        std::cout << "request " << *id << (approve ? " approved" : " rejected") << "\n";
        return 0;
      });
    });
  }
}

}  // namespace tillit::cli
