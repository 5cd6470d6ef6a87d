// tillit duties: list, show, add, set and complete recurring duties, and queue the owners'
// reminders, as the local operator.
// The rules are the service's (services/duties.h).
#include <iomanip>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tillit/services/duties.h"

namespace tillit::cli {
namespace {

using nlohmann::json;
using services::DutiesService;

struct ListArgs {
  std::string data_dir, owner, requirement, format = "table";
  bool overdue = false, due_soon = false, all = false;
};

// Options of add and set: only those given are passed on (set changes only those).
struct DutyArgs {
  std::string data_dir;
  std::int64_t id = 0;
  std::optional<std::string> title, title_en, description, requirement, owner, interval_unit, first_due;
  std::optional<long long> interval_count;
  bool retire = false, reactivate = false;
};

int print_duty(const services::DutyView& d) {
  std::cout << services::to_json(d, true).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}

int fail(const Error& e) { return e.code == ErrorCode::invalid_argument ? report_usage(e) : report(e); }

int run_list(const ListArgs& a) {
  if (a.format != "table" && a.format != "json")
    return report_usage(make_error(ErrorCode::invalid_argument, "--format must be table or json"));
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  services::DutyQuery q;
  q.owner = a.owner;
  q.requirement = a.requirement;
  q.overdue = a.overdue;
  q.due_soon = a.due_soon;
  q.include_inactive = a.all;
  auto list = DutiesService(**inst).list(services::local_operator(), q);
  if (!list) return fail(list.error());
  if (a.format == "json") {
    json out = json::array();
    for (const auto& d : *list) out.push_back(services::to_json(d, false));
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(6) << "ID" << std::setw(12) << "NEXT DUE" << std::setw(10) << "STATE" << std::setw(12)
            << "INTERVAL" << std::setw(12) << "REQUIREMENT" << std::setw(14) << "OWNER" << "TITLE\n";
  for (const auto& v : *list) {
    const auto& d = v.record;
    std::cout << std::setw(6) << d.id << std::setw(12) << d.next_due << std::setw(10)
              << (d.active ? to_string(v.state) : "inactive") << std::setw(12)
              << (std::to_string(d.interval_count) + " " + d.interval_unit) << std::setw(12)
              << (d.requirement.empty() ? "-" : d.requirement.substr(d.requirement.find(':') + 1)) << std::setw(14)
              << (d.owner_username.empty() ? "-" : d.owner_username) << d.title << "\n";
  }
  std::cout << list->size() << " duties\n";
  return 0;
}

services::DutyInput input_of(const DutyArgs& a) {
  services::DutyInput in;
  in.title = a.title;
  in.title_en = a.title_en;
  in.description = a.description;
  in.requirement = a.requirement;
  in.owner = a.owner;
  in.interval_unit = a.interval_unit;
  in.first_due = a.first_due;
  in.interval_count = a.interval_count;
  if (a.retire) in.active = false;
  if (a.reactivate) in.active = true;
  return in;
}

void duty_options(CLI::App* cmd, DutyArgs& a) {
  cmd->add_option("--data", a.data_dir, "Data directory")->required();
  cmd->add_option("--title", a.title, "What must be done (Swedish, or the only language)");
  cmd->add_option("--title-en", a.title_en, "The title in English");
  cmd->add_option("--description", a.description, "Details: scope, how, where the evidence goes");
  cmd->add_option("--requirement", a.requirement, "The requirement it fulfils: CATALOG:ID or an annex id (K22); '' for none");
  cmd->add_option("--owner", a.owner, "The user name of the person responsible; '' for none");
  cmd->add_option("--every", a.interval_count, "How many units between two times (1-1000)");
  cmd->add_option("--unit", a.interval_unit, "days, weeks, months or years");
  cmd->add_option("--first-due", a.first_due, "When it is due if never done (YYYY-MM-DD)");
}

}  // namespace

void add_duties_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("duties", "Recurring duties: list, show, add, set, complete, remind");
  cmd->require_subcommand(1);

  auto list = std::make_shared<ListArgs>();
  auto* ls = cmd->add_subcommand("list", "List active duties, soonest due first");
  ls->add_option("--data", list->data_dir, "Data directory")->required();
  ls->add_option("--owner", list->owner, "Only duties of this user");
  ls->add_option("--requirement", list->requirement, "Only duties of this requirement (CATALOG:ID)");
  ls->add_flag("--overdue", list->overdue, "Only overdue duties");
  ls->add_flag("--due-soon", list->due_soon, "Only duties due within 14 days (overdue included)");
  ls->add_flag("--all", list->all, "Retired duties as well");
  ls->add_option("--format", list->format, "table (default) or json");
  ls->callback([list, &run] { run = [list] { return run_list(*list); }; });

  auto data_dir = std::make_shared<std::string>();
  auto id = std::make_shared<std::int64_t>(0);
  auto* show = cmd->add_subcommand("show", "One duty with its completions, as JSON");
  show->add_option("ID", *id, "Duty id")->required();
  show->add_option("--data", *data_dir, "Data directory")->required();
  show->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto d = DutiesService(**inst).get(services::local_operator(), *id);
      return d ? print_duty(*d) : report(d.error());
    };
  });

  auto add = std::make_shared<DutyArgs>();
  auto* create = cmd->add_subcommand("add", "Add a duty of your own");
  duty_options(create, *add);
  create->callback([add, &run] {
    run = [add] {
      auto inst = open_installation(add->data_dir);
      if (!inst) return report(inst.error());
      auto d = DutiesService(**inst).create(services::local_operator(), input_of(*add));
      return d ? print_duty(*d) : fail(d.error());
    };
  });

  auto set = std::make_shared<DutyArgs>();
  auto* change = cmd->add_subcommand("set", "Change a duty: only the options given change");
  change->add_option("ID", set->id, "Duty id")->required();
  duty_options(change, *set);
  auto* retire = change->add_flag("--retire", set->retire, "Retire the duty (its history stays)");
  change->add_flag("--reactivate", set->reactivate, "Make a retired duty active again")->excludes(retire);
  change->callback([set, &run] {
    run = [set] {
      auto inst = open_installation(set->data_dir);
      if (!inst) return report(inst.error());
      auto d = DutiesService(**inst).update(services::local_operator(), set->id, input_of(*set));
      return d ? print_duty(*d) : fail(d.error());
    };
  });

  auto done = std::make_shared<services::CompletionInput>();
  auto evidence = std::make_shared<std::optional<std::int64_t>>();
  auto* complete = cmd->add_subcommand("complete", "Record that a duty was done (moves its next due date)");
  complete->add_option("ID", *id, "Duty id")->required();
  complete->add_option("--data", *data_dir, "Data directory")->required();
  complete->add_option("--on", done->completed_on, "The day it was done (YYYY-MM-DD)")->required();
  complete->add_option("--note", done->note, "What was done")->required();
  complete->add_option("--evidence", *evidence, "The id of the evidence that shows it");
  complete->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto in = *done;
      in.evidence_id = *evidence;
      auto d = DutiesService(**inst).complete(services::local_operator(), *id, in);
      return d ? print_duty(*d) : fail(d.error());
    };
  });

  auto* remind = cmd->add_subcommand("remind", "Queue the owners' e-mail reminders now (the hourly job does it too)");
  remind->add_option("--data", *data_dir, "Data directory")->required();
  remind->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto n = DutiesService(**inst).queue_reminders(services::local_operator());
      if (!n) return report(n.error());
      std::cout << *n << " reminder e-mails queued\n";
      return 0;
    };
  });
}

}  // namespace tillit::cli
