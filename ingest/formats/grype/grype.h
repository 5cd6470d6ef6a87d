// Anchore Grype JSON (`grype IMAGE -o json`), current and early (cvssV2/cvssV3) forms.
#pragma once

#include "format.h"

namespace tillit::ingest {

const Format& grype_format();

}  // namespace tillit::ingest
