#include "tillit/services/jobs.h"

#include <unistd.h>

#include "tillit/services/audit_service.h"
#include "tillit/store/repositories.h"

namespace tillit::services {
namespace {

constexpr auto kLease = std::chrono::minutes(10);

std::string audit_checkpoint(Installation& inst) {
  auto c = make_checkpoint(inst, local_operator());
  return c ? "ok" : c.error().message;
}

std::string integrity_check(Installation& inst) {
  std::string problems;
  auto db = inst.db().integrity_check();
  if (!db) problems = "database check failed: " + db.error().message;
  else if (*db != "ok") problems = "database: " + *db;
  auto chain = verify_audit_log(inst, local_operator());
  if (!chain) problems += (problems.empty() ? "" : "; ") + std::string("audit check failed: ") + chain.error().message;
  else if (!chain->intact) problems += (problems.empty() ? "" : "; ") + std::string("audit log: ") + chain->failure;
  if (problems.empty()) return "ok";
  // The alert itself goes on record (if the database still takes writes).
  if (auto tx = inst.db().begin(store::Access::write)) {
    if (inst.record(**tx, system_actor(), "integrity.alert", "installation", "", {{"problems", {{"after", problems}}}}))
      (void)(*tx)->commit();
  }
  return problems;
}

}  // namespace

const std::vector<JobDefinition>& builtin_jobs() {
  static const std::vector<JobDefinition> jobs = {
      {"audit-checkpoint", std::chrono::hours(1), audit_checkpoint},
      {"integrity-check", std::chrono::hours(24), integrity_check},
  };
  return jobs;
}

std::string instance_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" +
         crypto::to_hex(crypto::as_chars(crypto::random_bytes(3)));
}

std::vector<JobResult> run_due_jobs(Installation& inst, const std::vector<JobDefinition>& jobs, const std::string& holder,
                                    Timestamp now) {
  std::vector<JobResult> results;
  for (const auto& job : jobs) {
    JobResult result{job.name, format_rfc3339(slot_start(now, job.every)), false, {}};
    {
      auto tx = inst.db().begin(store::Access::write);
      if (!tx) {
        result.outcome = tx.error().message;
        results.push_back(result);
        continue;
      }
      const std::string started = format_rfc3339(now);
      auto claimed = store::claim_job_run(**tx, {job.name, result.slot, holder, started, format_rfc3339(now + kLease), {}, {}});
      if (!claimed || !*claimed || !(*tx)->commit()) {
        if (!claimed) result.outcome = claimed.error().message;
        results.push_back(result);
        continue;
      }
    }
    result.ran = true;
    result.outcome = job.run(inst);
    if (auto tx = inst.db().begin(store::Access::write)) {
      if (store::finish_job_run(**tx, job.name, result.slot, holder, format_rfc3339(now_utc()), result.outcome))
        (void)(*tx)->commit();
    }
    results.push_back(result);
  }
  return results;
}

}  // namespace tillit::services
