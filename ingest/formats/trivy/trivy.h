// Trivy JSON: schema 2 (`trivy image|fs|repo --format json`), the pre-0.20 list form (a bare
// array of results) and the Kubernetes reports (`trivy k8s`, with Resources, or the older
// Vulnerabilities/Misconfigurations lists of resources).
#pragma once

#include "format.h"

namespace tillit::ingest {

const Format& trivy_format();

}  // namespace tillit::ingest
