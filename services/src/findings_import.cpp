// FindingService::import: a scanner report into findings, in one write transaction.
#include <algorithm>
#include <cctype>
#include <memory>
#include <unordered_map>

#include "findings_support.h"
#include "vulnerability_notice.h"
#include "tillit/core/cvss.h"
#include "tillit/crypto/crypto.h"
#include "tillit/ingest/parse.h"
#include "tillit/services/findings.h"

namespace tillit::services {
namespace {

using nlohmann::json;

// Hashes the report's bytes as the parser reads them, so the file is read once. A parser
// that reads the report twice (Grype from a file) rewinds, and the hash starts over.
class HashingSource final : public ingest::ByteSource {
 public:
  explicit HashingSource(ingest::ByteSource& inner) : inner_(inner), hash_(std::make_unique<crypto::Sha256>()) {}
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    auto n = inner_.read(buffer, capacity);
    if (n && *n > 0) hash_->update(std::string_view(buffer, *n));
    return n;
  }
  bool rewind() override {
    if (!inner_.rewind()) return false;
    hash_ = std::make_unique<crypto::Sha256>();
    return true;
  }
  std::string hex() { return crypto::to_hex(hash_->finish()); }

 private:
  ingest::ByteSource& inner_;
  std::unique_ptr<crypto::Sha256> hash_;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string location_of(const ingest::Finding& f) {
  const auto& l = f.location;
  if (!l.port.empty()) return l.port + (l.protocol.empty() ? "" : "/" + l.protocol);
  if (l.line > 0) return l.path + ":" + std::to_string(l.line);
  return l.path;
}

// Scores of the vectors a report repeats, computed once. Bounded: a hostile report with
// millions of distinct vectors must not grow it without end.
class ScoreCache {
 public:
  // The score in tenths, or nullopt for a v2 vector (display only) or one core refuses.
  std::optional<int> operator()(const std::string& vector) {
    if (auto it = known_.find(vector); it != known_.end()) return it->second;
    std::optional<int> score;
    if (auto s = score_cvss(vector); s && s->version != "2.0") score = s->score;
    if (known_.size() > 20000) known_.clear();
    known_.emplace(vector, score);
    return score;
  }

 private:
  std::unordered_map<std::string, std::optional<int>> known_;
};

struct Counts {
  std::int64_t findings = 0, fresh = 0, unchanged = 0, reopened = 0, duplicates = 0;
};

class Importer {
 public:
  Importer(store::Transaction& tx, const RemediationPolicy& policy, const ImportOptions& options, std::int64_t import_id,
           std::string now, Timestamp now_time, std::string actor)
      : tx_(tx), policy_(policy), options_(options), import_id_(import_id), now_(std::move(now)),
        now_time_(now_time), actor_(std::move(actor)) {
    if (!options.scope.empty()) scope_ = options.scope;
  }

  Status operator()(const ingest::Finding& f) {
    if (auto s = settle_scope(f); !s) return s;
    ++counts_.findings;
    auto record = record_of(f);
    auto match = store::match_finding(tx_, scope_, record.fingerprint);
    if (!match) return match.error();
    if (!*match) {
      record.status = "open";
      record.first_seen = record.last_seen = record.known_at = now_;
      set_due(record);
      if (auto id = store::insert_finding(tx_, record); !id) return id.error();
      ++counts_.fresh;
      return {};
    }
    record.id = (*match)->id;
    if ((*match)->last_import == import_id_) return merge(record);
    record.status = (*match)->status;
    record.known_at = (*match)->known_at;
    if (record.status == "fixed") {
      // A regression: the vulnerability is back, and known again from this scan on.
      record.status = "open";
      record.known_at = now_;
      if (auto s = store::insert_finding_history(
              tx_, {0, record.id, now_, actor_, "fixed", "open", "reported again by a scan of the scope", import_id_});
          !s)
        return s;
      ++counts_.reopened;
    } else {
      ++counts_.unchanged;
    }
    set_due(record);
    return store::update_seen_finding(tx_, record);
  }

  const std::string& scope() const { return scope_; }
  void settle_empty_scope(const ingest::ReportHeader& header) {
    if (!scope_.empty()) return;
    const std::string asset = !options_.asset.empty() ? options_.asset : header.asset;
    scope_ = lower(header.tool_name.empty() ? header.format : header.tool_name) + ":" +
             (asset.empty() ? "unnamed" : asset);
  }
  const Counts& counts() const { return counts_; }

 private:
  // The default scope is the one asset the report is about; a report about several assets
  // must be given a scope, or a later scan of one of them would close the others' findings.
  Status settle_scope(const ingest::Finding& f) {
    if (scope_.empty()) {
      scope_ = lower(f.tool) + ":" + f.asset;
      scope_asset_ = f.asset;
      return {};
    }
    if (!scope_asset_.empty() && f.asset != scope_asset_)
      return make_error(ErrorCode::invalid_argument,
                        "the report covers several assets ('" + scope_asset_ + "', '" + f.asset +
                            "'); import it with --scope NAME (the query parameter scope in the API) naming what the "
                            "scan covers, so that a later scan of the same scope can close what it no longer reports");
    return {};
  }

  store::FindingRecord record_of(const ingest::Finding& f) {
    store::FindingRecord r;
    r.scope = scope_;
    r.fingerprint = f.fingerprint;
    r.kind = ingest::to_string(f.kind);
    r.tool = f.tool;
    r.asset = f.asset;
    r.component = f.component;
    r.component_version = f.component_version;
    r.purl = f.purl;
    r.location = location_of(f);
    r.vulnerability_id = f.vulnerability_id;
    json ids = json::array();
    auto add_id = [&](const std::string& id) {
      if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    };
    add_id(f.vulnerability_id);
    for (const auto& a : f.aliases) add_id(a);
    for (const auto& c : f.cwes) add_id(c);
    add_id(f.rule_id);
    r.identifiers = dump_json(ids);
    json vectors = json::array();
    for (const auto& v : f.cvss) {
      const auto score = scores_(v.vector);
      vectors.push_back({{"vector", v.vector},
                         {"version", v.version},
                         {"source", v.source},
                         {"score", score ? json(*score / 10.0) : json(nullptr)}});
      if (score && (!r.highest_score || *score > *r.highest_score)) r.highest_score = *score;
    }
    r.cvss = dump_json(vectors);
    r.tool_severity = f.tool_severity;
    tool_band_ = ingest::to_string(f.severity);
    r.title = f.title.empty() ? f.vulnerability_id.empty() ? f.rule_id : f.vulnerability_id : f.title;
    r.description = f.description;
    std::string fixes;
    for (const auto& v : f.fixed_versions) fixes += (fixes.empty() ? "" : ", ") + v;
    r.fix_version = fixes;
    r.reference_urls = dump_json(json(f.references));
    r.last_seen = now_;
    r.first_import = r.last_import = import_id_;
    return r;
  }

  void set_due(store::FindingRecord& r) {
    const auto a = assess(policy_, r.highest_score ? std::optional<int>(static_cast<int>(*r.highest_score)) : std::nullopt,
                          tool_band_);
    r.severity = a.severity;
    auto known = parse_rfc3339(r.known_at);
    const auto due = due_at(known ? *known : now_time_, a.days);
    r.due_at = due ? format_rfc3339(*due) : "";
  }

  // The same fingerprint twice in one report (one package in two lockfiles, a CVE a tool
  // lists under two advisories): one finding with the union of what both say.
  Status merge(store::FindingRecord& r) {
    ++counts_.duplicates;
    auto stored = store::find_finding(tx_, r.id);
    if (!stored) return stored.error();
    auto& s = **stored;
    auto unite = [](const std::string& a, const std::string& b, const char* key) {
      json out = json::parse(a, nullptr, false);
      if (!out.is_array()) out = json::array();
      const json more = json::parse(b, nullptr, false);
      for (const auto& item : more.is_array() ? more : json::array()) {
        const bool seen = std::any_of(out.begin(), out.end(), [&](const json& o) {
          return key ? o.value(key, "") == item.value(key, "") : o == item;
        });
        if (!seen) out.push_back(item);
      }
      return dump_json(out);
    };
    s.identifiers = unite(s.identifiers, r.identifiers, nullptr);
    s.cvss = unite(s.cvss, r.cvss, "vector");
    s.reference_urls = unite(s.reference_urls, r.reference_urls, nullptr);
    if (r.highest_score && (!s.highest_score || *r.highest_score > *s.highest_score)) s.highest_score = r.highest_score;
    if (s.fix_version.empty()) s.fix_version = r.fix_version;
    // A band from the tool only counts when neither report gave a score.
    if (!s.highest_score && severity_rank(tool_band_) < severity_rank(s.severity)) tool_band_ = s.severity;
    set_due(s);
    return store::update_seen_finding(tx_, s);
  }

  store::Transaction& tx_;
  const RemediationPolicy& policy_;
  const ImportOptions& options_;
  std::int64_t import_id_;
  std::string now_;
  Timestamp now_time_;
  std::string actor_;
  std::string scope_, scope_asset_, tool_band_;
  ScoreCache scores_;
  Counts counts_;
};

}  // namespace

json to_json(const store::ScanImportRecord& r) {
  return {{"id", r.id},
          {"tool", r.tool},
          {"tool_version", r.tool_version},
          {"format", r.format},
          {"file_sha256", r.file_sha256},
          {"scope", r.scope},
          {"asset", r.asset_override.empty() ? json(nullptr) : json(r.asset_override)},
          {"scan_time", r.scan_time.empty() ? json(nullptr) : json(r.scan_time)},
          {"imported_at", r.imported_at},
          {"imported_by", r.imported_by},
          {"findings", r.findings},
          {"new", r.new_count},
          {"unchanged", r.unchanged_count},
          {"closed", r.closed_count},
          {"reopened", r.reopened_count}};
}

Result<ImportSummary> FindingService::import(const Actor& actor, ingest::ByteSource& report,
                                             const ImportOptions& options) {
  if (auto s = authorize(actor, Permission::findings_import); !s) return s.error();
  if (options.scope.size() > 200 || options.asset.size() > 500)
    return make_error(ErrorCode::invalid_argument, "the scope may have at most 200 characters and the asset 500");
  const Timestamp now = clock_();
  const std::string at = format_rfc3339(now);
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  // Expired acceptances reopen first (by the system: time ran out), so that the scan sees
  // them as they now are.
  if (auto s = reopen_expired_in(**tx, inst_, system_actor(), now); !s) return s.error();
  store::ScanImportRecord record;
  record.format = options.format;
  record.asset_override = options.asset;
  record.imported_at = at;
  record.imported_by = actor.id;
  auto id = store::insert_scan_import(**tx, record);
  if (!id) return id.error();
  record.id = *id;

  HashingSource source(report);
  ingest::ParseOptions parse_options;
  parse_options.format = options.format;
  parse_options.asset_override = options.asset;
  Importer importer(**tx, policy_, options, record.id, at, now, actor.id);
  auto parsed = ingest::parse_report(source, parse_options, [&](const ingest::Finding& f) { return importer(f); });
  if (!parsed)
    return make_error(parsed.error().code, "the report was not imported and nothing changed: " + parsed.error().message);
  importer.settle_empty_scope(parsed->header);
  auto closed = store::close_unreported(**tx, importer.scope(), record.id, at, actor.id);
  if (!closed) return closed.error();

  const auto& c = importer.counts();
  record.tool = parsed->header.tool_name;
  record.tool_version = parsed->header.tool_version;
  record.format = parsed->header.format;
  record.file_sha256 = source.hex();
  record.scope = importer.scope();
  record.scan_time = parsed->header.scan_time;
  record.findings = c.findings;
  record.new_count = c.fresh;
  record.unchanged_count = c.unchanged;
  record.closed_count = *closed;
  record.reopened_count = c.reopened;
  if (auto s = store::finish_scan_import(**tx, record); !s) return s.error();
  json event = to_json(record);
  event["duplicates"] = c.duplicates;
  // The customer hears of new critical and high findings; queued with the import, so a
  // notice exists exactly when the import does.
  auto notice = queue_vulnerability_notice(**tx, inst_, actor, record.id, now);
  if (!notice) return notice.error();
  if (*notice) event["customer_notice"] = {{"mail_id", (*notice)->mail_id}, {"findings", (*notice)->findings}};
  if (auto e = inst_.record(**tx, actor, "findings.import", "scan_import", std::to_string(record.id), event); !e)
    return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return ImportSummary{record, c.duplicates, static_cast<std::int64_t>(parsed->rejected_vectors)};
}

Result<std::vector<store::ScanImportRecord>> FindingService::imports(const Actor& actor, std::int64_t page,
                                                                     std::int64_t per_page, std::int64_t* total) {
  if (auto s = authorize(actor, Permission::findings_read); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  if (total) {
    auto n = store::count_scan_imports(**tx);
    if (!n) return n.error();
    *total = *n;
  }
  return store::list_scan_imports(**tx, per_page, (page - 1) * per_page);
}

}  // namespace tillit::services
