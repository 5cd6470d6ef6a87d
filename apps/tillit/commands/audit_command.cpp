#include <fstream>

#include "commands.h"
#include "tillit/services/audit_service.h"

namespace tillit::cli {
namespace {

// Offline verification of an export file: needs only the file and the expected fingerprint;
// with --data the chain's HMACs are recomputed too.
int verify_file(const std::string& file, const std::string& fingerprint, const std::string& data_dir) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return report(make_error(ErrorCode::unavailable, "cannot read '" + file + "'"));
  std::unique_ptr<services::Installation> inst;
  if (!data_dir.empty()) {
    auto opened = open_installation(data_dir);
    if (!opened) return report(opened.error());
    inst = std::move(*opened);
  }
  auto summary = audit::verify_export(in, fingerprint, inst ? &inst->chain() : nullptr);
  if (!summary) {
    std::cout << "FAILED: " << file << ": " << summary.error().message << "\n";
    return 1;
  }
  std::cout << "OK: " << summary->events << " events";
  if (summary->events) std::cout << " (" << summary->first_seq << "-" << summary->last_seq << ")";
  std::cout << ", " << summary->checkpoints << " signed checkpoints, head " << summary->head_hash << "\n"
            << "Signed by " << summary->key_fingerprint << (inst ? "; chain HMACs recomputed" : "") << "\n";
  return 0;
}

}  // namespace

void add_audit_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("audit", "Verify, export and checkpoint the tamper-evident audit log");
  cmd->require_subcommand(1);
  auto data_dir = std::make_shared<std::string>();

  auto file = std::make_shared<std::string>();
  auto fingerprint = std::make_shared<std::string>();
  auto* verify = cmd->add_subcommand("verify", "Check the audit chain (exit 0 intact, 1 broken)");
  verify->add_option("--data", *data_dir, "Data directory: verify the log in its database");
  auto* file_opt = verify->add_option("--file", *file, "Verify an export file instead (offline, no data directory needed)");
  verify->add_option("--key-fingerprint", *fingerprint, "With --file: the expected signing key fingerprint (SHA256:...)")
      ->needs(file_opt);
  file_opt->needs("--key-fingerprint");
  verify->callback([=, &run] {
    run = [=] {
      if (!file->empty()) return verify_file(*file, *fingerprint, *data_dir);
      if (data_dir->empty())
        return report_usage(make_error(ErrorCode::invalid_argument, "give --data DIR, or --file F --key-fingerprint FP"));
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto result = services::verify_audit_log(**inst, services::local_operator());
      if (!result) return report(result.error());
      if (!result->intact) {
        std::cout << "FAILED: audit log broken at " << result->failure << "\n"
                  << result->events << " events before it are intact.\n";
        return 1;
      }
      std::cout << "OK: " << result->events << " events, head " << result->head_hash << "\n";
      return 0;
    };
  });

  auto since = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto* exp = cmd->add_subcommand("export", "Write a signed JSON Lines export the customer can verify offline");
  exp->add_option("--data", *data_dir, "Data directory")->required();
  exp->add_option("--since", *since, "Only events at or after this time (RFC 3339 or a date)");
  exp->add_option("--output,-o", *output, "File to write (default: standard output)");
  exp->callback([=, &run] {
    run = [=] {
      std::optional<Timestamp> from;
      if (!since->empty()) {
        auto parsed = parse_rfc3339(*since);
        if (!parsed) return report_usage(parsed.error());
        from = *parsed;
      }
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      std::ofstream file_out;
      if (!output->empty()) {
        file_out.open(*output, std::ios::binary | std::ios::trunc);
        if (!file_out) return report(make_error(ErrorCode::unavailable, "cannot write '" + *output + "'"));
      }
      std::ostream& out = output->empty() ? std::cout : file_out;
      auto summary = services::export_audit_log(**inst, services::local_operator(), out, from);
      if (!summary) return report(summary.error());
      std::cerr << "Exported " << summary->events << " events and " << summary->checkpoints
                << " checkpoints, signed by " << summary->key_fingerprint << "\n";
      return 0;
    };
  });

  auto* checkpoint = cmd->add_subcommand("checkpoint", "Sign and store a checkpoint of the current head");
  checkpoint->add_option("--data", *data_dir, "Data directory")->required();
  checkpoint->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto c = services::make_checkpoint(**inst, services::local_operator());
      if (!c) return report(c.error());
      if (!*c) {
        std::cout << "The audit log is empty; nothing to checkpoint.\n";
        return 0;
      }
      std::cout << "Checkpoint at event " << (*c)->seq << ", hash " << (*c)->hash << "\n";
      return 0;
    };
  });
}

}  // namespace tillit::cli
