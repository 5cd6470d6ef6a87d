#include "tillit/services/evidence.h"

#include <algorithm>

#include "compliance_support.h"
#include "tillit/core/assessment.h"
#include "tillit/crypto/crypto.h"

namespace tillit::services {
namespace {

using nlohmann::json;
json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

Error invalid(const std::string& field, const std::string& what) {
  return make_error(ErrorCode::invalid_argument, field + ": " + what);
}

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

Status check_title(const std::string& title) {
  if (title.empty() || title.size() > 200 || has_control_characters(title))
    return invalid("title", "must be 1-200 characters on one line");
  return {};
}

Status check_description(const std::string& text) {
  if (text.size() > 20000) return invalid("description", "is longer than 20000 bytes");
  return {};
}

Status check_file(const EvidenceFile& f) {
  if (f.file_name.empty() || f.file_name.size() > 255 || has_control_characters(f.file_name) ||
      f.file_name.find_first_of("/\\") != std::string::npos || f.file_name == "." || f.file_name == "..")
    return invalid("file_name", "must be a file name of 1-255 characters without a directory (no / or \\)");
  const auto slash = f.media_type.find('/');
  const bool token = std::all_of(f.media_type.begin(), f.media_type.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$&^_.+-/").find(c) != std::string_view::npos;
  });
  if (!f.media_type.empty() && (f.media_type.size() > 100 || !token || slash == std::string::npos || slash == 0 ||
                                slash + 1 == f.media_type.size() || f.media_type.find('/', slash + 1) != std::string::npos))
    return invalid("media_type", "must be a media type such as application/pdf");
  return {};
}

// Binds a chunk to its version and place, so chunks cannot be reordered or swapped between files.
std::string chunk_context(std::int64_t version_id, std::int64_t index) {
  return "tillit/evidence-chunk/1\n" + std::to_string(version_id) + "\n" + std::to_string(index);
}
std::string key_context(std::int64_t version_id) { return "tillit/evidence-key/1\n" + std::to_string(version_id); }

std::string describe(const store::EvidenceVersionRecord& v) {
  return "evidence " + std::to_string(v.evidence_id) + " version " + std::to_string(v.version);
}

// Decrypts every chunk of `v` in order and hands the plaintext to `on_plain`; checks the
// chunks' order and count, the size and the SHA-256 of the whole against the version row.
Status read_verified(store::Transaction& tx, const crypto::SecretBytes& field_key, const store::EvidenceVersionRecord& v,
                     const ByteSink& on_plain) {
  const auto fail = [&](const std::string& what) {
    return make_error(ErrorCode::integrity, "INTEGRITY FAILURE: " + describe(v) + " (" + v.file_name + "): " + what +
                                                "; the stored file was changed or damaged and is not handed out. "
                                                "Restore it from a backup or upload it again.");
  };
  auto wrapped = crypto::from_base64(v.wrapped_key);
  if (!wrapped) return fail("its data key is not readable");
  auto key = crypto::aes256gcm_open(field_key, crypto::as_chars(*wrapped), key_context(v.id));
  if (!key) return fail("its data key does not open with this installation's key");
  crypto::Sha256 hash;
  std::int64_t expected = 0, size = 0;
  Status sink_status;
  auto s = store::for_each_evidence_chunk(tx, v.id, [&](std::int64_t index, const std::string& sealed) -> Status {
    if (index != expected) return fail("chunk " + std::to_string(expected) + " is missing");
    auto bytes = crypto::from_base64(sealed);
    if (!bytes) return fail("chunk " + std::to_string(index) + " is not readable");
    auto plain = crypto::aes256gcm_open(*key, crypto::as_chars(*bytes), chunk_context(v.id, index));
    if (!plain) return fail("chunk " + std::to_string(index) + " fails authentication");
    hash.update(plain->view());
    size += static_cast<std::int64_t>(plain->size());
    ++expected;
    if (on_plain) {
      sink_status = on_plain(plain->view());
      if (!sink_status) return sink_status;
    }
    return {};
  });
  if (!s) return s;
  if (expected != v.chunk_count) return fail("it has " + std::to_string(expected) + " chunks instead of " +
                                             std::to_string(v.chunk_count));
  if (size != v.size_bytes) return fail("it is " + std::to_string(size) + " bytes instead of " + std::to_string(v.size_bytes));
  if (crypto::to_hex(hash.finish()) != v.sha256) return fail("its SHA-256 does not match the one recorded at upload");
  return {};
}

}  // namespace

const std::vector<std::string>& evidence_link_types() {
  static const std::vector<std::string> all = {"requirement", "risk",     "incident", "duty",   "duty_completion",
                                               "change",      "asset",    "supplier", "policy", "finding"};
  return all;
}

nlohmann::json to_json(const store::EvidenceVersionRecord& v) {
  return {{"version", v.version},         {"file_name", v.file_name},     {"media_type", opt(v.media_type)},
          {"size_bytes", v.size_bytes},   {"sha256", v.sha256},           {"uploaded_at", v.uploaded_at},
          {"uploaded_by", v.uploaded_by}};
}

nlohmann::json to_json(const EvidenceView& v, bool detail) {
  const auto& e = v.record;
  json j = {{"id", e.id},
            {"title", e.title},
            {"description", e.description},
            {"valid_until", opt(e.valid_until)},
            {"current", v.current},
            {"created_at", e.created_at},
            {"created_by", e.created_by},
            {"updated_at", e.updated_at},
            {"updated_by", e.updated_by},
            {"latest", v.latest ? to_json(*v.latest) : json(nullptr)}};
  if (detail) {
    json versions = json::array();
    for (const auto& ver : v.versions) versions.push_back(to_json(ver));
    j["versions"] = versions;
    json links = json::array();
    for (const auto& l : v.links)
      links.push_back({{"type", l.target_type}, {"id", l.target_id}, {"linked_at", l.linked_at}, {"linked_by", l.linked_by}});
    j["links"] = links;
  }
  return j;
}

EvidenceService::EvidenceService(Installation& inst, TimeSource clock) : inst_(inst), clock_(std::move(clock)) {}

Result<std::int64_t> EvidenceService::store_version(store::Transaction& tx, const Actor& actor, std::int64_t evidence_id,
                                                    const EvidenceFile& file, const ByteSource& content,
                                                    store::EvidenceVersionRecord& v) {
  auto number = store::next_evidence_version(tx, evidence_id);
  if (!number) return number.error();
  v = {0, evidence_id, *number, file.file_name, file.media_type, 0, "", "", static_cast<std::int64_t>(kEvidenceChunkBytes),
       0, format_rfc3339(clock_()), actor.id};
  // The row first: its id is bound into every chunk and into the sealed data key.
  auto id = store::insert_evidence_version(tx, v);
  if (!id) return id.error();
  v.id = *id;
  const auto data_key = crypto::random_key(32);
  const std::uint64_t limit = inst_.config().evidence_max_bytes;
  crypto::Sha256 hash;
  std::uint64_t total = 0;
  std::string chunk(kEvidenceChunkBytes, '\0');
  for (bool end = false; !end;) {
    std::size_t filled = 0;
    while (filled < chunk.size()) {
      auto n = content(chunk.data() + filled, chunk.size() - filled);
      if (!n) return n.error();
      if (*n == 0) {
        end = true;
        break;
      }
      filled += *n;
      total += *n;
      if (total > limit)
        return make_error(ErrorCode::invalid_argument,
                          "file: larger than the limit of " + std::to_string(limit / (1024 * 1024)) +
                              " MiB (setting evidence_max_mb); nothing was stored");
    }
    if (filled == 0) break;
    const std::string_view plain(chunk.data(), filled);
    hash.update(plain);
    const auto sealed = crypto::aes256gcm_seal(data_key, plain, chunk_context(v.id, v.chunk_count));
    if (auto s = store::insert_evidence_chunk(tx, v.id, v.chunk_count, crypto::to_base64(crypto::as_chars(sealed))); !s)
      return s.error();
    ++v.chunk_count;
  }
  if (total == 0) return invalid("file", "is empty; upload a file with content");
  v.size_bytes = static_cast<std::int64_t>(total);
  v.sha256 = crypto::to_hex(hash.finish());
  v.wrapped_key = crypto::to_base64(crypto::as_chars(crypto::aes256gcm_seal(inst_.field_key(), data_key.view(), key_context(v.id))));
  if (auto s = store::finish_evidence_version(tx, v); !s) return s.error();
  return v.id;
}

Result<EvidenceView> EvidenceService::add(const Actor& actor, const NewEvidence& e, const ByteSource& content) {
  if (auto s = authorize(actor, Permission::evidence_upload); !s) return s.error();
  if (auto s = check_title(e.title); !s) return s.error();
  if (auto s = check_description(e.description); !s) return s.error();
  if (!e.valid_until.empty())
    if (auto s = check_date("valid_until", e.valid_until); !s) return s.error();
  if (auto s = check_file(e.file); !s) return s.error();
  std::vector<std::string> keys;
  if (!e.requirements.empty()) {
    auto catalogues = compliance::load_catalogues(inst_);
    if (!catalogues) return catalogues.error();
    for (const auto& ref : e.requirements) {
      auto r = compliance::resolve(*catalogues, ref, "requirement");
      if (!r) return r.error();
      keys.push_back(r->key());
    }
  }
  const auto now = format_rfc3339(clock_());
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto id = store::insert_evidence(**tx, {0, e.title, e.description, e.valid_until, now, actor.id, now, actor.id});
  if (!id) return id.error();
  store::EvidenceVersionRecord v;
  if (auto s = store_version(**tx, actor, *id, e.file, content, v); !s) return s.error();
  for (const auto& key : keys)
    if (auto s = store::insert_evidence_link(**tx, {*id, "requirement", key, now, actor.id}); !s) return s.error();
  if (auto a = inst_.record(**tx, actor, "evidence.add", "evidence", std::to_string(*id),
                            {{"title", e.title}, {"valid_until", opt(e.valid_until)}, {"version", to_json(v)},
                             {"requirements", keys}});
      !a)
    return a.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return get(actor, *id);
}

Result<EvidenceView> EvidenceService::add_version(const Actor& actor, std::int64_t id, const EvidenceFile& file,
                                                  const ByteSource& content, std::optional<std::string> valid_until) {
  if (auto s = authorize(actor, Permission::evidence_upload); !s) return s.error();
  if (auto s = check_file(file); !s) return s.error();
  if (valid_until && !valid_until->empty())
    if (auto s = check_date("valid_until", *valid_until); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto e = store::find_evidence(**tx, id);
  if (!e) return e.error();
  if (!*e) return make_error(ErrorCode::not_found, "id: no evidence " + std::to_string(id));
  store::EvidenceVersionRecord v;
  if (auto s = store_version(**tx, actor, id, file, content, v); !s) return s.error();
  json changes = {{"version", to_json(v)}};
  if (valid_until) {
    changes["valid_until"] = {{"before", opt((*e)->valid_until)}, {"after", opt(*valid_until)}};
    (*e)->valid_until = *valid_until;
  }
  (*e)->updated_at = v.uploaded_at;
  (*e)->updated_by = actor.id;
  if (auto s = store::update_evidence(**tx, **e); !s) return s.error();
  if (auto a = inst_.record(**tx, actor, "evidence.version", "evidence", std::to_string(id), changes); !a)
    return a.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return get(actor, id);
}

Result<EvidenceView> EvidenceService::update(const Actor& actor, std::int64_t id, const EvidenceChange& c) {
  if (auto s = authorize(actor, Permission::evidence_upload); !s) return s.error();
  if (c.title)
    if (auto s = check_title(*c.title); !s) return s.error();
  if (c.description)
    if (auto s = check_description(*c.description); !s) return s.error();
  if (c.valid_until && !c.valid_until->empty())
    if (auto s = check_date("valid_until", *c.valid_until); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto e = store::find_evidence(**tx, id);
  if (!e) return e.error();
  if (!*e) return make_error(ErrorCode::not_found, "id: no evidence " + std::to_string(id));
  json changes = json::object();
  const auto change = [&](const char* name, const std::optional<std::string>& value, std::string& field) {
    if (!value || *value == field) return;
    changes[name] = {{"before", opt(field)}, {"after", opt(*value)}};
    field = *value;
  };
  change("title", c.title, (*e)->title);
  change("description", c.description, (*e)->description);
  change("valid_until", c.valid_until, (*e)->valid_until);
  if (changes.empty()) return get(actor, id);
  (*e)->updated_at = format_rfc3339(clock_());
  (*e)->updated_by = actor.id;
  if (auto s = store::update_evidence(**tx, **e); !s) return s.error();
  if (auto a = inst_.record(**tx, actor, "evidence.update", "evidence", std::to_string(id), changes); !a)
    return a.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return get(actor, id);
}

Result<std::vector<EvidenceView>> EvidenceService::list(const Actor& actor, std::int64_t page, std::int64_t per_page,
                                                        std::int64_t* total) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  if (page < 1) return invalid("page", "starts at 1");
  if (per_page < 1 || per_page > 500) return invalid("per_page", "must be from 1 to 500");
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  if (total) {
    auto n = store::count_evidence(**tx);
    if (!n) return n.error();
    *total = *n;
  }
  auto rows = store::list_evidence(**tx, per_page, (page - 1) * per_page);
  if (!rows) return rows.error();
  const auto today = date_of(clock_());
  std::vector<EvidenceView> out;
  for (auto& r : *rows) {
    auto versions = store::evidence_versions(**tx, r.id);
    if (!versions) return versions.error();
    EvidenceView v{std::move(r), false, std::nullopt, {}, {}};
    v.current = evidence_current(v.record.valid_until, today);
    if (!versions->empty()) v.latest = versions->front();
    out.push_back(std::move(v));
  }
  return out;
}

Result<EvidenceView> EvidenceService::get(const Actor& actor, std::int64_t id) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto e = store::find_evidence(**tx, id);
  if (!e) return e.error();
  if (!*e) return make_error(ErrorCode::not_found, "id: no evidence " + std::to_string(id));
  auto versions = store::evidence_versions(**tx, id);
  if (!versions) return versions.error();
  auto links = store::evidence_links(**tx, id);
  if (!links) return links.error();
  EvidenceView v{std::move(**e), false, std::nullopt, std::move(*versions), std::move(*links)};
  v.current = evidence_current(v.record.valid_until, date_of(clock_()));
  if (!v.versions.empty()) v.latest = v.versions.front();
  return v;
}

Result<EvidenceView> EvidenceService::link(const Actor& actor, std::int64_t id, const std::string& target_type,
                                           const std::string& target_id) {
  if (auto s = authorize(actor, Permission::evidence_upload); !s) return s.error();
  const auto& types = evidence_link_types();
  if (std::find(types.begin(), types.end(), target_type) == types.end())
    return invalid("type", "unknown kind '" + target_type.substr(0, 40) +
                               "'; use requirement, risk, incident, duty, duty_completion, change, asset, supplier, "
                               "policy or finding");
  std::string target = target_id;
  if (target_type == "requirement") {
    auto catalogues = compliance::load_catalogues(inst_);
    if (!catalogues) return catalogues.error();
    auto r = compliance::resolve(*catalogues, target_id, "target");
    if (!r) return r.error();
    target = r->key();
  } else if (target.empty() || target.size() > 200 || has_control_characters(target)) {
    return invalid("target", "must be the record's id, 1-200 characters");
  }
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto e = store::find_evidence(**tx, id);
  if (!e) return e.error();
  if (!*e) return make_error(ErrorCode::not_found, "id: no evidence " + std::to_string(id));
  auto added = store::insert_evidence_link(**tx, {id, target_type, target, format_rfc3339(clock_()), actor.id});
  if (!added) return added.error();
  if (*added) {
    if (auto a = inst_.record(**tx, actor, "evidence.link", "evidence", std::to_string(id),
                              {{"type", target_type}, {"target", target}});
        !a)
      return a.error();
    if (auto s = (*tx)->commit(); !s) return s.error();
  }
  return get(actor, id);
}

Result<EvidenceView> EvidenceService::unlink(const Actor& actor, std::int64_t id, const std::string& target_type,
                                             const std::string& target_id) {
  if (auto s = authorize(actor, Permission::evidence_upload); !s) return s.error();
  std::string target = target_id;
  if (target_type == "requirement") {
    auto catalogues = compliance::load_catalogues(inst_);
    if (!catalogues) return catalogues.error();
    if (auto r = compliance::resolve(*catalogues, target_id, "target")) target = r->key();
  }
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto removed = store::delete_evidence_link(**tx, id, target_type, target);
  if (!removed) return removed.error();
  if (!*removed)
    return make_error(ErrorCode::not_found, "target: evidence " + std::to_string(id) + " is not linked to " +
                                                target_type + " " + target.substr(0, 200));
  if (auto a = inst_.record(**tx, actor, "evidence.unlink", "evidence", std::to_string(id),
                            {{"type", target_type}, {"target", target}});
      !a)
    return a.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return get(actor, id);
}

Result<store::EvidenceVersionRecord> EvidenceService::download(const Actor& actor, std::int64_t id,
                                                               std::int64_t version, const ByteSink& sink) {
  if (auto s = authorize(actor, Permission::compliance_read); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  std::optional<store::EvidenceVersionRecord> v;
  if (version == 0) {
    auto all = store::evidence_versions(**tx, id);
    if (!all) return all.error();
    if (!all->empty()) v = all->front();
  } else {
    auto one = store::find_evidence_version(**tx, id, version);
    if (!one) return one.error();
    v = *one;
  }
  if (!v)
    return make_error(ErrorCode::not_found, version == 0 ? "id: no evidence " + std::to_string(id)
                                                         : "version: evidence " + std::to_string(id) + " has no version " +
                                                               std::to_string(version));
  // First pass: everything decrypts and the hash matches, before a single byte leaves.
  if (auto s = read_verified(**tx, inst_.field_key(), *v, nullptr); !s) {
    if (s.error().code == ErrorCode::integrity) {
      // Loudly: the failure is in the audit log too, where the integrity check and the auditor see it.
      if (auto w = inst_.db().begin(store::Access::write)) {
        if (inst_.record(**w, actor, "evidence.integrity_failure", "evidence", std::to_string(id),
                         {{"version", v->version}, {"error", s.error().message}}))
          (void)(*w)->commit();
      }
    }
    return s.error();
  }
  {
    auto w = inst_.db().begin(store::Access::write);
    if (!w) return w.error();
    if (auto a = inst_.record(**w, actor, "evidence.download", "evidence", std::to_string(id),
                              {{"version", v->version}, {"sha256", v->sha256}});
        !a)
      return a.error();
    if (auto s = (*w)->commit(); !s) return s.error();
  }
  // Second pass: the same checks again while handing the content out.
  if (auto s = read_verified(**tx, inst_.field_key(), *v, sink); !s) return s.error();
  return *v;
}

}  // namespace tillit::services
