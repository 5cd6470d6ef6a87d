#include "test_database.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace tillit::testing {

bool postgresql_requested() {
  const char* backend = std::getenv("TILLIT_TEST_BACKEND");
  return backend && std::string(backend) == "postgresql";
}

bool postgresql_unavailable() { return postgresql_requested() && !std::getenv("PGHOST"); }

std::string fresh_database_url() {
  if (!postgresql_requested()) return {};
  static std::atomic<int> counter{0};
  const std::string name = "tillit_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  // An empty conninfo: libpq takes host, port, user, password and database from PG*.
  PGconn* admin = PQconnectdb("");
  if (PQstatus(admin) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(admin);
    PQfinish(admin);
    throw std::runtime_error("cannot reach the test PostgreSQL server: " + why);
  }
  PGresult* r = PQexec(admin, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  const std::string why = PQerrorMessage(admin);
  PQclear(r);
  PQfinish(admin);
  if (!ok) throw std::runtime_error("cannot create test database: " + why);
  return "postgresql:///" + name;
}

void run_sql(const std::string& database_url, const std::string& sqlite_file, const std::string& sql) {
  if (database_url.empty()) {
    sqlite3* db = nullptr;
    if (sqlite3_open(sqlite_file.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + sqlite_file);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string why = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    if (rc != SQLITE_OK) throw std::runtime_error("SQL failed: " + why);
    return;
  }
  PGconn* conn = PQconnectdb(database_url.c_str());
  PGresult* r = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  const std::string why = PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error("SQL failed: " + why);
}

}  // namespace tillit::testing
