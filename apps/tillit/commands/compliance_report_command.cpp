// tillit report compliance / tillit report soa: the compliance report for the customer and the
// Statement of Applicability, added to the `report` command (access_review_command.cpp
// creates it with the privileged-roles report). The CLI acts as the local operator; the
// rules, the single read and the audit event are the service's (services/compliance_report.h).
#include <filesystem>
#include <fstream>

#include "commands.h"
#include "tillit/services/compliance_report.h"

namespace tillit::cli {
namespace {

// FILE is readable by the owner only (reports name people); "-" or nothing is stdout.
int write_report(const services::ReportFile& f, const std::string& out) {
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
  std::cerr << "wrote " << out << "\n";
  return 0;
}

int result_of(const Result<services::ReportFile>& file, const std::string& out) {
  if (!file) return file.error().code == ErrorCode::invalid_argument ? report_usage(file.error()) : report(file.error());
  return write_report(*file, out);
}

}  // namespace

void add_compliance_report_commands(CLI::App& app, Runner& run) {
  auto* cmd = app.get_subcommand("report");
  cmd->description("Reports for the customer: compliance, Statement of Applicability, privileged roles");
  auto data_dir = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("pdf");
  auto out = std::make_shared<std::string>();
  auto lang = std::make_shared<std::string>("sv");

  auto* compliance = cmd->add_subcommand(
      "compliance", "Every annex requirement with status, evidence (SHA-256), deviations and duties for a period");
  compliance->add_option("--data", *data_dir, "Data directory")->required();
  compliance->add_option("--from", *from, "First day of the period (YYYY-MM-DD)")->required();
  compliance->add_option("--to", *to, "Last day of the period (YYYY-MM-DD), included")->required();
  compliance->add_option("--format", *format, "pdf, html, csv, json or oscal (OSCAL assessment results; default pdf)")
      ->check(CLI::IsMember({"pdf", "html", "csv", "json", "oscal"}));
  compliance->add_option("--out", *out, "File to write (default: standard output)");
  compliance->add_option("--lang", *lang, "sv or en (default sv)")->check(CLI::IsMember({"sv", "en"}));
  compliance->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto f = services::compliance_format_from_string(*format);
      if (!f) return report_usage(f.error());
      return result_of(
          services::ComplianceReportService(**inst).compliance_file(services::local_operator(), *from, *to, *f, *lang),
          *out);
    };
  });

  auto soa_format = std::make_shared<std::string>("pdf");
  auto* soa = cmd->add_subcommand("soa", "Statement of Applicability: every ISO/IEC 27001:2022 Annex A control");
  soa->add_option("--data", *data_dir, "Data directory")->required();
  soa->add_option("--format", *soa_format, "pdf or csv (default pdf)")->check(CLI::IsMember({"pdf", "csv"}));
  soa->add_option("--out", *out, "File to write (default: standard output)");
  soa->add_option("--lang", *lang, "sv or en (default sv)")->check(CLI::IsMember({"sv", "en"}));
  soa->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto f = services::compliance_format_from_string(*soa_format);
      if (!f) return report_usage(f.error());
      return result_of(services::ComplianceReportService(**inst).soa_file(services::local_operator(), *f, *lang), *out);
    };
  });
}

}  // namespace tillit::cli
