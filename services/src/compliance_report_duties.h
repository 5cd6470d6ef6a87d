// The duties part of the compliance report, kept in its own file because it works with
// calendar dates (core/duty_schedule.h) rather than the assessment rules.
#pragma once

#include <string>
#include <vector>

#include "tillit/services/compliance_report.h"
#include "tillit/store/database.h"

namespace tillit::services {

// Every due date of every recurring duty (active or not) that fell within [from_day, to_day]
// (YYYY-MM-DD): completions recorded in the period go to `completed`, due dates that passed
// before `today` without a completion on or before them to `missed`. Oldest first.
Status gather_duties(store::Transaction& tx, ActorNames& names, const std::string& from_day, const std::string& to_day,
                     const std::string& today, const std::string& language, std::vector<ReportDuty>& completed,
                     std::vector<ReportDuty>& missed);

}  // namespace tillit::services
