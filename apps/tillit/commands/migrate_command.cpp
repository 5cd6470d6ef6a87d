#include "commands.h"
#include "tillit/services/move_database.h"

namespace tillit::cli {

void add_migrate_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("migrate", "Move an installation from SQLite to PostgreSQL, verified");
  auto from = std::make_shared<std::string>();
  auto url = std::make_shared<std::string>();
  cmd->add_option("--from-sqlite", *from, "Data directory of the SQLite installation")->required();
  cmd->add_option("--database", *url, "PostgreSQL URL of an empty database (no password in it; use ~/.pgpass)")->required();
  cmd->footer(
      "Copies every record and the audit chain, checks row counts and verifies the chain on the target, then points "
      "the data directory's configuration at PostgreSQL. On failure the target is emptied and nothing else changes. "
      "Stop 'tillit serve' first.");
  cmd->callback([=, &run] {
    run = [=] {
      auto config = services::load_config(*from, environment);
      if (!config) return report(config.error());
      auto moved = services::move_to_postgresql(*config, *url);
      if (!moved) return report(moved.error());
      std::cout << "Moved to PostgreSQL and verified:\n";
      for (const auto& [table, count] : moved->rows) std::cout << "  " << table << ": " << count << " rows\n";
      std::cout << "  audit chain: " << moved->audit_events << " events, head " << moved->audit_head << "\n"
                << "The data directory now uses " << *url << "; the SQLite file is kept unchanged as a backup.\n";
      return 0;
    };
  });
}

}  // namespace tillit::cli
