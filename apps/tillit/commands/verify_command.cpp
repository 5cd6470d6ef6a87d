#include <fstream>

#include "commands.h"
#include "tillit/services/integrity.h"

namespace tillit::cli {

void add_verify_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("verify", "Check the installation's integrity: database and audit chain (exit 1 on "
                                           "any problem)");
  auto data_dir = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("--data", *data_dir, "Data directory")->required();
  cmd->add_option("--out", *out, "Also write the report, signed with the audit signing key (JSON), to this file");
  cmd->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto checked = services::check_integrity(**inst, services::local_operator());
      if (!checked) return report(checked.error());
      std::cout << services::integrity_report_text(*checked);
      if (!out->empty()) {
        std::ofstream file(*out, std::ios::binary | std::ios::trunc);
        file << services::signed_integrity_report(**inst, *checked);
        if (!file.flush()) return report(make_error(ErrorCode::unavailable, "cannot write '" + *out + "'"));
        std::cout << "Signed report written to " << *out << "\n";
      }
      return checked->ok() ? 0 : 1;
    };
  });
}

}  // namespace tillit::cli
