// fuzz_ingest_json: the JSON report parsers of ingest/ (Trivy, Grype, SARIF, OSV-Scanner,
// CycloneDX JSON) and format detection, on reports users upload. See fuzz_ingest_check.h for
// the input layout and the invariants.
#include "fuzz_ingest_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> kFormats = {"trivy", "grype", "sarif", "osv", "cyclonedx-json"};
  tillit::fuzz::fuzz_family(data, size, kFormats);
  return 0;
}
