// The tamper-evident audit chain. Each event's hash is HMAC-SHA-256, keyed with a secret
// server key, over the previous event's hash and the event's canonical bytes; so changing,
// deleting, inserting or reordering any event breaks every hash after it, and nobody without
// the key can rebuild the chain. A MAC'd head record (seq + hash of the last event) catches
// a truncated tail. Signed checkpoints (Ed25519) let a customer check an export offline.
//
// This layer is pure computation over events: storage lives in store/, the wiring in
// services/. Chain and Verifier are not thread-safe; use one per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tillit/core/result.h"
#include "tillit/crypto/crypto.h"

namespace tillit::audit {

struct Event {
  std::int64_t seq = 0;        // 1, 2, 3, ... without gaps
  std::string at;              // RFC 3339 UTC
  std::string actor;           // "user:42", "cli", "system"
  std::string action;          // "catalog.import", "user.create", ...
  std::string object_type;
  std::string object_id;
  std::string changes;         // canonical JSON: {"field": {"before": ..., "after": ...}}, secrets redacted
  std::string client_address;  // IP of the HTTP client, or "local" for the CLI
  std::string prev_hash;       // hex; 64 zeros for the first event
  std::string hash;            // hex
};

inline const std::string kGenesisHash(64, '0');

// The bytes an event's hash covers: every field but the hashes, in a fixed order, as JSON.
std::string canonical_bytes(const Event& e);
// SHA-256 of the canonical bytes: lets anyone holding an export check an event's content.
std::string content_digest(const Event& e);

class Chain {
 public:
  explicit Chain(crypto::SecretBytes key) : key_(std::move(key)) {}
  // Fills e.prev_hash and e.hash so that `e` follows an event whose hash is `prev_hash`.
  void seal(Event& e, const std::string& prev_hash) const;
  std::string compute_hash(const Event& e) const;
  std::string head_mac(std::int64_t seq, const std::string& hash) const;

 private:
  crypto::SecretBytes key_;
};

// Checks a stream of events in seq order, one at a time; stops at the first bad one.
class Verifier {
 public:
  explicit Verifier(const Chain* chain) : chain_(chain) {}  // chain == nullptr: linkage only

  // Returns false (and records why) at the first event that breaks the chain.
  bool feed(const Event& e);
  // Checks the end of the stream against the head record; call after the last event.
  bool finish(std::int64_t head_seq, const std::string& head_hash, const std::string& head_mac);

  bool ok() const { return !failure_; }
  std::int64_t count() const { return count_; }
  const std::string& head_hash() const { return last_hash_; }
  std::int64_t last_seq() const { return last_seq_; }
  // "event 17: hash does not match its content (changed?)"
  const std::string& failure() const { return *failure_; }
  std::optional<std::int64_t> bad_seq() const { return bad_seq_; }

  // Start from a known point instead of the genesis (for a partial export).
  void start_after(std::int64_t seq, const std::string& hash) {
    last_seq_ = seq;
    last_hash_ = hash;
  }

 private:
  bool fail(std::int64_t seq, std::string why);

  const Chain* chain_;
  std::int64_t count_ = 0;
  std::int64_t last_seq_ = 0;
  std::string last_hash_ = kGenesisHash;
  std::optional<std::string> failure_;
  std::optional<std::int64_t> bad_seq_;
};

// A signed statement that the chain had `hash` at `seq`, made at `at`.
struct Checkpoint {
  std::int64_t seq = 0;
  std::string hash;
  std::string at;
  std::string signature;  // base64 Ed25519 over checkpoint_message()
};
std::string checkpoint_message(const Checkpoint& c);
Checkpoint sign_checkpoint(const crypto::SigningKey& key, std::int64_t seq, std::string hash, std::string at);
bool verify_checkpoint(std::string_view public_key, const Checkpoint& c);

}  // namespace tillit::audit
