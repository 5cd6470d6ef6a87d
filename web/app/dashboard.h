// The overview on the home page for people who may read compliance data: share of the annex's
// requirements met per category (an SVG bar chart drawn on the server, with the same numbers
// as a table), overdue and due-soon duties, deviations and the next deadlines. Every number
// links to the list behind it.
#pragma once

#include "identity.h"
#include "view.h"

namespace tillit::web {

// Adds the dashboard's values to `view` (nothing when the person may not read compliance data).
Status add_dashboard(const Request& r, const Identity& who, services::Installation& inst, data& view);

}  // namespace tillit::web
