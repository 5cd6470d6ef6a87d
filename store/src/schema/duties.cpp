// Schema for recurring duties (migration 7).
//
// duties: one recurring duty. Built-in ones come from the catalogues' duties (catalog_duty
//   "annex:restore-test", unique; NULL for a user's own duty) and keep that link.
//   title, title_en (the English title; '' when only one language was given), description,
//   requirement TEXT "CATALOG:ID" or NULL, owner_id -> users (NULL until someone is named),
//   interval_count BIGINT >= 1 with interval_unit days | weeks | months | years,
//   first_due YYYY-MM-DD (when due if never completed), last_completed YYYY-MM-DD or NULL,
//   next_due YYYY-MM-DD (kept in step with the two above so lists sort and filter in SQL),
//   active BIGINT 1/0 (a retired duty keeps its history), reminded_due YYYY-MM-DD or NULL (the
//   due date the owner was last reminded of: one reminder per due date and state),
//   reminded_state TEXT due_soon | overdue or NULL, created_at, created_by, updated_at, updated_by.
// duty_completions: each time a duty was done; never changed or deleted.
//   evidence_id -> evidence (migration 6), NULL when none was given.
// calendar_feeds: a person's secret iCalendar feed. Only the token's SHA-256 is stored.
#include "schema_part.h"

namespace tillit::store::schema {

const Part& duties_part() {
  static const Part part{
      .migrations =
          {
              {7,
               "recurring duties, their completions and the personal calendar feeds",
               {
                   R"(CREATE TABLE duties (
                        id {{serial_pk}},
                        catalog_duty TEXT UNIQUE,
                        title TEXT NOT NULL,
                        title_en TEXT NOT NULL,
                        description TEXT NOT NULL,
                        requirement TEXT,
                        owner_id BIGINT REFERENCES users(id),
                        interval_count BIGINT NOT NULL CHECK (interval_count >= 1),
                        interval_unit TEXT NOT NULL,
                        first_due TEXT NOT NULL,
                        last_completed TEXT,
                        next_due TEXT NOT NULL,
                        active BIGINT NOT NULL,
                        reminded_due TEXT,
                        reminded_state TEXT,
                        created_at TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        updated_by TEXT NOT NULL))",
                   "CREATE INDEX duties_next_due ON duties (active, next_due)",
                   "CREATE INDEX duties_owner ON duties (owner_id)",
                   R"(CREATE TABLE duty_completions (
                        id {{serial_pk}},
                        duty_id BIGINT NOT NULL REFERENCES duties(id),
                        completed_on TEXT NOT NULL,
                        note TEXT NOT NULL,
                        evidence_id BIGINT REFERENCES evidence(id),
                        recorded_at TEXT NOT NULL,
                        recorded_by TEXT NOT NULL))",
                   "CREATE INDEX duty_completions_duty ON duty_completions (duty_id, completed_on)",
                   R"(CREATE TABLE calendar_feeds (
                        user_id BIGINT PRIMARY KEY REFERENCES users(id),
                        token_hash TEXT NOT NULL UNIQUE,
                        created_at TEXT NOT NULL))",
               }},
          },
      .tables = {"duties", "duty_completions", "calendar_feeds"},
      .generated_id_tables = {"duties", "duty_completions"},
  };
  return part;
}

}  // namespace tillit::store::schema
