// CycloneDX XML with vulnerabilities: the <vulnerabilities> of BOM 1.4-1.6 (with VEX
// <analysis>) and the earlier vulnerability extension (v:vulnerabilities inside components,
// BOM 1.2-1.3, as Grype wrote it).
#pragma once

#include "format.h"

namespace tillit::ingest {

const Format& cyclonedx_xml_format();

}  // namespace tillit::ingest
