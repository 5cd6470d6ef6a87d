// Scheduled jobs: work that must happen once per period no matter how many servers run.
// Each run claims its (job, slot) row in the database first, so with several `tillit serve`
// instances on one PostgreSQL exactly one of them runs each slot; a run whose instance died
// is taken over when its lease runs out.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tillit/services/installation.h"

namespace tillit::services {

struct JobDefinition {
  std::string name;
  std::chrono::seconds every;
  // Does the work; returns "ok" or a description of what is wrong.
  std::function<std::string(Installation&)> run;
};

// The built-in jobs: hourly signed audit checkpoint, daily integrity check (database and
// audit chain; a failure is logged and recorded as an audit event).
const std::vector<JobDefinition>& builtin_jobs();

struct JobResult {
  std::string job;
  std::string slot;
  bool ran = false;     // false: another instance has (or had) this slot
  std::string outcome;  // when ran
};

// Runs every job whose current slot nobody has claimed yet. `holder` names this instance.
std::vector<JobResult> run_due_jobs(Installation& inst, const std::vector<JobDefinition>& jobs, const std::string& holder,
                                    Timestamp now);

// A name for this process as a job holder: host, process id and a random tag.
std::string instance_name();

}  // namespace tillit::services
