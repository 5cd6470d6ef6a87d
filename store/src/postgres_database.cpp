// PostgreSQL back end over libpq: a bounded pool of connections. Portable SQL's '?'
// placeholders become $1, $2, ...; values travel as text and come back typed by column OID.
// Writers that need order across server processes take a transaction-scoped advisory lock.
// A broken connection is reset before use; a read that meets one is retried once on a fresh
// connection, a write never is (the caller hears it failed and nothing was committed).
#include <libpq-fe.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "tillit/crypto/crypto.h"
#include "tillit/store/database.h"

namespace tillit::store {
namespace {

constexpr Oid kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700, kBool = 16;

std::string to_dollar_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool connection_lost(PGconn* conn) { return PQstatus(conn) != CONNECTION_OK; }

Error pg_error(PGconn* conn, const PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  std::string detail = result && PQresultErrorMessage(result)[0] ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  ErrorCode code = ErrorCode::unavailable;
  if (sqlstate.rfind("23", 0) == 0) code = ErrorCode::conflict;              // integrity constraint violation
  else if (sqlstate == "XX001" || sqlstate == "XX002") code = ErrorCode::integrity;  // data/index corrupted
  else if (sqlstate.rfind("42", 0) == 0) code = ErrorCode::internal;         // a bug: bad SQL
  if (connection_lost(conn)) detail = "the connection to PostgreSQL was lost (" + detail + ")";
  return make_error(code, std::string(what) + ": " + detail);
}

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultFree>;

Value value_of(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return nullptr;
  const char* text = PQgetvalue(r, row, col);
  const int length = PQgetlength(r, row, col);
  switch (PQftype(r, col)) {
    case kInt8:
    case kInt4:
    case kInt2: return static_cast<std::int64_t>(std::strtoll(text, nullptr, 10));
    case kFloat4:
    case kFloat8:
    case kNumeric: return std::strtod(text, nullptr);
    case kBool: return std::int64_t{text[0] == 't'};
    default: return std::string(text, static_cast<std::size_t>(length));
  }
}

class PostgresDatabase;

class PostgresTransaction final : public Transaction {
 public:
  PostgresTransaction(PostgresDatabase& owner, PGconn* conn) : owner_(owner), conn_(conn) {}
  ~PostgresTransaction() override;

  Status for_each(std::string_view sql, const Params& params, const std::function<bool(const Row&)>& on_row) override {
    const std::string text = to_dollar_placeholders(sql);
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto& p = params[i];
      if (std::holds_alternative<std::nullptr_t>(p)) continue;
      if (const auto* n = std::get_if<std::int64_t>(&p)) storage[i] = std::to_string(*n);
      else if (const auto* d = std::get_if<double>(&p)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", *d);
        storage[i] = buf;
      } else storage[i] = std::get<std::string>(p);
      values[i] = storage[i].c_str();
    }
    if (!PQsendQueryParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr, values.data(), nullptr,
                           nullptr, 0))
      return pg_error(conn_, nullptr, "cannot send statement");
    PQsetSingleRowMode(conn_);
    Status status;
    bool wanted = true;
    for (;;) {
      ResultPtr r(PQgetResult(conn_));
      if (!r) break;
      const auto state = PQresultStatus(r.get());
      if (state == PGRES_SINGLE_TUPLE && wanted) {
        std::vector<Value> columns;
        const int n = PQnfields(r.get());
        columns.reserve(static_cast<std::size_t>(n));
        for (int c = 0; c < n; ++c) columns.push_back(value_of(r.get(), 0, c));
        wanted = on_row(Row(std::move(columns)));
      } else if (state != PGRES_SINGLE_TUPLE && state != PGRES_TUPLES_OK && state != PGRES_COMMAND_OK && status) {
        status = pg_error(conn_, r.get(), "statement failed");
      }
    }
    return status;
  }

  Status lock(std::string_view name) override {
    // The lock key: the first 8 bytes of SHA-256(name), so every process agrees on it.
    const auto digest = crypto::sha256(name);
    std::int64_t key = 0;
    for (int i = 0; i < 8; ++i) key = (key << 8) | digest[static_cast<std::size_t>(i)];
    return exec("SELECT pg_advisory_xact_lock(?)", {key});
  }

  std::string_view backend() const override { return "postgresql"; }

  Status commit() override {
    ResultPtr r(PQexec(conn_, "COMMIT"));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      if (connection_lost(conn_))
        return make_error(ErrorCode::unavailable,
                          "the connection to PostgreSQL was lost while committing, so the change was not confirmed; "
                          "check whether it is there before trying again");
      return pg_error(conn_, r.get(), "cannot commit");
    }
    // COMMIT of a failed transaction answers ROLLBACK: report it rather than claim success.
    if (std::string_view(PQcmdStatus(r.get())) == "ROLLBACK")
      return make_error(ErrorCode::conflict, "the transaction failed earlier and was rolled back");
    committed_ = true;
    return {};
  }

 private:
  PostgresDatabase& owner_;
  PGconn* conn_;
  bool committed_ = false;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, std::size_t pool_size) : url_(std::move(url)), pool_size_(pool_size ? pool_size : 1) {}
  ~PostgresDatabase() override {
    for (auto* c : idle_) PQfinish(c);
  }

  Result<PGconn*> connect() {
    PGconn* conn = PQconnectdb(url_.c_str());
    if (connection_lost(conn)) {
      std::string why = PQerrorMessage(conn);
      while (!why.empty() && why.back() == '\n') why.pop_back();
      PQfinish(conn);
      return make_error(ErrorCode::unavailable, "cannot connect to PostgreSQL: " + why);
    }
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // notices are not errors
    ResultPtr r(PQexec(conn, "SET TIME ZONE 'UTC'"));
    return conn;
  }

  Result<PGconn*> take() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < pool_size_; });
    if (!idle_.empty()) {
      PGconn* c = idle_.back();
      idle_.pop_back();
      lock.unlock();
      if (connection_lost(c)) PQreset(c);
      if (connection_lost(c)) {
        give_back(c, true);
        return make_error(ErrorCode::unavailable, "the connection to PostgreSQL is lost and could not be re-established");
      }
      return c;
    }
    ++open_;
    lock.unlock();
    auto c = connect();
    if (!c) {
      std::lock_guard relock(mutex_);
      --open_;
      available_.notify_one();
    }
    return c;
  }

  void give_back(PGconn* conn, bool broken) {
    std::lock_guard lock(mutex_);
    if (broken || connection_lost(conn) || PQtransactionStatus(conn) != PQTRANS_IDLE) {
      PQfinish(conn);
      --open_;
    } else {
      idle_.push_back(conn);
    }
    available_.notify_one();
  }

  Result<std::unique_ptr<Transaction>> begin(Access access) override {
    const char* begin_sql = access == Access::write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    // After the server restarts, pooled connections are dead but look alive until used.
    // BEGIN changes nothing, so failing there is safe to retry on a fresh connection, for
    // writes too; a failure after BEGIN is reported to the caller, never retried.
    Error last = make_error(ErrorCode::unavailable, "cannot begin transaction");
    for (std::size_t attempt = 0; attempt <= pool_size_; ++attempt) {
      auto conn = take();
      if (!conn) return conn.error();
      ResultPtr r(PQexec(*conn, begin_sql));
      if (PQresultStatus(r.get()) == PGRES_COMMAND_OK)
        return std::unique_ptr<Transaction>(new PostgresTransaction(*this, *conn));
      last = pg_error(*conn, r.get(), "cannot begin transaction");
      const bool lost = connection_lost(*conn);
      give_back(*conn, true);
      if (!lost) break;
    }
    return last;
  }

  std::string backend() const override { return "postgresql"; }

  Result<std::string> integrity_check() override {
    auto tx = begin(Access::read);
    if (!tx) return tx.error();
    // PostgreSQL checksums its own pages; reading every table end to end surfaces any page
    // it cannot read.
    auto tables = (*tx)->query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name");
    if (!tables) return tables.error();
    for (const auto& t : *tables) {
      auto count = (*tx)->query("SELECT COUNT(*) FROM \"" + t.text(0) + "\"");
      if (!count) return "table " + t.text(0) + ": " + count.error().message;
    }
    return std::string("ok");
  }

 private:
  std::string url_;
  std::size_t pool_size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PGconn*> idle_;
  std::size_t open_ = 0;
};

PostgresTransaction::~PostgresTransaction() {
  if (!committed_) {
    ResultPtr r(PQexec(conn_, "ROLLBACK"));
  }
  owner_.give_back(conn_, false);
}

}  // namespace

Status check_postgresql_url(std::string_view url) {
  const bool scheme_ok = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  if (!scheme_ok)
    return make_error(ErrorCode::invalid_argument,
                      "the database URL must start with postgresql:// (for SQLite give no URL: it lives in the data directory)");
  const auto authority_start = url.find("://") + 3;
  const auto authority_end = url.find_first_of("/?", authority_start);
  const auto authority = url.substr(authority_start, authority_end == std::string_view::npos ? url.npos : authority_end - authority_start);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos)
    return make_error(ErrorCode::invalid_argument,
                      "the database URL contains a password; remove it and put the password in ~/.pgpass, PGPASSFILE, "
                      "a service file or PGPASSWORD instead");
  if (url.find("password=") != std::string_view::npos)
    return make_error(ErrorCode::invalid_argument,
                      "the database URL contains a password parameter; use ~/.pgpass, PGPASSFILE or PGPASSWORD instead");
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(std::string(url).c_str(), &error);
  if (!options) {
    std::string why = error ? error : "malformed";
    PQfreemem(error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return make_error(ErrorCode::invalid_argument, "the database URL is not valid: " + why);
  }
  // Ask libpq itself, which decodes names and values the way it will use them.
  bool has_password = false;
  for (const auto* o = options; o->keyword; ++o)
    if (std::string_view(o->keyword) == "password" && o->val && o->val[0]) has_password = true;
  PQconninfoFree(options);
  if (has_password)
    return make_error(ErrorCode::invalid_argument,
                      "the database URL contains a password; remove it and put the password in ~/.pgpass, PGPASSFILE, "
                      "a service file or PGPASSWORD instead");
  return {};
}

std::string postgresql_tls_warning(std::string_view url) {
  PQconninfoOption* options = PQconninfoParse(std::string(url).c_str(), nullptr);
  if (!options) return {};
  std::string host, sslmode;
  for (const auto* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::string_view(o->keyword) == "host") host = o->val;
    if (std::string_view(o->keyword) == "sslmode") sslmode = o->val;
  }
  PQconninfoFree(options);
  if (host.empty()) {
    const char* env_host = std::getenv("PGHOST");
    host = env_host ? env_host : "";
  }
  const bool local = host.empty() || host.front() == '/' || host == "localhost" || host == "127.0.0.1" || host == "::1";
  if (local || sslmode == "verify-full") return {};
  return "the connection to PostgreSQL at " + host + " does not verify the server (sslmode=" +
         (sslmode.empty() ? std::string("prefer") : sslmode) + "); add sslmode=verify-full to the database URL";
}

Result<std::unique_ptr<Database>> open_postgresql(const std::string& url, std::size_t pool_size) {
  if (auto s = check_postgresql_url(url); !s) return s.error();
  auto db = std::make_unique<PostgresDatabase>(url, pool_size);
  auto first = db->take();  // connect now, so a wrong URL or password surfaces at startup
  if (!first) return first.error();
  db->give_back(*first, false);
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace tillit::store
