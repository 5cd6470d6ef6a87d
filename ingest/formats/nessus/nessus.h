// Tenable Nessus v2 (.nessus) XML.
#pragma once

#include "format.h"

namespace tillit::ingest {

const Format& nessus_format();

}  // namespace tillit::ingest
