#include "backup_database.h"

#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace tillit::services::backup_database {
namespace {

Result<std::vector<std::string>> column_names(store::Transaction& tx, const std::string& table) {
  const std::string sql = tx.backend() == "postgresql"
                              ? "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                                "AND table_name = ? ORDER BY ordinal_position"
                              : "SELECT name FROM pragma_table_info(?) ORDER BY cid";
  auto rows = tx.query(sql, {table});
  if (!rows) return rows.error();
  std::vector<std::string> names;
  for (const auto& r : *rows) names.push_back(r.text(0));
  if (names.empty()) return make_error(ErrorCode::integrity, "the table '" + table + "' is missing from the database");
  return names;
}

nlohmann::json to_json(const store::Value& v) {
  if (std::holds_alternative<std::nullptr_t>(v)) return nullptr;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::get<std::string>(v);
}

Result<store::Value> from_json(const nlohmann::json& j) {
  if (j.is_null()) return store::Value(nullptr);
  if (j.is_number_integer()) return store::Value(j.get<std::int64_t>());
  if (j.is_number_float()) return store::Value(j.get<double>());
  if (j.is_string()) return store::Value(j.get<std::string>());
  return make_error(ErrorCode::integrity, "the database dump holds a value of an unknown kind");
}

}  // namespace

Result<std::vector<std::string>> data_tables(store::Database& db) {
  auto counts = store::count_rows(db);
  if (!counts) return counts.error();
  std::vector<std::string> names;
  for (const auto& c : *counts) names.push_back(c.first);
  return names;
}

Result<SnapshotFacts> read_facts(store::Transaction& tx, const std::vector<std::string>& tables) {
  SnapshotFacts facts;
  for (const auto& table : tables) {
    auto rows = tx.query("SELECT COUNT(*) FROM " + table);
    if (!rows) return rows.error();
    facts.rows.emplace_back(table, rows->front().integer(0));
  }
  auto inst = tx.query("SELECT installation_id FROM installation WHERE id = 1");
  if (!inst) return inst.error();
  if (inst->empty()) return make_error(ErrorCode::integrity, "the database holds no installation record");
  facts.installation_id = inst->front().text(0);
  auto version = tx.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!version) return version.error();
  facts.schema_version = static_cast<int>(version->front().integer(0));
  auto head = tx.query("SELECT seq, hash FROM audit_head WHERE id = 1");
  if (!head) return head.error();
  if (!head->empty()) {
    facts.audit_events = head->front().integer(0);
    facts.audit_head = head->front().text(1);
  }
  return facts;
}

Status sqlite_online_copy(const std::filesystem::path& source, const std::filesystem::path& target) {
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  struct Closer {
    sqlite3*& a;
    sqlite3*& b;
    ~Closer() {
      sqlite3_close_v2(a);
      sqlite3_close_v2(b);
    }
  } closer{src, dst};
  if (sqlite3_open_v2(source.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return make_error(ErrorCode::unavailable, "cannot open '" + source.string() + "': " + sqlite3_errmsg(src));
  sqlite3_busy_timeout(src, 30000);
  if (sqlite3_open_v2(target.c_str(), &dst, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    return make_error(ErrorCode::unavailable, "cannot open '" + target.string() + "': " + sqlite3_errmsg(dst));
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (!backup) return make_error(ErrorCode::unavailable, std::string("cannot start the database copy: ") + sqlite3_errmsg(dst));
  // -1: every page in one step, hence one read transaction and a consistent copy. Busy or
  // locked only means a writer held a lock for a moment (a WAL checkpoint); try again.
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 600; ++attempt) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE)
    return make_error(ErrorCode::unavailable, "the database copy failed: " + std::string(sqlite3_errstr(rc)) +
                                                  "; check the disk space of the data directory and retry");
  return {};
}

Status write_dump(store::Transaction& tx, const std::vector<std::string>& tables,
                  const std::function<Status(std::string_view)>& out) {
  for (const auto& table : tables) {
    auto columns = column_names(tx, table);
    if (!columns) return columns.error();
    if (auto s = out(nlohmann::json{{"table", table}, {"columns", *columns}}.dump() + "\n"); !s) return s;
    std::string list;
    for (const auto& c : *columns) list += (list.empty() ? "" : ", ") + c;
    Status failed;
    auto s = tx.for_each("SELECT " + list + " FROM " + table, {}, [&](const store::Row& r) {
      nlohmann::json row = nlohmann::json::array();
      for (std::size_t i = 0; i < r.size(); ++i) row.push_back(to_json(r.value(i)));
      try {
        failed = out(row.dump() + "\n");
      } catch (const nlohmann::json::exception& e) {  // text that is not UTF-8
        failed = make_error(ErrorCode::integrity, "a row of '" + table + "' cannot be dumped: " + e.what());
      }
      return static_cast<bool>(failed);
    });
    if (!s) return s;
    if (!failed) return failed;
  }
  return {};
}

Status load_dump(store::Database& target, const std::filesystem::path& dump) {
  std::ifstream in(dump, std::ios::binary);
  if (!in) return make_error(ErrorCode::unavailable, "cannot read '" + dump.string() + "'");
  auto tx = target.begin(store::Access::write);
  if (!tx) return tx.error();
  std::string table, insert, line;
  std::vector<std::string> tables;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      return make_error(ErrorCode::integrity, "line " + std::to_string(line_no) + " of the database dump is unreadable");
    }
    if (j.is_object()) {
      table = j.at("table").get<std::string>();
      tables.push_back(table);
      std::string list, marks;
      for (const auto& c : j.at("columns")) {
        list += (list.empty() ? "" : ", ") + c.get<std::string>();
        marks += marks.empty() ? "?" : ", ?";
      }
      insert = "INSERT INTO " + table + " (" + list + ") VALUES (" + marks + ")";
      continue;
    }
    if (table.empty()) return make_error(ErrorCode::integrity, "the database dump starts with a row outside any table");
    store::Params values;
    for (const auto& v : j) {
      auto value = from_json(v);
      if (!value) return value.error();
      values.push_back(std::move(*value));
    }
    if (auto s = (*tx)->exec(insert, values); !s)
      return make_error(s.error().code, "restoring the table '" + table + "' failed (" + s.error().message +
                                            "); the backup may come from another schema version");
  }
  if (target.backend() == "postgresql") {
    for (const auto& t : tables) {
      auto seq = (*tx)->query("SELECT pg_get_serial_sequence(?, 'id') FROM information_schema.columns WHERE "
                              "table_schema = current_schema() AND table_name = ? AND column_name = 'id'",
                              {t, t});
      if (!seq) return seq.error();
      if (seq->empty() || seq->front().is_null(0)) continue;
      if (auto s = (*tx)->exec("SELECT setval(?::regclass, COALESCE((SELECT MAX(id) FROM " + t + "), 0) + 1, false)",
                               {seq->front().text(0)});
          !s)
        return s;
    }
  }
  return (*tx)->commit();
}

}  // namespace tillit::services::backup_database
