// SARIF 2.1.0 (static analysis results: CodeQL, Semgrep, Grype's SARIF, ...), including the
// `security-severity` rule property GitHub code scanning uses.
#pragma once

#include "format.h"

namespace tillit::ingest {

const Format& sarif_format();

}  // namespace tillit::ingest
