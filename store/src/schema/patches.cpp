// Schema for patch management (migration 9): one row per security update on an asset. The
// deadlines are not stored: core/patch_policy.h derives them from the dates, so a record is
// judged by the rules of the Tillit that reads it. Changes are kept in the audit log.
#include "schema_part.h"

namespace tillit::store::schema {

const Part& patches_part() {
  static const Part part{
      .migrations =
          {
              {9,
               "security updates per asset with their release, rollout and application dates",
               {
                   R"(CREATE TABLE patches (
                        id {{serial_pk}},
                        asset TEXT NOT NULL,
                        product TEXT NOT NULL,
                        advisory TEXT NOT NULL,
                        vendor TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        released_on TEXT NOT NULL,
                        planned_on TEXT,
                        rollout_started_on TEXT,
                        applied_on TEXT,
                        change_ref TEXT NOT NULL,
                        note TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        updated_by TEXT NOT NULL,
                        UNIQUE (asset, advisory)))",
                   "CREATE INDEX patches_released ON patches (released_on)",
               }},
          },
      .tables = {"patches"},
      .generated_id_tables = {"patches"},
  };
  return part;
}

}  // namespace tillit::store::schema
