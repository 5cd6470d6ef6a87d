// CycloneDX JSON 1.4-1.6 with vulnerabilities (VDR) and VEX analysis.
#pragma once

#include "format.h"

namespace tillit::ingest {

const Format& cyclonedx_json_format();

}  // namespace tillit::ingest
