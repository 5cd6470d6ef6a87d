// tillit patches: record security updates per asset, update their dates, list them with
// their deadlines, and the patch-latency report, as the local operator. The rules are the
// service's (services/patches.h) and core's (core/patch_policy.h).
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tillit/services/patches.h"

namespace tillit::cli {
namespace {

using nlohmann::json;
using services::PatchService;

int fail(const Error& e) { return e.code == ErrorCode::invalid_argument ? report_usage(e) : report(e); }

void add_fields(CLI::App* cmd, services::PatchInput& in, bool required) {
  auto* asset = cmd->add_option("--asset", in.asset, "The asset the update is for");
  auto* product = cmd->add_option("--product", in.product, "The product updated (Windows Server 2022, OpenSSL)");
  auto* advisory = cmd->add_option("--advisory", in.advisory, "Advisory or KB id (DSA-5999-1, KB5066782)");
  auto* vendor = cmd->add_option("--vendor", in.vendor, "The vendor; Microsoft gets the Patch Tuesday rule");
  auto* severity = cmd->add_option("--severity", in.severity, "critical, high (important), medium (moderate), low");
  auto* released = cmd->add_option("--released", in.released_on, "The vendor's release date, YYYY-MM-DD");
  if (required)
    for (auto* o : {asset, product, advisory, vendor, severity, released}) o->required();
  cmd->add_option("--planned", in.planned_on, "Planned date, YYYY-MM-DD");
  cmd->add_option("--rollout-started", in.rollout_started_on, "The day the rollout started, YYYY-MM-DD");
  cmd->add_option("--applied", in.applied_on, "The day it was applied everywhere, YYYY-MM-DD");
  cmd->add_option("--change", in.change_ref, "The change request that carried it");
  cmd->add_option("--note", in.note, "Free text");
}

void print_one(const services::PatchView& p) {
  std::cout << services::to_json(p).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace

void add_patches_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("patches", "Security updates per asset: record, update, list, latency report");
  cmd->require_subcommand(1);
  auto data_dir = std::make_shared<std::string>();

  auto* add = cmd->add_subcommand("add", "Record a security update on an asset");
  auto add_in = std::make_shared<services::PatchInput>();
  add->add_option("--data", *data_dir, "Data directory")->required();
  add_fields(add, *add_in, true);
  add->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto p = PatchService(**inst).record(services::local_operator(), *add_in);
      if (!p) return fail(p.error());
      print_one(*p);
      return 0;
    };
  });

  auto* update = cmd->add_subcommand("update", "Change a record, e.g. --rollout-started or --applied");
  auto update_in = std::make_shared<services::PatchInput>();
  auto id = std::make_shared<std::int64_t>(0);
  update->add_option("--data", *data_dir, "Data directory")->required();
  update->add_option("id", *id, "The record's id")->required()->check(CLI::PositiveNumber);
  add_fields(update, *update_in, false);
  update->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto p = PatchService(**inst).update(services::local_operator(), *id, *update_in);
      if (!p) return fail(p.error());
      print_one(*p);
      return 0;
    };
  });

  auto* list = cmd->add_subcommand("list", "The records with their deadlines, newest release first (JSON)");
  auto filter = std::make_shared<store::PatchFilter>();
  auto late = std::make_shared<bool>(false);
  list->add_option("--data", *data_dir, "Data directory")->required();
  list->add_option("--asset", filter->asset, "Only this asset");
  list->add_option("--from", filter->released_from, "Released on or after, YYYY-MM-DD");
  list->add_option("--to", filter->released_to, "Released on or before, YYYY-MM-DD");
  list->add_flag("--late", *late, "Only those past a deadline");
  list->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto patches = PatchService(**inst).list(services::local_operator(), *filter, *late);
      if (!patches) return fail(patches.error());
      json out = json::array();
      for (const auto& p : *patches) out.push_back(services::to_json(p));
      std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
      return 0;
    };
  });

  auto* latency = cmd->add_subcommand("report", "Patch latency for the updates released in a period");
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("json");
  latency->add_option("--data", *data_dir, "Data directory")->required();
  latency->add_option("--from", *from, "First release date, YYYY-MM-DD")->required();
  latency->add_option("--to", *to, "Last release date, YYYY-MM-DD")->required();
  latency->add_option("--format", *format, "json or csv")->check(CLI::IsMember({"json", "csv"}));
  latency->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto r = PatchService(**inst).latency_report(services::local_operator(), *from, *to);
      if (!r) return fail(r.error());
      if (*format == "csv") std::cout << services::to_csv(*r);
      else std::cout << services::to_json(*r).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
      return 0;
    };
  });
}

}  // namespace tillit::cli
