// Versioned schema migrations, written once in portable SQL. The few places where the
// dialects differ are tokens replaced per back end ({{serial_pk}} for a generated key).
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "schema/schema_part.h"
#include "tillit/core/time.h"
#include "tillit/store/database.h"

namespace tillit::store {
namespace {

using schema::Migration;

const std::vector<const schema::Part*>& feature_parts() {
  static const std::vector<const schema::Part*> parts = {&schema::compliance_part(), &schema::duties_part(),
                                                         &schema::incidents_part(), &schema::patches_part()};
  return parts;
}

const std::vector<Migration>& foundation_migrations() {
  static const std::vector<Migration> all = {
      {1,
       "installation, keys, audit chain, users, setup codes, catalogues",
       {
           R"(CREATE TABLE installation (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                installation_id TEXT NOT NULL,
                created_at TEXT NOT NULL))",
           // Keys generated at init, sealed with AES-256-GCM under the master key.
           R"(CREATE TABLE wrapped_keys (
                name TEXT PRIMARY KEY,
                master_key_id TEXT NOT NULL,
                sealed TEXT NOT NULL,
                created_at TEXT NOT NULL))",
           R"(CREATE TABLE audit_events (
                seq BIGINT PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                object_type TEXT NOT NULL,
                object_id TEXT NOT NULL,
                changes TEXT NOT NULL,
                client_address TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL))",
           R"(CREATE TABLE audit_head (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                seq BIGINT NOT NULL,
                hash TEXT NOT NULL,
                mac TEXT NOT NULL))",
           R"(CREATE TABLE audit_checkpoints (
                seq BIGINT PRIMARY KEY,
                hash TEXT NOT NULL,
                at TEXT NOT NULL,
                signature TEXT NOT NULL))",
           R"(CREATE TABLE users (
                id {{serial_pk}},
                username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                email TEXT,
                role TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                updated_at TEXT NOT NULL))",
           R"(CREATE TABLE setup_codes (
                id {{serial_pk}},
                user_id BIGINT NOT NULL REFERENCES users(id),
                code_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                used_at TEXT))",
           R"(CREATE TABLE catalogs (
                id TEXT PRIMARY KEY,
                source_text TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                imported_by TEXT NOT NULL))",
       }},
      {2,
       "scheduled job runs, claimed once per slot across instances",
       {
           // One row per job and time slot: the primary key makes sure only one instance
           // claims a slot; the lease lets another take over a run whose instance died.
           R"(CREATE TABLE job_runs (
                job TEXT NOT NULL,
                slot TEXT NOT NULL,
                holder TEXT NOT NULL,
                started_at TEXT NOT NULL,
                lease_until TEXT NOT NULL,
                finished_at TEXT,
                outcome TEXT,
                PRIMARY KEY (job, slot)))",
       }},
      {3,
       "full-text search index",
       {
           // FTS5 with Unicode word splitting; å, ä and ö stay letters of their own.
           R"(CREATE VIRTUAL TABLE search_index USING fts5(
                kind UNINDEXED, doc_id UNINDEXED, title, body,
                tokenize = 'unicode61 remove_diacritics 0'))",
           R"(CREATE TABLE search_index_state (kind TEXT PRIMARY KEY, signature TEXT NOT NULL))",
       },
       {
           // A tsvector with Swedish stemming, titles weighted above bodies, under a GIN index.
           R"(CREATE TABLE search_index (
                kind TEXT NOT NULL,
                doc_id TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                document tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('swedish', title), 'A') || setweight(to_tsvector('swedish', body), 'B')) STORED,
                PRIMARY KEY (kind, doc_id)))",
           R"(CREATE INDEX search_index_document ON search_index USING GIN (document))",
           R"(CREATE TABLE search_index_state (kind TEXT PRIMARY KEY, signature TEXT NOT NULL))",
       }},
      {4,
       "accounts: passwords, second factor, roles and their history, sessions, sign-in throttling, API tokens, "
       "four-eyes requests, access reviews",
       {
           // users.role now holds the account's kind: 'admin' (system administration only) or
           // 'business' (roles in user_roles). One account can never be both (annex req. 44).
           "ALTER TABLE users ADD COLUMN password_hash TEXT",
           "ALTER TABLE users ADD COLUMN password_changed_at TEXT",
           "ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0",
           // The TOTP secret, AES-256-GCM under the installation's field key.
           "ALTER TABLE users ADD COLUMN totp_secret_sealed TEXT",
           "ALTER TABLE users ADD COLUMN totp_last_step BIGINT",
           "ALTER TABLE users ADD COLUMN mfa_enrolled_at TEXT",
           "ALTER TABLE users ADD COLUMN last_login_at TEXT",
           "ALTER TABLE users ADD COLUMN last_login_address TEXT",
           "ALTER TABLE users ADD COLUMN last_failed_login_at TEXT",
           "ALTER TABLE users ADD COLUMN last_failed_login_address TEXT",
           "ALTER TABLE users ADD COLUMN oidc_issuer TEXT",
           "ALTER TABLE users ADD COLUMN oidc_subject TEXT",
           "ALTER TABLE users ADD COLUMN deleted_at TEXT",
           "CREATE UNIQUE INDEX users_oidc_subject ON users (oidc_issuer, oidc_subject)",
           R"(CREATE TABLE user_roles (
                user_id BIGINT NOT NULL REFERENCES users(id),
                role TEXT NOT NULL,
                granted_at TEXT NOT NULL,
                granted_by TEXT NOT NULL,
                approved_by TEXT NOT NULL,
                PRIMARY KEY (user_id, role)))",
           // Every grant and removal, kept after the role is gone: the privileged-roles report.
           R"(CREATE TABLE role_history (
                id {{serial_pk}},
                user_id BIGINT NOT NULL REFERENCES users(id),
                role TEXT NOT NULL,
                change TEXT NOT NULL,
                at TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                approved_by TEXT NOT NULL,
                request_id BIGINT))",
           R"(CREATE TABLE password_history (
                id {{serial_pk}},
                user_id BIGINT NOT NULL REFERENCES users(id),
                password_hash TEXT NOT NULL,
                set_at TEXT NOT NULL))",
           R"(CREATE TABLE recovery_codes (
                id {{serial_pk}},
                user_id BIGINT NOT NULL REFERENCES users(id),
                code_hash TEXT NOT NULL,
                created_at TEXT NOT NULL))",
           // Only the SHA-256 of a session id is stored: a copy of the database holds no
           // usable session. user_id is NULL while a federated sign-in is under way.
           R"(CREATE TABLE sessions (
                id_hash TEXT PRIMARY KEY,
                user_id BIGINT REFERENCES users(id),
                stage TEXT NOT NULL,
                csrf_token TEXT NOT NULL,
                created_at TEXT NOT NULL,
                last_seen_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                client_address TEXT NOT NULL,
                pending_secret_sealed TEXT,
                revoked_at TEXT,
                revoke_reason TEXT))",
           "CREATE INDEX sessions_user ON sessions (user_id)",
           // Failed sign-ins per account ('account:ID') and per client address ('address:IP').
           R"(CREATE TABLE login_throttle (
                subject TEXT PRIMARY KEY,
                failures BIGINT NOT NULL,
                last_failure_at TEXT NOT NULL,
                locked_until TEXT))",
           R"(CREATE TABLE api_tokens (
                id {{serial_pk}},
                user_id BIGINT NOT NULL REFERENCES users(id),
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                permissions TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                revoked_at TEXT,
                last_used_at TEXT))",
           R"(CREATE TABLE approval_requests (
                id {{serial_pk}},
                kind TEXT NOT NULL,
                target_user_id BIGINT REFERENCES users(id),
                payload TEXT NOT NULL,
                reason TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                requested_at TEXT NOT NULL,
                status TEXT NOT NULL,
                decided_by TEXT,
                decided_at TEXT,
                decision_note TEXT))",
           R"(CREATE TABLE access_reviews (
                id {{serial_pk}},
                title TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                closed_by TEXT,
                closed_at TEXT))",
           R"(CREATE TABLE access_review_items (
                review_id BIGINT NOT NULL REFERENCES access_reviews(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                username TEXT NOT NULL,
                kind TEXT NOT NULL,
                roles TEXT NOT NULL,
                last_login_at TEXT,
                unused BIGINT NOT NULL,
                decision TEXT,
                decided_by TEXT,
                decided_at TEXT,
                note TEXT,
                PRIMARY KEY (review_id, user_id)))",
       }},
      {5,
       "vulnerability findings from scanner imports, their imports and status history",
       {
           // One row per imported report: what it was (tool, file hash) and what it changed.
           R"(CREATE TABLE scan_imports (
                id {{serial_pk}},
                tool TEXT NOT NULL,
                tool_version TEXT NOT NULL,
                format TEXT NOT NULL,
                file_sha256 TEXT NOT NULL,
                scope TEXT NOT NULL,
                asset_override TEXT,
                scan_time TEXT,
                imported_at TEXT NOT NULL,
                imported_by TEXT NOT NULL,
                findings BIGINT NOT NULL DEFAULT 0,
                new_count BIGINT NOT NULL DEFAULT 0,
                unchanged_count BIGINT NOT NULL DEFAULT 0,
                closed_count BIGINT NOT NULL DEFAULT 0,
                reopened_count BIGINT NOT NULL DEFAULT 0))",
           "CREATE INDEX scan_imports_scope ON scan_imports (scope)",
           // A finding is unique per scope by its fingerprint (ingest/fingerprint.h); identifiers,
           // CVSS vectors and references are JSON arrays. Scores are whole tenths (core/cvss.h).
           R"(CREATE TABLE findings (
                id {{serial_pk}},
                scope TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                kind TEXT NOT NULL,
                tool TEXT NOT NULL,
                asset TEXT NOT NULL,
                component TEXT NOT NULL,
                component_version TEXT NOT NULL,
                purl TEXT NOT NULL,
                location TEXT NOT NULL,
                vulnerability_id TEXT NOT NULL,
                identifiers TEXT NOT NULL,
                cvss TEXT NOT NULL,
                highest_score BIGINT,
                tool_severity TEXT NOT NULL,
                severity TEXT NOT NULL,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                fix_version TEXT NOT NULL,
                reference_urls TEXT NOT NULL,
                status TEXT NOT NULL,
                first_seen TEXT NOT NULL,
                last_seen TEXT NOT NULL,
                known_at TEXT NOT NULL,
                due_at TEXT,
                fixed_at TEXT,
                first_import BIGINT NOT NULL REFERENCES scan_imports(id),
                last_import BIGINT NOT NULL REFERENCES scan_imports(id),
                closed_by_import BIGINT REFERENCES scan_imports(id),
                mitigation_kind TEXT,
                mitigation TEXT,
                accepted_until TEXT,
                approved_by TEXT,
                UNIQUE (scope, fingerprint)))",
           "CREATE INDEX findings_scope_import ON findings (scope, last_import)",
           "CREATE INDEX findings_status ON findings (status, severity)",
           // Every status change with who, when and why; kept when the finding changes again.
           R"(CREATE TABLE finding_history (
                id {{serial_pk}},
                finding_id BIGINT NOT NULL REFERENCES findings(id),
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                reason TEXT NOT NULL,
                import_id BIGINT REFERENCES scan_imports(id)))",
           "CREATE INDEX finding_history_finding ON finding_history (finding_id)",
       }},
  };
  return all;
}

// The foundation's migrations, then every feature part's, in version order.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = [] {
    std::vector<Migration> joined = foundation_migrations();
    for (const auto* part : feature_parts())
      joined.insert(joined.end(), part->migrations.begin(), part->migrations.end());
    std::stable_sort(joined.begin(), joined.end(),
                     [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return joined;
  }();
  return all;
}

std::string dialect(std::string sql, const std::string& backend) {
  const std::string token = "{{serial_pk}}";
  const std::string replacement =
      backend == "postgresql" ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY";
  for (auto pos = sql.find(token); pos != std::string::npos; pos = sql.find(token))
    sql.replace(pos, token.size(), replacement);
  return sql;
}

}  // namespace

// Every table the migrations create, parents before children (drop in reverse).
const std::vector<const char*>& schema_tables() {
  static const std::vector<const char*> tables = [] {
    std::vector<const char*> all = {"installation", "wrapped_keys",  "audit_events", "audit_head",
                                                   "audit_checkpoints", "users", "setup_codes", "catalogs",
                                                   "job_runs", "search_index", "search_index_state",
                                                   "user_roles", "role_history", "password_history",
                                                   "recovery_codes", "sessions", "login_throttle", "api_tokens",
                                                   "approval_requests", "access_reviews", "access_review_items",
                                                   "scan_imports", "findings", "finding_history",
                                                   };
    for (const auto* part : feature_parts()) all.insert(all.end(), part->tables.begin(), part->tables.end());
    all.push_back("schema_migrations");
    return all;
  }();
  return tables;
}

// Derived tables that are rebuilt rather than copied when an installation moves.
bool is_derived(std::string_view table) {
  return table == "search_index" || table == "search_index_state" || table == "schema_migrations";
}

// Tables whose id is generated: after a bulk copy PostgreSQL's identity must move past them.
const std::vector<const char*>& generated_id_tables() {
  static const std::vector<const char*> tables = [] {
    std::vector<const char*> all = {"users",           "setup_codes",       "role_history",
                                                   "password_history", "recovery_codes",   "api_tokens",
                                                   "approval_requests", "access_reviews", "scan_imports",
                                                   "findings", "finding_history"};
    for (const auto* part : feature_parts())
      all.insert(all.end(), part->generated_id_tables.begin(), part->generated_id_tables.end());
    return all;
  }();
  return tables;
}

int latest_schema_version() { return migrations().back().version; }

namespace {
Result<std::vector<std::string>> column_names(Transaction& tx, const std::string& backend, const std::string& table) {
  const std::string sql = backend == "postgresql"
                              ? "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                                "AND table_name = ? ORDER BY ordinal_position"
                              : "SELECT name FROM pragma_table_info(?) ORDER BY cid";
  auto rows = tx.query(sql, {table});
  if (!rows) return rows.error();
  std::vector<std::string> names;
  for (const auto& r : *rows) names.push_back(r.text(0));
  return names;
}
}  // namespace

Result<std::vector<std::pair<std::string, std::int64_t>>> count_rows(Database& db) {
  auto tx = db.begin(Access::read);
  if (!tx) return tx.error();
  std::vector<std::pair<std::string, std::int64_t>> counts;
  for (const char* table : schema_tables()) {
    if (is_derived(table)) continue;
    auto rows = (*tx)->query(std::string("SELECT COUNT(*) FROM ") + table);
    if (!rows) return rows.error();
    counts.emplace_back(table, rows->front().integer(0));
  }
  return counts;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> copy_all_rows(Database& from, Database& to) {
  auto source = from.begin(Access::read);
  if (!source) return source.error();
  auto target = to.begin(Access::write);
  if (!target) return target.error();
  std::vector<std::pair<std::string, std::int64_t>> copied;
  for (const char* table : schema_tables()) {
    if (is_derived(table)) continue;  // the target has its own migrations and rebuilds its index
    auto columns = column_names(**source, from.backend(), table);
    if (!columns) return columns.error();
    std::string list, marks;
    for (const auto& c : *columns) {
      list += (list.empty() ? "" : ", ") + c;
      marks += marks.empty() ? "?" : ", ?";
    }
    const std::string insert = std::string("INSERT INTO ") + table + " (" + list + ") VALUES (" + marks + ")";
    std::int64_t count = 0;
    Status failed;
    auto s = (*source)->for_each(std::string("SELECT ") + list + " FROM " + table, {}, [&](const Row& r) {
      Params values;
      for (std::size_t i = 0; i < r.size(); ++i) values.push_back(r.value(i));
      failed = (*target)->exec(insert, values);
      ++count;
      return static_cast<bool>(failed);
    });
    if (!s) return s.error();
    if (!failed) return make_error(failed.error().code, std::string("copying ") + table + ": " + failed.error().message);
    copied.emplace_back(table, count);
  }
  if (to.backend() == "postgresql") {
    for (const char* table : generated_id_tables()) {
      const std::string sql = std::string("SELECT setval(pg_get_serial_sequence('") + table +
                              "', 'id'), COALESCE((SELECT MAX(id) FROM " + table + "), 0) + 1, false)";
      if (auto s = (*target)->exec(sql); !s) return s.error();
    }
  }
  if (auto s = (*target)->commit(); !s) return s.error();
  return copied;
}

Result<bool> is_empty(Database& db) {
  auto tx = db.begin(Access::read);
  if (!tx) return tx.error();
  for (const char* table : schema_tables()) {
    // information_schema exists in PostgreSQL; SQLite answers through sqlite_master.
    const std::string sql = db.backend() == "postgresql"
                                ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
                                : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?";
    auto rows = (*tx)->query(sql, {std::string(table)});
    if (!rows) return rows.error();
    if (rows->front().integer(0) > 0) return false;
  }
  return true;
}

Status drop_schema(Database& db) {
  auto tx = db.begin(Access::write);
  if (!tx) return tx.error();
  const auto& tables = schema_tables();
  for (auto it = tables.rbegin(); it != tables.rend(); ++it)
    if (auto s = (*tx)->exec(std::string("DROP TABLE IF EXISTS ") + *it); !s) return s;
  return (*tx)->commit();
}

Result<int> migrate(Database& db) {
  {
    auto tx = db.begin(Access::write);
    if (!tx) return tx.error();
    // Several servers may start at once against one database: one migrates, the others wait.
    if (auto s = (*tx)->lock("tillit-migrations"); !s) return s.error();
    if (auto s = (*tx)->exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        !s)
      return s.error();
    if (auto s = (*tx)->commit(); !s) return s.error();
  }
  int current = 0;
  for (const auto& m : migrations()) {
    auto tx = db.begin(Access::write);
    if (!tx) return tx.error();
    if (auto s = (*tx)->lock("tillit-migrations"); !s) return s.error();
    auto rows = (*tx)->query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!rows) return rows.error();
    current = static_cast<int>(rows->front().integer(0));
    if (current > latest_schema_version())
      return make_error(ErrorCode::conflict, "the database has schema version " + std::to_string(current) +
                                                 ", newer than this Tillit (" + std::to_string(latest_schema_version()) +
                                                 "); upgrade Tillit");
    if (m.version <= current) continue;
    const auto& statements =
        db.backend() == "postgresql" && !m.postgresql_statements.empty() ? m.postgresql_statements : m.statements;
    for (const char* statement : statements) {
      if (auto s = (*tx)->exec(dialect(statement, db.backend())); !s)
        return make_error(s.error().code, "migration " + std::to_string(m.version) + " failed, database unchanged: " +
                                              s.error().message);
    }
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now());
    if (auto s = (*tx)->exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                             {std::int64_t{m.version}, std::string(m.name), format_rfc3339(now)});
        !s)
      return s.error();
    if (auto s = (*tx)->commit(); !s) return s.error();
    current = m.version;
  }
  return std::max(current, latest_schema_version());
}

}  // namespace tillit::store
