// Audit export as JSON Lines, verifiable offline by the customer.
//
//   {"type":"header","format":"tillit-audit-export/1","public_key":B64,"key_fingerprint":FP,
//    "exported_at":T,"after_seq":N,"after_hash":H}
//   {"type":"event", ...every Event field..., "digest": SHA-256 of the canonical bytes}
//   {"type":"checkpoint","seq":N,"hash":H,"at":T,"signature":B64}      (zero or more)
//   {"type":"signature","sha256":HEX of every byte above,"signature":B64 Ed25519 over it}
//
// Without the server's chain key, a verifier checks the signature (with a public key whose
// fingerprint it got out of band), each event's digest against its content, the hash links
// and seq order, and every checkpoint's signature and position. With the chain key (on the
// server) it also recomputes every HMAC.
#pragma once

#include <functional>
#include <istream>
#include <ostream>
#include <string>

#include "tillit/audit/chain.h"

namespace tillit::audit {

class ExportWriter {
 public:
  ExportWriter(std::ostream& out, const crypto::SigningKey& key, const std::string& exported_at,
               std::int64_t after_seq, const std::string& after_hash);
  void write_event(const Event& e);
  void write_checkpoint(const Checkpoint& c);
  // Writes the signature line; nothing may be written after it.
  void finish();

 private:
  void write_line(const std::string& line);

  std::ostream& out_;
  const crypto::SigningKey& key_;
  crypto::Sha256 digest_;
};

struct ExportSummary {
  std::int64_t events = 0;
  std::int64_t first_seq = 0, last_seq = 0;
  std::string head_hash;
  std::int64_t checkpoints = 0;
  std::string key_fingerprint;
};

// Verifies an export. `expected_fingerprint` must match the embedded public key (compare it
// with the fingerprint published at installation). `chain` may be null (offline use).
Result<ExportSummary> verify_export(std::istream& in, std::string_view expected_fingerprint, const Chain* chain);

}  // namespace tillit::audit
