// SQLite back end: a small pool of connections to one file in WAL mode. Writers take the
// write lock when they begin (BEGIN IMMEDIATE) so a transaction never fails half-way for a
// lock upgrade; readers see a consistent snapshot.
#include <sqlite3.h>

#include <mutex>

#include "tillit/store/database.h"

namespace tillit::store {
namespace {

struct ConnectionClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionClose>;

Error sqlite_error(sqlite3* db, std::string_view what) {
  const int code = sqlite3_extended_errcode(db);
  const ErrorCode kind = (code & 0xff) == SQLITE_CONSTRAINT ? ErrorCode::conflict
                         : (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB ? ErrorCode::integrity
                                                                                              : ErrorCode::unavailable;
  return make_error(kind, std::string(what) + ": " + sqlite3_errmsg(db));
}

class SqliteDatabase;

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteDatabase& owner, Connection conn) : owner_(owner), conn_(std::move(conn)) {}
  ~SqliteTransaction() override;

  Status for_each(std::string_view sql, const Params& params, const std::function<bool(const Row&)>& on_row) override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(conn_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK)
      return sqlite_error(conn_.get(), "cannot prepare statement");
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, sqlite3_finalize);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      const auto& p = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(p)) rc = sqlite3_bind_null(raw, index);
      else if (const auto* n = std::get_if<std::int64_t>(&p)) rc = sqlite3_bind_int64(raw, index, *n);
      else if (const auto* d = std::get_if<double>(&p)) rc = sqlite3_bind_double(raw, index, *d);
      else {
        const auto& s = std::get<std::string>(p);
        rc = sqlite3_bind_text64(raw, index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return sqlite_error(conn_.get(), "cannot bind parameter");
    }
    const int columns = sqlite3_column_count(raw);
    for (;;) {
      const int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) return {};
      if (rc != SQLITE_ROW) return sqlite_error(conn_.get(), "statement failed");
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(raw, c)) {
          case SQLITE_NULL: values.emplace_back(nullptr); break;
          case SQLITE_INTEGER: values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(raw, c))); break;
          case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(raw, c)); break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_blob(raw, c));
            values.emplace_back(std::string(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(raw, c))));
          }
        }
      }
      if (!on_row(Row(std::move(values)))) return {};
    }
  }

  Status lock(std::string_view) override { return {}; }
  std::string_view backend() const override { return "sqlite"; }

  Status commit() override {
    if (sqlite3_exec(conn_.get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
      return sqlite_error(conn_.get(), "cannot commit");
    committed_ = true;
    return {};
  }

 private:
  SqliteDatabase& owner_;
  Connection conn_;
  bool committed_ = false;
};

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(std::filesystem::path path) : path_(std::move(path)) {}

  Result<Connection> open(bool create) {
    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
    Connection conn(raw);
    if (rc != SQLITE_OK) {
      if (!raw) return make_error(ErrorCode::unavailable, "cannot open database '" + path_.string() + "'");
      return make_error(ErrorCode::unavailable, "cannot open database '" + path_.string() + "': " + sqlite3_errmsg(raw) +
                                                    (create ? "" : "; run 'tillit init' first"));
    }
    sqlite3_busy_timeout(raw, 10000);
    sqlite3_extended_result_codes(raw, 1);
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL",
                               "PRAGMA secure_delete=ON", "PRAGMA trusted_schema=OFF"}) {
      if (sqlite3_exec(raw, pragma, nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlite_error(raw, std::string("cannot configure database (") + pragma + ")");
    }
    return conn;
  }

  Result<std::unique_ptr<Transaction>> begin(Access access) override {
    Connection conn;
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!conn) {
      auto opened = open(false);
      if (!opened) return opened.error();
      conn = std::move(*opened);
    }
    const char* begin_sql = access == Access::write ? "BEGIN IMMEDIATE" : "BEGIN";
    if (sqlite3_exec(conn.get(), begin_sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      return sqlite_error(conn.get(), "cannot begin transaction");
    return std::unique_ptr<Transaction>(new SqliteTransaction(*this, std::move(conn)));
  }

  void give_back(Connection conn) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < 8) idle_.push_back(std::move(conn));
  }

  std::string backend() const override { return "sqlite"; }

  Result<std::string> integrity_check() override {
    auto tx = begin(Access::read);
    if (!tx) return tx.error();
    auto rows = (*tx)->query("PRAGMA integrity_check");
    if (!rows) return rows.error();
    std::string out;
    for (const auto& r : *rows) out += (out.empty() ? "" : "; ") + r.text(0);
    return out;
  }

 private:
  std::filesystem::path path_;
  std::mutex mutex_;
  std::vector<Connection> idle_;
};

SqliteTransaction::~SqliteTransaction() {
  if (!committed_) sqlite3_exec(conn_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  if (sqlite3_get_autocommit(conn_.get())) owner_.give_back(std::move(conn_));
}

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const std::filesystem::path& path, bool create) {
  if (!create && !std::filesystem::exists(path))
    return make_error(ErrorCode::not_found, "no database at '" + path.string() + "'; run 'tillit init --data DIR' first");
  auto db = std::make_unique<SqliteDatabase>(path);
  auto first = db->open(create);  // checks the file now, so errors surface at startup
  if (!first) return first.error();
  db->give_back(std::move(*first));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace tillit::store
