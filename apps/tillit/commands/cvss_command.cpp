// `tillit cvss VECTOR [--json]`: scores a CVSS vector (v3.0, v3.1, v4.0; v2 base score) as the
// security annex's remediation deadlines use it. Needs no data directory.
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tillit/core/cvss.h"

namespace tillit::cli {
namespace {

// Scores are tenths; JSON gets the one-decimal number (98 -> 9.8).
double as_number(int tenths) { return tenths / 10.0; }

void print_text(const CvssScore& s) {
  std::cout << "CVSS " << s.version << "  " << format_cvss_tenths(s.score) << "  " << to_string(s.severity) << "\n";
  if (s.temporal || s.environmental) {
    std::cout << "  base           " << format_cvss_tenths(s.base) << "  " << to_string(cvss_severity(s.base)) << "\n";
    if (s.temporal)
      std::cout << "  temporal       " << format_cvss_tenths(*s.temporal) << "  " << to_string(cvss_severity(*s.temporal))
                << "\n";
    if (s.environmental)
      std::cout << "  environmental  " << format_cvss_tenths(*s.environmental) << "  "
                << to_string(cvss_severity(*s.environmental)) << "\n";
  }
  std::cout << "  vector         " << s.vector << "\n";
}

void print_json(const CvssScore& s) {
  nlohmann::ordered_json out;
  out["version"] = s.version;
  out["score"] = as_number(s.score);
  out["severity"] = to_string(s.severity);
  out["base"] = as_number(s.base);
  out["temporal"] = s.temporal ? nlohmann::ordered_json(as_number(*s.temporal)) : nlohmann::ordered_json(nullptr);
  out["environmental"] =
      s.environmental ? nlohmann::ordered_json(as_number(*s.environmental)) : nlohmann::ordered_json(nullptr);
  out["vector"] = s.vector;
  std::cout << out.dump() << "\n";
}

}  // namespace

void add_cvss_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("cvss", "Score a CVSS vector (3.0, 3.1, 4.0; 2.0 base score) and show its severity");
  auto vector = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("VECTOR", *vector, "e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")->required();
  cmd->add_flag("--json", *json, "Print one JSON object: version, score, severity, base, temporal, environmental, vector");
  cmd->callback([=, &run] {
    run = [=] {
      auto scored = score_cvss(*vector);
      if (!scored) return report_usage(scored.error());
      if (*json)
        print_json(*scored);
      else
        print_text(*scored);
      return 0;
    };
  });
}

}  // namespace tillit::cli
