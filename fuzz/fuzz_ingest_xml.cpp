// fuzz_ingest_xml: the XML report parsers of ingest/ (OpenVAS, Nessus, CycloneDX XML) and
// format detection, on reports users upload; DTDs and entities must be refused, never
// expanded. See fuzz_ingest_check.h for the input layout and the invariants.
#include "fuzz_ingest_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> kFormats = {"openvas", "nessus", "cyclonedx-xml"};
  tillit::fuzz::fuzz_family(data, size, kFormats);
  return 0;
}
