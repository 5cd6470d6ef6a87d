// Parse benchmark for ingest/ (run by bench/ingest_parse.sh):
//
//   ingest_parse_bench generate FILE FINDINGS ASSETS   writes a Trivy JSON report (schema 2)
//   ingest_parse_bench parse FILE [FORMAT]              parses it, prints findings, seconds, peak RSS
//   ingest_parse_bench dump FILE [FORMAT [ASSET]]       prints each finding as a JSON line (to inspect)
//
// The generated report looks like real Trivy output (pretty-printed, the same fields, long
// descriptions, several CVSS vectors per finding): FINDINGS vulnerabilities spread over
// ASSETS results, ArtifactName empty so that each result's Target is its own asset.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tillit/ingest/parse.h"

namespace {

const char* const kSeverities[] = {"LOW", "MEDIUM", "HIGH", "CRITICAL", "UNKNOWN"};
const char* const kVectors[] = {
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
};
const char* const kV2Vectors[] = {"AV:N/AC:M/Au:N/C:N/I:P/A:N", "AV:N/AC:L/Au:N/C:P/I:P/A:P",
                                  "AV:L/AC:L/Au:N/C:C/I:C/A:C"};
const char* const kPackages[] = {"openssl", "libssl3", "curl", "libcurl4", "zlib1g", "libxml2", "bash",
                                  "coreutils", "glibc", "libc6", "tar", "gzip", "perl-base", "libsqlite3-0",
                                  "libexpat1", "libgnutls30", "apt", "dpkg", "login", "passwd"};

int generate(const std::string& path, long findings, long assets) {
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    return 1;
  }
  out << "{\n  \"SchemaVersion\": 2,\n  \"CreatedAt\": \"2026-01-15T08:58:29.82753744Z\",\n"
         "  \"ArtifactName\": \"\",\n  \"ArtifactType\": \"filesystem\",\n  \"Metadata\": {\n"
         "    \"OS\": {\n      \"Family\": \"debian\",\n      \"Name\": \"12.5\"\n    }\n  },\n  \"Results\": [\n";
  long written = 0;
  for (long a = 0; a < assets; ++a) {
    const long here = findings / assets + (a < findings % assets ? 1 : 0);
    char target[64];
    std::snprintf(target, sizeof target, "host-%04ld.example.se (debian 12.5)", a);
    out << "    {\n      \"Target\": \"" << target << "\",\n      \"Class\": \"os-pkgs\",\n"
        << "      \"Type\": \"debian\",\n      \"Vulnerabilities\": [\n";
    for (long i = 0; i < here; ++i, ++written) {
      const long cve = 10000 + (written * 7919) % 40000;
      const char* package = kPackages[written % 20];
      const char* severity = kSeverities[written % 5];
      char id[32];
      std::snprintf(id, sizeof id, "CVE-20%02ld-%05ld", 10 + (written % 15), cve);
      out << "        {\n"
          << "          \"VulnerabilityID\": \"" << id << "\",\n"
          << "          \"PkgID\": \"" << package << "@1.2." << (written % 9) << "-1\",\n"
          << "          \"PkgName\": \"" << package << "\",\n"
          << "          \"PkgIdentifier\": {\n            \"PURL\": \"pkg:deb/debian/" << package << "@1.2."
          << (written % 9) << "-1?arch=amd64&distro=debian-12.5\",\n            \"UID\": \"" << std::hex
          << (0x9e3779b97f4a7c15ULL * static_cast<unsigned long long>(written + 1)) << std::dec << "\"\n          },\n"
          << "          \"InstalledVersion\": \"1.2." << (written % 9) << "-1\",\n"
          << "          \"FixedVersion\": \"" << (written % 3 == 0 ? "" : "1.2.9-1+deb12u1") << "\",\n"
          << "          \"Status\": \"" << (written % 3 == 0 ? "affected" : "fixed") << "\",\n"
          << "          \"Layer\": {\n            \"DiffID\": "
             "\"sha256:b2dba74777543b60e1a5be6da44e67659f51b8df1e96922205a5dde6b92dda3c\"\n          },\n"
          << "          \"SeveritySource\": \"debian\",\n"
          << "          \"PrimaryURL\": \"https://avd.aquasec.com/nvd/" << id << "\",\n"
          << "          \"DataSource\": {\n            \"ID\": \"debian\",\n            \"Name\": \"Debian Security "
             "Tracker\",\n            \"URL\": \"https://salsa.debian.org/security-tracker-team/security-tracker\"\n"
             "          },\n"
          << "          \"Title\": \"" << package << ": improper validation of input leads to memory corruption\",\n"
          << "          \"Description\": \"A flaw was found in " << package
          << ". A remote attacker could send a specially crafted request that is not validated correctly, leading "
             "to an out-of-bounds write. This could allow the attacker to crash the service or, in some "
             "configurations, to execute arbitrary code with the privileges of the process. Versions before "
             "1.2.9 are affected.\",\n"
          << "          \"Severity\": \"" << severity << "\",\n"
          << "          \"CweIDs\": [\n            \"CWE-787\",\n            \"CWE-20\"\n          ],\n"
          << "          \"VendorSeverity\": {\n            \"debian\": " << (written % 4) + 1
          << ",\n            \"nvd\": " << (written % 4) + 1 << "\n          },\n"
          << "          \"CVSS\": {\n            \"nvd\": {\n              \"V2Vector\": \"" << kV2Vectors[written % 3]
          << "\",\n              \"V3Vector\": \"" << kVectors[written % 6]
          << "\",\n              \"V2Score\": 5,\n              \"V3Score\": 7.5\n            },\n"
          << "            \"redhat\": {\n              \"V3Vector\": \"" << kVectors[(written + 1) % 6]
          << "\",\n              \"V3Score\": 6.5\n            }\n          },\n"
          << "          \"References\": [\n"
          << "            \"https://access.redhat.com/security/cve/" << id << "\",\n"
          << "            \"https://nvd.nist.gov/vuln/detail/" << id << "\",\n"
          << "            \"https://security-tracker.debian.org/tracker/" << id << "\",\n"
          << "            \"https://ubuntu.com/security/" << id << "\",\n"
          << "            \"https://www.cve.org/CVERecord?id=" << id << "\"\n          ],\n"
          << "          \"PublishedDate\": \"2023-11-26T00:15:11.03Z\",\n"
          << "          \"LastModifiedDate\": \"2024-02-09T16:08:18.683Z\"\n"
          << "        }" << (i + 1 < here ? ",\n" : "\n");
    }
    out << "      ]\n    }" << (a + 1 < assets ? ",\n" : "\n");
  }
  out << "  ]\n}\n";
  return out ? 0 : 1;
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) out += (out.size() > 1 ? "," : "") + quoted(item);
  return out + "]";
}

// One JSON line per finding (for looking at what a parser makes of a report).
void dump(const tillit::ingest::Finding& f) {
  std::string vectors = "[";
  for (const auto& v : f.cvss) vectors += (vectors.size() > 1 ? "," : "") + quoted(v.version + " " + v.source + " " + v.vector);
  for (const auto& v : f.rejected_cvss) vectors += (vectors.size() > 1 ? "," : "") + quoted("REJECTED " + v.source + " " + v.vector + ": " + v.problem);
  vectors += "]";
  std::printf("{\"kind\":%s,\"tool\":%s,\"asset\":%s,\"component\":%s,\"version\":%s,\"type\":%s,\"purl\":%s,"
              "\"path\":%s,\"line\":%d,\"port\":%s,\"protocol\":%s,\"id\":%s,\"aliases\":%s,\"cwes\":%s,\"rule\":%s,"
              "\"cvss\":%s,\"severity\":%s,\"band\":%s,\"title\":%s,\"fixed\":%s,\"refs\":%zu,\"status\":%s,"
              "\"vex\":%s,\"fingerprint\":%s}\n",
              quoted(to_string(f.kind)).c_str(), quoted(f.tool).c_str(), quoted(f.asset).c_str(), quoted(f.component).c_str(),
              quoted(f.component_version).c_str(), quoted(f.package_type).c_str(), quoted(f.purl).c_str(),
              quoted(f.location.path).c_str(), f.location.line, quoted(f.location.port).c_str(),
              quoted(f.location.protocol).c_str(), quoted(f.vulnerability_id).c_str(), list(f.aliases).c_str(),
              list(f.cwes).c_str(), quoted(f.rule_id).c_str(), vectors.c_str(), quoted(f.tool_severity).c_str(),
              quoted(to_string(f.severity)).c_str(), quoted(f.title.substr(0, 80)).c_str(), list(f.fixed_versions).c_str(),
              f.references.size(), quoted(f.status).c_str(),
              quoted(f.analysis.state + (f.analysis.justification.empty() ? "" : "/" + f.analysis.justification)).c_str(),
              quoted(f.fingerprint).c_str());
}

int dump_report(const std::string& path, const std::string& format, const std::string& asset) {
  std::ifstream in(path, std::ios::binary);
  tillit::ingest::StreamSource source(in);
  tillit::ingest::ParseOptions options;
  options.format = format;
  options.default_asset = asset;
  const auto result = tillit::ingest::parse_report(source, options, [](const tillit::ingest::Finding& f) {
    dump(f);
    return tillit::Status();
  });
  if (!result) {
    std::cerr << result.error().message << "\n";
    return 1;
  }
  const auto& h = result->header;
  std::printf("header format=%s tool=%s version=%s time=%s asset=%s findings=%zu rejected_vectors=%zu\n", h.format.c_str(),
              h.tool_name.c_str(), h.tool_version.c_str(), h.scan_time.c_str(), h.asset.c_str(), result->findings,
              result->rejected_vectors);
  return 0;
}

int parse(const std::string& path, const std::string& format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 1;
  }
  tillit::ingest::StreamSource source(in);
  tillit::ingest::ParseOptions options;
  options.format = format;
  std::size_t with_vectors = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto result = tillit::ingest::parse_report(source, options, [&](const tillit::ingest::Finding& f) {
    if (!f.cvss.empty()) ++with_vectors;
    return tillit::Status();
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result) {
    std::cerr << result.error().message << "\n";
    return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("findings %zu with_vectors %zu seconds %.3f peak_rss_kib %ld\n", result->findings, with_vectors, seconds,
              usage.ru_maxrss);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "generate" && argc == 5) return generate(argv[2], std::atol(argv[3]), std::atol(argv[4]));
  if (command == "parse" && (argc == 3 || argc == 4)) return parse(argv[2], argc == 4 ? argv[3] : "");
  if (command == "dump" && argc >= 3 && argc <= 5) {
    return dump_report(argv[2], argc >= 4 ? argv[3] : "", argc == 5 ? argv[4] : "");
  }
  std::cerr << "usage: ingest_parse_bench generate FILE FINDINGS ASSETS | parse FILE [FORMAT] | "
               "dump FILE [FORMAT [DEFAULT_ASSET]]\n";
  return 2;
}
