// OSV-Scanner JSON (`osv-scanner --format json`).
#pragma once

#include "format.h"

namespace tillit::ingest {

const Format& osv_format();

}  // namespace tillit::ingest
