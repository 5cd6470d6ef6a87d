#include <iomanip>

#include "commands.h"
#include "tillit/services/jobs.h"
#include "tillit/store/repositories.h"

namespace tillit::cli {

void add_jobs_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("jobs", "Scheduled jobs (audit checkpoints, integrity checks): list runs, run due jobs");
  cmd->require_subcommand(1);
  auto data_dir = std::make_shared<std::string>();

  auto* list = cmd->add_subcommand("list", "Show the most recent job runs and which instance ran them");
  list->add_option("--data", *data_dir, "Data directory")->required();
  list->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto tx = (*inst)->db().begin(store::Access::read);
      if (!tx) return report(tx.error());
      auto runs = store::recent_job_runs(**tx, 50);
      if (!runs) return report(runs.error());
      for (const auto& r : *runs)
        std::cout << std::left << std::setw(18) << r.job << std::setw(26) << r.slot << std::setw(10)
                  << (r.finished_at.empty() ? "running" : r.outcome) << r.holder << "\n";
      return 0;
    };
  });

  auto* run_due = cmd->add_subcommand("run", "Run now every job whose current period has not run yet (once across instances)");
  run_due->add_option("--data", *data_dir, "Data directory")->required();
  run_due->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      bool failed = false;
      for (const auto& r : services::run_due_jobs(**inst, services::builtin_jobs(), services::instance_name(),
                                                  services::now_utc())) {
        std::cout << r.job << " " << r.slot << ": " << (r.ran ? r.outcome : "already run for this period") << "\n";
        failed = failed || (r.ran && r.outcome != "ok");
      }
      return failed ? 1 : 0;
    };
  });
}

}  // namespace tillit::cli
