#include "tillit/audit/export.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <map>

namespace tillit::audit {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json event_json(const Event& e) {
  return {{"type", "event"},          {"seq", e.seq},
          {"at", e.at},               {"actor", e.actor},
          {"action", e.action},       {"object_type", e.object_type},
          {"object_id", e.object_id}, {"changes", e.changes},
          {"client_address", e.client_address}, {"prev_hash", e.prev_hash},
          {"hash", e.hash},           {"digest", content_digest(e)}};
}

Error bad(std::size_t line, const std::string& why) {
  return make_error(ErrorCode::integrity, "line " + std::to_string(line) + ": " + why);
}

// Reads a string (or integer) field; a missing or mistyped field is an error value.
template <typename T>
bool read(const json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return false;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return false;
  } else {
    if (!it->is_number_integer()) return false;
  }
  out = it->get<T>();
  return true;
}

}  // namespace

ExportWriter::ExportWriter(std::ostream& out, const crypto::SigningKey& key, const std::string& exported_at,
                           std::int64_t after_seq, const std::string& after_hash)
    : out_(out), key_(key) {
  write_line(dump({{"type", "header"},
                   {"format", "tillit-audit-export/1"},
                   {"public_key", crypto::to_base64(crypto::as_chars(key.public_key))},
                   {"key_fingerprint", crypto::key_fingerprint(crypto::as_chars(key.public_key))},
                   {"exported_at", exported_at},
                   {"after_seq", after_seq},
                   {"after_hash", after_hash}}));
}

void ExportWriter::write_line(const std::string& line) {
  out_ << line << '\n';
  digest_.update(line);
  digest_.update("\n");
}

void ExportWriter::write_event(const Event& e) { write_line(dump(event_json(e))); }

void ExportWriter::write_checkpoint(const Checkpoint& c) {
  write_line(dump({{"type", "checkpoint"}, {"seq", c.seq}, {"hash", c.hash}, {"at", c.at}, {"signature", c.signature}}));
}

void ExportWriter::finish() {
  const std::string hex = crypto::to_hex(digest_.finish());
  const auto signature = crypto::ed25519_sign(key_, "tillit-audit-export/1\n" + hex);
  out_ << dump({{"type", "signature"}, {"sha256", hex}, {"signature", crypto::to_base64(crypto::as_chars(signature))}})
       << '\n';
  out_.flush();
}

Result<ExportSummary> verify_export(std::istream& in, std::string_view expected_fingerprint, const Chain* chain) {
  ExportSummary summary;
  crypto::Sha256 digest;
  crypto::Bytes public_key;
  Verifier verifier(chain);
  std::map<std::int64_t, std::string> hash_at_seq;
  std::vector<Checkpoint> checkpoints;
  bool signed_ok = false;
  std::string line;
  std::size_t number = 0;

  while (std::getline(in, line)) {
    ++number;
    if (signed_ok) return bad(number, "data after the signature line");
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad(number, "not a JSON object");
    std::string type;
    if (!read(j, "type", type)) return bad(number, "missing \"type\"");

    if (number == 1) {
      std::string format, key_b64, after_hash;
      std::int64_t after_seq = 0;
      if (type != "header" || !read(j, "format", format) || format != "tillit-audit-export/1")
        return bad(number, "not a Tillit audit export (expected a tillit-audit-export/1 header)");
      if (!read(j, "public_key", key_b64) || !read(j, "after_seq", after_seq) || !read(j, "after_hash", after_hash))
        return bad(number, "header lacks public_key, after_seq or after_hash");
      if (after_seq < 0 || after_seq == std::numeric_limits<std::int64_t>::max())
        return bad(number, "header after_seq is out of range");
      auto key = crypto::from_base64(key_b64);
      if (!key || key->size() != 32) return bad(number, "header public_key is not a 32-byte Ed25519 key");
      public_key = std::move(*key);
      summary.key_fingerprint = crypto::key_fingerprint(crypto::as_chars(public_key));
      if (!crypto::constant_time_equal(summary.key_fingerprint, expected_fingerprint))
        return make_error(ErrorCode::integrity, "the export is signed with key " + summary.key_fingerprint +
                                                    ", not with the expected key " + std::string(expected_fingerprint));
      verifier.start_after(after_seq, after_hash);
    } else if (type == "event") {
      Event e;
      std::string digest_field;
      if (!read(j, "seq", e.seq) || !read(j, "at", e.at) || !read(j, "actor", e.actor) || !read(j, "action", e.action) ||
          !read(j, "object_type", e.object_type) || !read(j, "object_id", e.object_id) ||
          !read(j, "changes", e.changes) || !read(j, "client_address", e.client_address) ||
          !read(j, "prev_hash", e.prev_hash) || !read(j, "hash", e.hash) || !read(j, "digest", digest_field))
        return bad(number, "event lacks a field or has one of the wrong type");
      if (digest_field != content_digest(e))
        return bad(number, "event " + std::to_string(e.seq) + ": content does not match its digest (the event was changed)");
      if (!verifier.feed(e)) return bad(number, verifier.failure());
      if (summary.events++ == 0) summary.first_seq = e.seq;
      summary.last_seq = e.seq;
      hash_at_seq[e.seq] = e.hash;
    } else if (type == "checkpoint") {
      Checkpoint c;
      if (!read(j, "seq", c.seq) || !read(j, "hash", c.hash) || !read(j, "at", c.at) || !read(j, "signature", c.signature))
        return bad(number, "checkpoint lacks a field");
      if (!verify_checkpoint(crypto::as_chars(public_key), c))
        return bad(number, "checkpoint for event " + std::to_string(c.seq) + " has an invalid signature");
      checkpoints.push_back(std::move(c));
    } else if (type == "signature") {
      std::string hex, signature_b64;
      if (!read(j, "sha256", hex) || !read(j, "signature", signature_b64)) return bad(number, "signature line lacks a field");
      const std::string computed = crypto::to_hex(digest.finish());
      if (hex != computed) return bad(number, "the file's content does not match its signed digest (lines were changed)");
      auto signature = crypto::from_base64(signature_b64);
      if (!signature || !crypto::ed25519_verify(crypto::as_chars(public_key), "tillit-audit-export/1\n" + hex,
                                                crypto::as_chars(*signature)))
        return bad(number, "the export's signature is invalid");
      signed_ok = true;
      continue;
    } else {
      return bad(number, "unknown line type \"" + type.substr(0, 32) + "\"");
    }
    digest.update(line);
    digest.update("\n");
  }
  if (number == 0) return make_error(ErrorCode::integrity, "the export is empty");
  if (!signed_ok) return make_error(ErrorCode::integrity, "the export has no signature line (it was cut short)");
  for (const auto& c : checkpoints) {
    const auto it = hash_at_seq.find(c.seq);
    if (it != hash_at_seq.end() && it->second != c.hash)
      return make_error(ErrorCode::integrity,
                        "checkpoint for event " + std::to_string(c.seq) + " disagrees with the event's hash");
  }
  summary.checkpoints = static_cast<std::int64_t>(checkpoints.size());
  summary.head_hash = verifier.head_hash();
  return summary;
}

}  // namespace tillit::audit
