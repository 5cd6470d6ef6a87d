// tillit: one executable, one data directory. See `tillit --help`.
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "commands/commands.h"
#include "tillit/core/version.h"

namespace tillit::cli {

std::optional<std::string> environment(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::optional<std::string>(v) : std::nullopt;
}

Result<std::unique_ptr<services::Installation>> open_installation(const std::string& data_dir) {
  auto config = services::load_config(data_dir, environment);
  if (!config) return config.error();
  return services::Installation::open(*config);
}

int report(const Error& error) {
  std::cerr << "tillit: " << error.message << "\n";
  return 1;
}

int report_usage(const Error& error) {
  std::cerr << "tillit: " << error.message << "\n";
  return 2;
}

}  // namespace tillit::cli

int main(int argc, char** argv) {
  CLI::App app{"Tillit: information security management system for running and proving a contract's security annex.",
               "tillit"};
  app.set_version_flag("--version", std::string("tillit ") + tillit::kVersion);
  app.require_subcommand(1);
  app.footer("Run 'tillit COMMAND --help' for a command's options.");

  tillit::cli::Runner run;
  tillit::cli::add_init_command(app, run);
  tillit::cli::add_serve_command(app, run);
  tillit::cli::add_catalog_command(app, run);
  tillit::cli::add_audit_command(app, run);
  tillit::cli::add_migrate_command(app, run);
  tillit::cli::add_jobs_command(app, run);
  tillit::cli::add_cvss_command(app, run);
  tillit::cli::add_user_command(app, run);
  tillit::cli::add_token_command(app, run);
  tillit::cli::add_approvals_command(app, run);
  tillit::cli::add_access_review_command(app, run);
  tillit::cli::add_report_command(app, run);
  tillit::cli::add_compliance_report_commands(app, run);  // after add_report_command: extends `report`
  tillit::cli::add_import_command(app, run);
  tillit::cli::add_findings_command(app, run);
  tillit::cli::add_patches_command(app, run);
  tillit::cli::add_duties_command(app, run);
  tillit::cli::add_assess_command(app, run);
  tillit::cli::add_evidence_command(app, run);
  tillit::cli::add_backup_command(app, run);
  tillit::cli::add_restore_command(app, run);
  tillit::cli::add_verify_command(app, run);
  tillit::cli::add_doctor_command(app, run);
  tillit::cli::add_mail_command(app, run);

  // CLI11 would call an unknown command a missing subcommand; say what was typed instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const auto* sub : app.get_subcommands({})) known = known || sub->get_name() == argv[1];
    if (!known) {
      std::cerr << "tillit: unknown command '" << argv[1] << "'; run 'tillit --help' for the list\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // unknown command or bad option
  }
  try {
    return run ? run() : 2;
  } catch (const std::exception& e) {
    std::cerr << "tillit: unexpected failure: " << e.what() << "\n";
    return 1;
  }
}
