// tillit import FILE: a scanner report into findings (services/findings.h), as the local
// operator. The file is streamed, never read whole; "-" reads standard input.
#include <fstream>

#include "commands.h"
#include "tillit/ingest/parse.h"
#include "tillit/services/findings.h"

namespace tillit::cli {
namespace {

struct ImportArgs {
  std::string file, data_dir, format, asset, scope;
};

Status check_format(const std::string& format) {
  if (format.empty()) return {};
  std::string names;
  for (const auto& f : ingest::supported_formats()) {
    if (f.name == format) return {};
    names += (names.empty() ? "" : ", ") + std::string(f.name);
  }
  return make_error(ErrorCode::invalid_argument, "--format: unknown format '" + format + "'; use one of " + names +
                                                     " (or leave it out to detect the format)");
}

int run_import(const ImportArgs& a) {
  if (auto s = check_format(a.format); !s) return report_usage(s.error());
  std::ifstream file;
  std::istream* in = &std::cin;
  if (a.file != "-") {
    file.open(a.file, std::ios::binary);
    if (!file) return report(make_error(ErrorCode::not_found, "cannot read " + a.file + "; check the path"));
    in = &file;
  }
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  ingest::StreamSource source(*in);
  auto r = services::FindingService(**inst).import(services::local_operator(), source, {a.format, a.asset, a.scope});
  if (!r) return report(r.error());
  const auto& i = r->record;
  std::cout << "imported " << a.file << " (" << i.tool << (i.tool_version.empty() ? "" : " " + i.tool_version) << ", "
            << i.format << ") into scope " << i.scope << " as import " << i.id << "\n"
            << i.findings << " findings: " << i.new_count << " new, " << i.unchanged_count << " unchanged, "
            << i.closed_count << " closed, " << i.reopened_count << " reopened";
  if (r->duplicates) std::cout << " (" << r->duplicates << " duplicates merged)";
  std::cout << "\nSHA-256 " << i.file_sha256 << "\n";
  return 0;
}

}  // namespace

void add_import_command(CLI::App& app, Runner& run) {
  auto args = std::make_shared<ImportArgs>();
  auto* cmd = app.add_subcommand("import", "Import a scanner report (Trivy, Grype, SARIF, OpenVAS, Nessus, OSV, "
                                           "CycloneDX) into vulnerability findings");
  cmd->add_option("FILE", args->file, "The report; - reads standard input")->required();
  cmd->add_option("--data", args->data_dir, "Data directory")->required();
  cmd->add_option("--format", args->format,
                  "trivy, grype, sarif, openvas, nessus, osv, cyclonedx-json or cyclonedx-xml (default: detected)");
  cmd->add_option("--asset", args->asset, "The asset every finding is about (a report about one system)");
  cmd->add_option("--scope", args->scope,
                  "What the scan covers; re-importing a scope closes findings it no longer reports "
                  "(default: TOOL:ASSET; needed for reports about several assets)");
  cmd->callback([args, &run] { run = [args] { return run_import(*args); }; });
}

}  // namespace tillit::cli
