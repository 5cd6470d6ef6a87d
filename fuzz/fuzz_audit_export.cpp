// fuzz_audit_export: audit::verify_export, the reader of JSON Lines audit exports that a
// customer or auditor hands back (`tillit audit verify FILE`).
//
// Each input is verified three ways:
//  1. as given, offline (no chain key), expecting the fuzz signing key's fingerprint;
//  2. as given, with the chain key (what the server does);
//  3. re-signed: everything before the first "signature" line, followed by a fresh, valid
//     signature line made with the fuzz key. Without this the fuzzer could never get past the
//     signature check, and the code after it (checkpoint/event consistency, the summary) would
//     be reached only by the unmodified seeds.
// The seeds in corpus/fuzz_audit_export/ are signed with the same fixed key and sealed with the
// same chain key (see README.md), so mutations start from valid exports.
//
// The input, and each quoted string in it, is also decoded directly with crypto::from_base64 and
// crypto::from_hex, which read the export's keys, signatures and hashes; and the input's bytes are
// encoded and decoded back.
//
// Invariants: verify_export never throws; failures are integrity errors; an export that
// verifies with the chain key also verifies offline, with the same summary; a summary's
// events are gapless (last_seq - first_seq + 1 == events) and its fingerprint is the expected one;
// from_base64/from_hex never throw, decode at most 3 bytes per 4 characters (exactly 1 per 2),
// and are the inverses of to_base64/to_hex.
#include <array>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "tillit/audit/chain.h"
#include "tillit/audit/export.h"
#include "tillit/crypto/crypto.h"

namespace tillit::fuzz {

// The fixed keys shared with the seed generator (README.md). Not secrets: test material.
crypto::SecretBytes fuzz_signing_seed() {
  crypto::Bytes seed(32);
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i + 1);  // 01 02 .. 20
  return crypto::SecretBytes(std::move(seed));
}
crypto::SecretBytes fuzz_chain_key() { return crypto::SecretBytes(crypto::Bytes(32, 0x42)); }

}  // namespace tillit::fuzz

namespace {

using namespace tillit;

struct Keys {
  crypto::SigningKey signing = crypto::signing_key_from_seed(fuzz::fuzz_signing_seed());
  std::string fingerprint = crypto::key_fingerprint(crypto::as_chars(signing.public_key));
  audit::Chain chain{fuzz::fuzz_chain_key()};
};

const Keys& keys() {
  static const Keys k;
  return k;
}

Result<audit::ExportSummary> verify(const std::string& text, const audit::Chain* chain) {
  std::istringstream in(text);
  return audit::verify_export(in, keys().fingerprint, chain);
}

void check_summary(const Result<audit::ExportSummary>& r, const char* how) {
  if (!r) {
    FUZZ_CHECK_MSG(r.error().code == ErrorCode::integrity, std::string(how) + ": " + fuzz::show(r.error().message));
    FUZZ_CHECK(!r.error().message.empty());
    return;
  }
  const auto& s = *r;
  FUZZ_CHECK_MSG(s.key_fingerprint == keys().fingerprint, how);
  FUZZ_CHECK_MSG(s.events >= 0 && s.checkpoints >= 0, how);
  if (s.events > 0) {
    // Computed in 128 bits: seq values come from the file.
    const __int128 span = static_cast<__int128>(s.last_seq) - s.first_seq + 1;
    FUZZ_CHECK_MSG(span == s.events, std::string(how) + ": events are not gapless: first " + std::to_string(s.first_seq) +
                                         ", last " + std::to_string(s.last_seq) + ", count " + std::to_string(s.events));
  }
}

bool same(const audit::ExportSummary& a, const audit::ExportSummary& b) {
  return a.events == b.events && a.first_seq == b.first_seq && a.last_seq == b.last_seq && a.head_hash == b.head_hash &&
         a.checkpoints == b.checkpoints && a.key_fingerprint == b.key_fingerprint;
}

// The lines before the first signature line, as verify_export splits them (std::getline),
// followed by a valid signature line over them, written as ExportWriter::finish writes it.
std::string resign(std::string_view text) {
  crypto::Sha256 digest;
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.find("\"type\":\"signature\"") != std::string_view::npos) break;
    out.append(line).push_back('\n');
    digest.update(line);
    digest.update("\n");
  }
  const std::string hex = crypto::to_hex(digest.finish());
  const auto signature = crypto::ed25519_sign(keys().signing, "tillit-audit-export/1\n" + hex);
  out += R"({"sha256":")" + hex + R"(","signature":")" + crypto::to_base64(crypto::as_chars(signature)) +
         R"(","type":"signature"})" + "\n";
  return out;
}

// The decoders verify_export applies to the export's string fields (keys, signatures, hashes).
void check_decoders(std::string_view text) {
  if (const auto b64 = crypto::from_base64(text)) {
    FUZZ_CHECK_MSG(b64->size() <= text.size() / 4 * 3, "from_base64 decoded more bytes than its input holds");
    // A decoded value, encoded again, decodes to itself.
    const auto again = crypto::from_base64(crypto::to_base64(crypto::as_chars(*b64)));
    FUZZ_CHECK_MSG(again && *again == *b64, "from_base64(to_base64(x)) != x for a decoded value");
  } else {
    FUZZ_CHECK(b64.error().code == ErrorCode::invalid_argument);
  }
  if (const auto hex = crypto::from_hex(text)) {
    FUZZ_CHECK(hex->size() * 2 == text.size());
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    FUZZ_CHECK_MSG(crypto::to_hex(crypto::as_chars(*hex)) == lower, "from_hex/to_hex disagree");
  } else {
    FUZZ_CHECK(hex.error().code == ErrorCode::invalid_argument);
  }
}

void check_codecs(std::string_view text) {
  // The whole input, and every "quoted" string in it (a rough cut: escapes are not undone).
  check_decoders(text);
  for (std::size_t open = text.find('"'); open != std::string_view::npos;) {
    const std::size_t close = text.find('"', open + 1);
    if (close == std::string_view::npos) break;
    check_decoders(text.substr(open + 1, close - open - 1));
    open = text.find('"', close + 1);
  }
  // Arbitrary bytes (here: the input) survive to_base64 -> from_base64 and to_hex -> from_hex.
  const auto b64 = crypto::from_base64(crypto::to_base64(text));
  FUZZ_CHECK_MSG(b64 && crypto::as_chars(*b64) == text, "from_base64(to_base64(input)) != input");
  const auto hex = crypto::from_hex(crypto::to_hex(text));
  FUZZ_CHECK_MSG(hex && crypto::as_chars(*hex) == text, "from_hex(to_hex(input)) != input");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)keys();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  check_codecs(text);

  for (const std::string& input : {text, resign(text)}) {
    const auto offline = verify(input, nullptr);
    check_summary(offline, "offline");
    const auto online = verify(input, &keys().chain);
    check_summary(online, "with the chain key");
    if (online) {
      FUZZ_CHECK_MSG(offline.ok(), "verifies with the chain key but not offline: " + fuzz::show(offline.error().message));
      FUZZ_CHECK_MSG(same(*offline, *online), "offline and chain-key verification disagree on the summary");
    }
  }
  return 0;
}
