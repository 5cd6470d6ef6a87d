// Which database back end a test runs against. Tests run on SQLite unless the environment
// says TILLIT_TEST_BACKEND=postgresql; then each call creates a fresh, empty PostgreSQL
// database on the server libpq's environment points at (PGHOST, PGPORT, PGUSER,
// PGPASSWORD: scripts/test.sh provides a throwaway cluster through pg_virtualenv).
#pragma once

#include <string>

namespace tillit::testing {

bool postgresql_requested();
// True when PostgreSQL was requested but no server is configured: the test should skip.
bool postgresql_unavailable();
// "" for SQLite; else the URL of a new empty database (no password in it).
std::string fresh_database_url();

// Runs `sql` directly on an installation's database, bypassing Tillit, as someone with
// access to the database itself would (to tamper with it in tests). `database_url` empty:
// the SQLite file `sqlite_file`.
void run_sql(const std::string& database_url, const std::string& sqlite_file, const std::string& sql);

}  // namespace tillit::testing

// Skips the current test when PostgreSQL was asked for but no server is configured.
#define TILLIT_SKIP_WITHOUT_DATABASE()                                                               \
  do {                                                                                               \
    if (::tillit::testing::postgresql_unavailable())                                                 \
      GTEST_SKIP() << "TILLIT_TEST_BACKEND=postgresql but no PostgreSQL server is configured (PGHOST);" \
                      " run under scripts/test.sh or pg_virtualenv";                                 \
  } while (0)
