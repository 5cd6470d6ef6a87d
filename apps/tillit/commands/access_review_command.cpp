// tillit access-review / tillit report: access-review campaigns (annex req. 54) and the
// privileged-roles report (req. 24, 40) from the server's shell. The CLI acts as the local
// operator, audited as "cli"; the rules are the services' (services/access_reviews.h).
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tillit/services/access_reviews.h"
#include "tillit/services/identity_reports.h"

namespace tillit::cli {
namespace {

using services::AccessReviewService;

Runner with_installation(std::shared_ptr<std::string> data_dir, std::function<int(services::Installation&)> body) {
  return [data_dir, body = std::move(body)] {
    auto inst = open_installation(*data_dir);
    if (!inst) return report(inst.error());
    return body(**inst);
  };
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

void print_review(const services::AccessReviewView& r) {
  std::cout << "access review " << r.id << ": " << r.title << "\n"
            << "started " << r.created_at << " by " << r.created_by_name << "\n";
  if (r.closed()) std::cout << "closed " << r.closed_at << " by " << r.closed_by_name << "\n";
  std::cout << r.decided << " of " << r.accounts << " decided (" << r.kept << " kept, " << r.revoked << " revoked), "
            << r.unused << " unused\n";
  for (const auto& i : r.items) {
    std::string roles;
    for (const auto& role : i.roles) roles += (roles.empty() ? "" : ",") + role;
    std::cout << std::left << std::setw(24) << i.username << std::setw(10) << i.kind << std::setw(34) << or_dash(roles)
              << std::setw(26) << (i.last_login_at.empty() ? "never signed in" : i.last_login_at) << std::setw(8)
              << (i.unused ? "UNUSED" : "") << std::setw(8) << or_dash(i.decision)
              << (i.decided_by_name.empty() ? "" : i.decided_by_name + " " + i.decided_at) << "\n";
  }
}

// Writes a report to FILE (readable by the owner only: it names people), or to stdout.
int write_out(const services::ReportFile& f, const std::string& out) {
  if (out.empty() || out == "-") {
    std::cout << f.content;
    return 0;
  }
  {
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    if (!file || !file.write(f.content.data(), static_cast<std::streamsize>(f.content.size())))
      return report(make_error(ErrorCode::unavailable, "cannot write " + out + "; check the directory and free space"));
  }
  std::error_code ec;
  std::filesystem::permissions(out, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  std::cerr << "wrote " << out;
  if (!f.csv_sha256.empty()) std::cerr << " (SHA-256 of the CSV: " << f.csv_sha256 << ")";
  std::cerr << "\n";
  return 0;
}

}  // namespace

void add_access_review_command(CLI::App& app, Runner& run) {
  auto* cmd =
      app.add_subcommand("access-review", "Access reviews (annex req. 54): start, list, show, decide, close, report");
  cmd->require_subcommand(1);
  auto data_dir = std::make_shared<std::string>();
  auto id = std::make_shared<std::int64_t>(0);
  auto as_json = std::make_shared<bool>(false);

  auto title = std::make_shared<std::string>();
  auto* start = cmd->add_subcommand("start", "Start a campaign: a snapshot of every account, unused ones flagged");
  start->add_option("--data", *data_dir, "Data directory")->required();
  start->add_option("--title", *title, "The campaign's title, e.g. \"Behörighetsgranskning 2026 Q4\"")->required();
  start->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto r = AccessReviewService(inst).start(services::local_operator(), *title);
      if (!r) return report(r.error());
      print_review(*r);
      return 0;
    });
  });

  auto* list = cmd->add_subcommand("list", "Every campaign, newest first");
  list->add_option("--data", *data_dir, "Data directory")->required();
  list->add_flag("--json", *as_json, "Print JSON");
  list->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto all = AccessReviewService(inst).list(services::local_operator());
      if (!all) return report(all.error());
      if (*as_json) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& r : *all) items.push_back(services::to_json(r, false));
        std::cout << items.dump(2) << "\n";
        return 0;
      }
      for (const auto& r : *all)
        std::cout << std::left << std::setw(6) << r.id << std::setw(8) << (r.closed() ? "closed" : "open")
                  << std::setw(12) << (std::to_string(r.decided) + "/" + std::to_string(r.accounts)) << r.created_at
                  << "  " << r.title << "\n";
      return 0;
    });
  });

  auto* show = cmd->add_subcommand("show", "One campaign with every account and decision");
  show->add_option("id", *id, "Campaign id")->required();
  show->add_option("--data", *data_dir, "Data directory")->required();
  show->add_flag("--json", *as_json, "Print JSON");
  show->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto r = AccessReviewService(inst).show(services::local_operator(), *id);
      if (!r) return report(r.error());
      if (*as_json)
        std::cout << services::to_json(*r, true).dump(2) << "\n";
      else
        print_review(*r);
      return 0;
    });
  });

  auto username = std::make_shared<std::string>();
  auto decision = std::make_shared<std::string>();
  auto note = std::make_shared<std::string>();
  auto* decide = cmd->add_subcommand("decide", "Keep or revoke one account's access (revoke deactivates it at once)");
  decide->add_option("id", *id, "Campaign id")->required();
  decide->add_option("username", *username, "The account")->required();
  decide->add_option("--data", *data_dir, "Data directory")->required();
  decide->add_option("--decision", *decision, "keep or revoke")->required()->check(CLI::IsMember({"keep", "revoke"}));
  decide->add_option("--note", *note, "Why (required to revoke)");
  decide->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto i = AccessReviewService(inst).decide(services::local_operator(), *id, *username, *decision, *note);
      if (!i) return report(i.error());
      std::cout << i->username << ": " << i->decision
                << (i->decision == "revoke" ? " (account deactivated, sessions ended)" : "") << "\n";
      return 0;
    });
  });

  auto* close = cmd->add_subcommand("close", "Close a campaign once every account is decided");
  close->add_option("id", *id, "Campaign id")->required();
  close->add_option("--data", *data_dir, "Data directory")->required();
  close->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto r = AccessReviewService(inst).close(services::local_operator(), *id);
      if (!r) return report(r.error());
      std::cout << "access review " << r->id << " closed: " << r->kept << " kept, " << r->revoked << " revoked\n";
      return 0;
    });
  });

  auto format = std::make_shared<std::string>("pdf");
  auto out = std::make_shared<std::string>();
  auto lang = std::make_shared<std::string>("sv");
  auto* rep = cmd->add_subcommand("report", "The campaign's report, the evidence for the customer (CSV or PDF)");
  rep->add_option("id", *id, "Campaign id")->required();
  rep->add_option("--data", *data_dir, "Data directory")->required();
  rep->add_option("--format", *format, "csv or pdf (default pdf)")->check(CLI::IsMember({"csv", "pdf"}));
  rep->add_option("--out", *out, "File to write (default: standard output)");
  rep->add_option("--lang", *lang, "sv or en (default sv)")->check(CLI::IsMember({"sv", "en"}));
  rep->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto f = services::report_format_from_string(*format, false);
      if (!f) return report_usage(f.error());
      auto file = AccessReviewService(inst).report(services::local_operator(), *id, *f, *lang);
      if (!file) return report(file.error());
      return write_out(*file, *out);
    });
  });
}

void add_report_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("report", "Identity reports for the customer (annex req. 24, 40)");
  cmd->require_subcommand(1);
  auto data_dir = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("json");
  auto out = std::make_shared<std::string>();
  auto lang = std::make_shared<std::string>("sv");
  auto* roles = cmd->add_subcommand(
      "privileged-roles", "Who held a privileged role in a period, every change, who requested and approved it");
  roles->add_option("--data", *data_dir, "Data directory")->required();
  roles->add_option("--from", *from, "First day of the period (YYYY-MM-DD)")->required();
  roles->add_option("--to", *to, "Last day of the period (YYYY-MM-DD), included")->required();
  roles->add_option("--format", *format, "json, csv or pdf (default json)")
      ->check(CLI::IsMember({"json", "csv", "pdf"}));
  roles->add_option("--out", *out, "File to write (default: standard output)");
  roles->add_option("--lang", *lang, "sv or en (default sv)")->check(CLI::IsMember({"sv", "en"}));
  roles->callback([=, &run] {
    run = with_installation(data_dir, [=](services::Installation& inst) {
      auto f = services::report_format_from_string(*format, true);
      if (!f) return report_usage(f.error());
      auto file = services::IdentityReportService(inst).privileged_roles_file(services::local_operator(), *from, *to,
                                                                              *f, *lang);
      if (!file)
        return file.error().code == ErrorCode::invalid_argument ? report_usage(file.error()) : report(file.error());
      return write_out(*file, *out);
    });
  });
}

}  // namespace tillit::cli
