#include "tillit/audit/chain.h"

#include <nlohmann/json.hpp>

#include <limits>

namespace tillit::audit {

std::string canonical_bytes(const Event& e) {
  // nlohmann::json objects keep keys sorted, so dump() is deterministic for equal values.
  const nlohmann::json j = {{"seq", e.seq},         {"at", e.at},
                            {"actor", e.actor},     {"action", e.action},
                            {"object_type", e.object_type}, {"object_id", e.object_id},
                            {"changes", e.changes}, {"client_address", e.client_address}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string content_digest(const Event& e) { return crypto::to_hex(crypto::sha256(canonical_bytes(e))); }

std::string Chain::compute_hash(const Event& e) const {
  return crypto::to_hex(crypto::hmac_sha256(key_, "tillit-audit/1\n" + e.prev_hash + "\n" + canonical_bytes(e)));
}

void Chain::seal(Event& e, const std::string& prev_hash) const {
  e.prev_hash = prev_hash;
  e.hash = compute_hash(e);
}

std::string Chain::head_mac(std::int64_t seq, const std::string& hash) const {
  return crypto::to_hex(crypto::hmac_sha256(key_, "tillit-audit-head/1\n" + std::to_string(seq) + "\n" + hash));
}

bool Verifier::fail(std::int64_t seq, std::string why) {
  if (!failure_) {
    failure_ = std::move(why);
    bad_seq_ = seq;
  }
  return false;
}

bool Verifier::feed(const Event& e) {
  if (failure_) return false;
  const std::string at = "event " + std::to_string(e.seq) + ": ";
  if (last_seq_ == std::numeric_limits<std::int64_t>::max() || e.seq != last_seq_ + 1)
    return fail(e.seq, at + "expected event " + std::to_string(last_seq_ + 1) + " here (events deleted, inserted or reordered)");
  if (e.prev_hash != last_hash_)
    return fail(e.seq, at + "does not link to the event before it (an event before it was changed, deleted or inserted)");
  if (chain_ && !crypto::constant_time_equal(e.hash, chain_->compute_hash(e)))
    return fail(e.seq, at + "hash does not match its content (the event was changed)");
  last_seq_ = e.seq;
  last_hash_ = e.hash;
  ++count_;
  return true;
}

bool Verifier::finish(std::int64_t head_seq, const std::string& head_hash, const std::string& head_mac) {
  if (failure_) return false;
  if (chain_ && !crypto::constant_time_equal(head_mac, chain_->head_mac(head_seq, head_hash)))
    return fail(head_seq, "head record: its MAC is wrong (the head record was changed)");
  if (head_seq != last_seq_ || head_hash != last_hash_)
    return fail(last_seq_ + 1, "head record says the log ends at event " + std::to_string(head_seq) +
                                   " but the events end at " + std::to_string(last_seq_) +
                                   " (events were removed from the end, or the head is stale)");
  return true;
}

std::string checkpoint_message(const Checkpoint& c) {
  return "tillit-audit-checkpoint/1\n" + std::to_string(c.seq) + "\n" + c.hash + "\n" + c.at;
}

Checkpoint sign_checkpoint(const crypto::SigningKey& key, std::int64_t seq, std::string hash, std::string at) {
  Checkpoint c{seq, std::move(hash), std::move(at), {}};
  c.signature = crypto::to_base64(crypto::as_chars(crypto::ed25519_sign(key, checkpoint_message(c))));
  return c;
}

bool verify_checkpoint(std::string_view public_key, const Checkpoint& c) {
  auto sig = crypto::from_base64(c.signature);
  return sig && crypto::ed25519_verify(public_key, checkpoint_message(c), crypto::as_chars(*sig));
}

}  // namespace tillit::audit
