// `tillit doctor`: the operator's checklist in one command — configuration, keys and
// database, the TLS certificate's remaining validity, and the clock against the common time
// source (annex req. 30). Exit 0 when every check is ok, 1 when any needs attention.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "tillit/crypto/certificate.h"
#include "tillit/services/config.h"
#include "tillit/services/time_check.h"
#include "tillit/store/database.h"

namespace tillit::cli {
namespace {

struct Check {
  std::string name;
  std::string state;  // ok, warning, error
  std::string detail;
};

constexpr int kCertificateWarningDays = 30;

Check certificate_check(const services::Config& config) {
  std::ifstream file(config.certificate_file, std::ios::binary);
  std::stringstream pem;
  pem << file.rdbuf();
  const auto not_after = crypto::certificate_not_after(pem.str());
  if (!not_after) return {"tls certificate", "error", "cannot read a certificate from " + config.certificate_file.string()};
  const auto left = std::chrono::floor<std::chrono::days>(*not_after - std::chrono::system_clock::now());
  const std::string detail = config.certificate_file.string() + " valid until " +
                             format_rfc3339(std::chrono::time_point_cast<std::chrono::milliseconds>(*not_after)) +
                             " (" + std::to_string(left.count()) + " days)";
  if (left.count() < 0) return {"tls certificate", "error", "expired: " + detail};
  return {"tls certificate", left.count() < kCertificateWarningDays ? "warning" : "ok", detail};
}

}  // namespace

void add_doctor_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("doctor", "Check configuration, keys, database, TLS certificate and the clock against "
                                           "the time source (exit 1 when anything needs attention)");
  auto data_dir = std::make_shared<std::string>();
  auto json_output = std::make_shared<bool>(false);
  auto timeout_ms = std::make_shared<unsigned>(2000);
  cmd->add_option("--data", *data_dir, "Data directory")->required();
  cmd->add_flag("--json", *json_output, "Print the checks as JSON");
  cmd->add_option("--timeout-ms", *timeout_ms, "How long to wait for the time source's answer")->check(CLI::Range(1u, 60000u));
  cmd->callback([=, &run] {
    run = [=] {
      std::vector<Check> checks;
      auto inst = open_installation(*data_dir);
      if (!inst) {
        checks.push_back({"installation", "error", inst.error().message});
      } else {
        const auto& config = (*inst)->config();
        checks.push_back({"installation", "ok",
                          config.data_dir.string() + ": configuration read, key file and database opened (" +
                              (*inst)->db().backend() + ", schema " + std::to_string(store::latest_schema_version()) +
                              ")"});
        if (auto integrity = (*inst)->db().integrity_check(); !integrity || *integrity != "ok")
          checks.push_back({"database", "error", integrity ? *integrity : integrity.error().message});
        else
          checks.push_back({"database", "ok", "integrity check passed"});
        checks.push_back(certificate_check(config));
        const auto clock = services::check_clock(config.time, std::chrono::milliseconds(*timeout_ms));
        checks.push_back({"clock", clock.state, clock.summary});
      }
      bool all_ok = true;
      for (const auto& c : checks) all_ok = all_ok && c.state == "ok";
      if (*json_output) {
        nlohmann::json out = {{"ok", all_ok}, {"checks", nlohmann::json::array()}};
        for (const auto& c : checks) out["checks"].push_back({{"name", c.name}, {"state", c.state}, {"detail", c.detail}});
        std::cout << out.dump(2) << "\n";
      } else {
        for (const auto& c : checks) std::cout << c.state << "\t" << c.name << ": " << c.detail << "\n";
      }
      return all_ok ? 0 : 1;
    };
  });
}

}  // namespace tillit::cli
