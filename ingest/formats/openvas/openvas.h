// OpenVAS / Greenbone (GVM) XML reports (the XML report format, get_reports output).
#pragma once

#include "format.h"

namespace tillit::ingest {

const Format& openvas_format();

}  // namespace tillit::ingest
