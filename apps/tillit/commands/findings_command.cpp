// tillit findings: list, show and move vulnerability findings through the workflow, and list
// imports, as the local operator. The rules are the service's (services/findings.h).
#include <iomanip>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tillit/core/cvss.h"
#include "tillit/render/csv.h"
#include "tillit/services/findings.h"

namespace tillit::cli {
namespace {

using nlohmann::json;
using services::FindingService;

struct ListArgs {
  std::string data_dir, asset, scope, format = "table";
  std::vector<std::string> statuses, severities;
  bool overdue = false;
};

std::string score_text(const services::FindingView& f) {
  return f.record.highest_score ? format_cvss_tenths(static_cast<int>(*f.record.highest_score)) : "-";
}

std::string day(const std::string& rfc3339) { return rfc3339.empty() ? "-" : rfc3339.substr(0, 10); }

int run_list(const ListArgs& a) {
  if (a.format != "table" && a.format != "json" && a.format != "csv")
    return report_usage(make_error(ErrorCode::invalid_argument, "--format must be table, json or csv"));
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  services::FindingQuery q;
  q.statuses = a.statuses;
  q.severities = a.severities;
  q.asset = a.asset;
  q.scope = a.scope;
  q.overdue = a.overdue;
  q.per_page = 0;
  auto list = FindingService(**inst).list(services::local_operator(), q);
  if (!list) return list.error().code == ErrorCode::invalid_argument ? report_usage(list.error()) : report(list.error());
  if (a.format == "json") {
    json out = json::array();
    for (const auto& f : *list) out.push_back(services::to_json(f, false));
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return 0;
  }
  if (a.format == "csv") {
    render::CsvWriter csv(std::cout);
    const std::vector<std::string> header = {"id",        "fingerprint", "identifiers", "score",    "severity",
                                             "status",    "known_at",    "due_at",      "overdue",  "asset",
                                             "component", "version",     "fix_version", "location", "title"};
    if (auto s = csv.write_row(header); !s) return report(s.error());
    for (const auto& f : *list) {
      const auto& r = f.record;
      std::string ids;
      for (const auto& i : json::parse(r.identifiers, nullptr, false)) ids += (ids.empty() ? "" : " ") + i.get<std::string>();
      const std::vector<std::string> row = {std::to_string(r.id), r.fingerprint, ids, r.highest_score ? score_text(f) : "",
                                            r.severity, r.status, r.known_at, r.due_at, f.overdue ? "yes" : "no",
                                            r.asset, r.component, r.component_version, r.fix_version, r.location, r.title};
      if (auto s = csv.write_row(row); !s) return report(s.error());
    }
    return 0;
  }
  std::cout << std::left << std::setw(7) << "ID" << std::setw(20) << "IDENTIFIER" << std::setw(6) << "SCORE"
            << std::setw(10) << "SEVERITY" << std::setw(15) << "STATUS" << std::setw(12) << "KNOWN" << std::setw(13)
            << "DUE" << std::setw(24) << "COMPONENT" << "ASSET\n";
  for (const auto& f : *list) {
    const auto& r = f.record;
    std::cout << std::setw(7) << r.id << std::setw(20) << (r.vulnerability_id.empty() ? r.title.substr(0, 19) : r.vulnerability_id)
              << std::setw(6) << score_text(f) << std::setw(10) << r.severity << std::setw(15) << r.status << std::setw(12)
              << day(r.known_at) << std::setw(13) << (day(r.due_at) + (f.overdue ? "!" : "")) << std::setw(24)
              << r.component.substr(0, 23) << r.asset << "\n";
  }
  std::cout << list->size() << " findings\n";
  return 0;
}

struct StatusArgs {
  std::string data_dir;
  std::int64_t id = 0;
  services::StatusChange change;
};

int print_finding(const services::FindingView& f) {
  std::cout << services::to_json(f, true).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace

void add_findings_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("findings", "Vulnerability findings: list, show, status, known-date, expire, imports");
  cmd->require_subcommand(1);

  auto list = std::make_shared<ListArgs>();
  auto* ls = cmd->add_subcommand("list", "List findings, most urgent first");
  ls->add_option("--data", list->data_dir, "Data directory")->required();
  ls->add_option("--status", list->statuses, "open, in_progress, mitigated, fixed, risk_accepted, false_positive (repeatable)");
  ls->add_option("--severity", list->severities, "critical, high, medium, low, none, unknown (repeatable)");
  ls->add_flag("--overdue", list->overdue, "Only findings still open past their deadline");
  ls->add_option("--asset", list->asset, "Only this asset");
  ls->add_option("--scope", list->scope, "Only this scope");
  ls->add_option("--format", list->format, "table (default), json or csv");
  ls->callback([list, &run] { run = [list] { return run_list(*list); }; });

  auto data_dir = std::make_shared<std::string>();
  auto id = std::make_shared<std::int64_t>(0);
  auto* show = cmd->add_subcommand("show", "One finding with its CVSS vectors and history, as JSON");
  show->add_option("ID", *id, "Finding id")->required();
  show->add_option("--data", *data_dir, "Data directory")->required();
  show->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto f = FindingService(**inst).get(services::local_operator(), *id);
      return f ? print_finding(*f) : report(f.error());
    };
  });

  auto st = std::make_shared<StatusArgs>();
  auto* status = cmd->add_subcommand("status", "Move a finding through the workflow");
  status->add_option("ID", st->id, "Finding id")->required();
  status->add_option("--data", st->data_dir, "Data directory")->required();
  status->add_option("--to", st->change.status,
                     "open, in_progress, mitigated, fixed, risk_accepted or false_positive")->required();
  status->add_option("--reason", st->change.reason, "Why: the evidence, the mitigation, the justification")->required();
  status->add_option("--kind", st->change.mitigation_kind,
                     "For mitigated: disable_service, security_controls, monitoring or awareness");
  status->add_option("--requested-by", st->change.requested_by, "For an acceptance: who asked for it");
  status->add_option("--until", st->change.until, "For an acceptance: when it expires (RFC 3339)");
  status->callback([st, &run] {
    run = [st] {
      auto inst = open_installation(st->data_dir);
      if (!inst) return report(inst.error());
      auto f = FindingService(**inst).change_status(services::local_operator(), st->id, st->change);
      return f ? print_finding(*f) : report(f.error());
    };
  });

  auto known = std::make_shared<std::pair<std::string, std::string>>();
  auto* kd = cmd->add_subcommand("known-date", "Change the date the vulnerability became known (moves the deadline)");
  kd->add_option("ID", *id, "Finding id")->required();
  kd->add_option("--data", *data_dir, "Data directory")->required();
  kd->add_option("--at", known->first, "The date (RFC 3339 or YYYY-MM-DD)")->required();
  kd->add_option("--reason", known->second, "Why the date differs from the first scan")->required();
  kd->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto f = FindingService(**inst).set_known_at(services::local_operator(), *id, known->first, known->second);
      return f ? print_finding(*f) : report(f.error());
    };
  });

  auto* expire = cmd->add_subcommand("expire", "Reopen accepted risks and false positives whose acceptance expired");
  expire->add_option("--data", *data_dir, "Data directory")->required();
  expire->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto n = FindingService(**inst).reopen_expired(services::local_operator());
      if (!n) return report(n.error());
      std::cout << *n << " findings reopened\n";
      return 0;
    };
  });

  auto* imports = cmd->add_subcommand("imports", "The latest scanner imports with their counts, as JSON");
  imports->add_option("--data", *data_dir, "Data directory")->required();
  imports->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto list = FindingService(**inst).imports(services::local_operator(), 1, 100, nullptr);
      if (!list) return report(list.error());
      json out = json::array();
      for (const auto& i : *list) out.push_back(services::to_json(i));
      std::cout << out.dump(2) << "\n";
      return 0;
    };
  });
}

}  // namespace tillit::cli
