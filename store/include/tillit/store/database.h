// The database seam. Services and repositories talk to a Database through transactions
// with portable SQL ('?' placeholders, standard types); the SQLite and PostgreSQL back ends
// translate what differs. Every write happens inside a Transaction that commits as a whole
// or not at all (a Transaction that is destroyed without commit() rolls back).
//
// Thread safety: a Database may be shared by threads; a Transaction belongs to one thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tillit/core/result.h"

namespace tillit::store {

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;
using Params = std::vector<Value>;

// Empty text and absent numbers are stored as NULL, so "not set" reads the same on both back ends.
inline Value nullable(const std::string& text) { return text.empty() ? Value{nullptr} : Value{text}; }
inline Value nullable(const std::optional<std::int64_t>& n) { return n ? Value{*n} : Value{nullptr}; }

class Row {
 public:
  explicit Row(std::vector<Value> columns) : columns_(std::move(columns)) {}
  bool is_null(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(columns_.at(i)); }
  std::int64_t integer(std::size_t i) const;
  double real(std::size_t i) const;
  std::string text(std::size_t i) const;  // "" for NULL
  std::optional<std::int64_t> optional_integer(std::size_t i) const {
    return is_null(i) ? std::nullopt : std::optional<std::int64_t>{integer(i)};
  }
  const Value& value(std::size_t i) const { return columns_.at(i); }
  std::size_t size() const { return columns_.size(); }

 private:
  std::vector<Value> columns_;
};

enum class Access { read, write };

class Transaction {
 public:
  virtual ~Transaction() = default;
  // Runs `sql` row by row so large results are never held whole in memory.
  // The callback returns false to stop early.
  virtual Status for_each(std::string_view sql, const Params& params,
                          const std::function<bool(const Row&)>& on_row) = 0;
  // Runs `sql`, discarding any rows.
  Status exec(std::string_view sql, const Params& params = {});
  // Runs `sql` and returns all its rows.
  Result<std::vector<Row>> query(std::string_view sql, const Params& params = {});
  virtual Status commit() = 0;
  // Serialises, until this transaction ends, every writer that locks the same `name` (the
  // audit chain, migrations), also across processes sharing the database. SQLite write
  // transactions are exclusive already, so there it costs nothing.
  virtual Status lock(std::string_view name) = 0;
  // "sqlite" or "postgresql", for the few repositories that must speak a dialect (search).
  virtual std::string_view backend() const = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  // A write transaction is exclusive among writers from the start (SQLite BEGIN IMMEDIATE),
  // so read-then-write sequences such as appending to the audit chain cannot interleave.
  virtual Result<std::unique_ptr<Transaction>> begin(Access access) = 0;
  virtual std::string backend() const = 0;  // "sqlite" or "postgresql"
  // The back end's own consistency check ("ok" or what it found).
  virtual Result<std::string> integrity_check() = 0;
};

// Opens (and with `create`, creates) the SQLite database at `path`: WAL journal, foreign
// keys on, a busy timeout, secure_delete so erased data does not linger in free pages.
Result<std::unique_ptr<Database>> open_sqlite(const std::filesystem::path& path, bool create);

// Opens a PostgreSQL database by URL ("postgresql://user@host:5432/db?sslmode=verify-full").
// The password never appears in the URL: libpq takes it from PGPASSFILE (~/.pgpass), the
// service file or PGPASSWORD. Up to `pool_size` connections are kept.
Result<std::unique_ptr<Database>> open_postgresql(const std::string& url, std::size_t pool_size);

// Rejects a database URL that carries a password, names another scheme, or is malformed.
Status check_postgresql_url(std::string_view url);

// A warning when the URL reaches PostgreSQL over the network without verifying the server
// (sslmode other than verify-full); empty for a local socket or loopback, or when verified.
std::string postgresql_tls_warning(std::string_view url);

// True when the database holds no table of Tillit's (a PostgreSQL target must be empty).
Result<bool> is_empty(Database& db);

// Drops every table Tillit created, leaving an empty database (for a failed init or move).
Status drop_schema(Database& db);

// Copies every row of every Tillit table from `from` to `to` in one write transaction on
// `to` (whose schema must exist and hold no rows). Returns the row count per table.
Result<std::vector<std::pair<std::string, std::int64_t>>> copy_all_rows(Database& from, Database& to);

// Row count per Tillit table, for comparing two databases.
Result<std::vector<std::pair<std::string, std::int64_t>>> count_rows(Database& db);

// Applies every pending migration, each in its own transaction together with its version
// row: a failed migration leaves the database as it was. Returns the schema version.
Result<int> migrate(Database& db);
// The newest schema version this build knows.
int latest_schema_version();

}  // namespace tillit::store
