#include <gtest/gtest.h>

#include <sstream>

#include "tillit/audit/export.h"

using namespace tillit;
using namespace tillit::audit;

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string prev = kGenesisHash;
    for (int i = 1; i <= 4; ++i) {
      Event e{i, "2026-11-23T10:00:00.000Z", "cli", "catalog.import", "catalog", "demo", "{}", "local", {}, {}};
      chain.seal(e, prev);
      prev = e.hash;
      events.push_back(e);
    }
    std::ostringstream out;
    ExportWriter w(out, key, "2026-11-23T12:00:00.000Z", 0, kGenesisHash);
    for (const auto& e : events) w.write_event(e);
    w.write_checkpoint(sign_checkpoint(key, 4, events.back().hash, "2026-11-23T12:00:00.000Z"));
    w.finish();
    text = out.str();
  }

  Result<ExportSummary> verify(const std::string& t, const Chain* with_chain = nullptr) {
    std::istringstream in(t);
    return verify_export(in, fingerprint(), with_chain);
  }
  std::string fingerprint() const { return crypto::key_fingerprint(crypto::as_chars(key.public_key)); }

  Chain chain{crypto::random_key()};
  crypto::SigningKey key = crypto::signing_key_from_seed(crypto::random_key());
  std::vector<Event> events;
  std::string text;
};

TEST_F(ExportTest, VerifiesOfflineAndWithTheChainKey) {
  auto s = verify(text);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->events, 4);
  EXPECT_EQ(s->checkpoints, 1);
  EXPECT_EQ(s->head_hash, events.back().hash);
  EXPECT_TRUE(verify(text, &chain));
}

TEST_F(ExportTest, RejectsAnotherSigningKey) {
  std::istringstream in(text);
  auto s = verify_export(in, "SHA256:" + std::string(64, '0'), nullptr);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("not with the expected key"), std::string::npos);
}

TEST_F(ExportTest, RejectsAChangedEvent) {
  auto pos = text.find("\"object_id\":\"demo\"");
  ASSERT_NE(pos, std::string::npos);
  std::string changed = text;
  changed.replace(pos, 18, "\"object_id\":\"dem0\"");
  auto s = verify(changed);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("line 2"), std::string::npos);
}

TEST_F(ExportTest, RejectsARemovedLine) {
  auto first_event_end = text.find('\n', text.find('\n') + 1);
  std::string cut = text.substr(0, text.find('\n') + 1) + text.substr(first_event_end + 1);
  EXPECT_FALSE(verify(cut));
}

TEST_F(ExportTest, RejectsACutShortFile) {
  auto last_line = text.rfind('\n', text.size() - 2);
  auto s = verify(text.substr(0, last_line + 1));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("no signature"), std::string::npos);
}

TEST_F(ExportTest, RejectsGarbage) {
  EXPECT_FALSE(verify(""));
  EXPECT_FALSE(verify("not json\n"));
  EXPECT_FALSE(verify("{\"type\":\"event\"}\n"));
  EXPECT_FALSE(verify(text + "{\"type\":\"event\"}\n"));
}

TEST_F(ExportTest, WithTheChainKeyAForgedButConsistentExportIsCaught) {
  // Someone without the chain key rebuilds every hash with their own key and re-signs with
  // their own signing key; offline with *their* fingerprint it looks whole, but the server's
  // chain key exposes it.
  Chain forger(crypto::random_key());
  const auto forger_key = crypto::signing_key_from_seed(crypto::random_key());
  std::ostringstream out;
  ExportWriter w(out, forger_key, "2026-11-23T12:00:00.000Z", 0, kGenesisHash);
  std::string prev = kGenesisHash;
  for (auto e : events) {
    forger.seal(e, prev);
    prev = e.hash;
    w.write_event(e);
  }
  w.finish();
  std::istringstream in(out.str());
  EXPECT_FALSE(verify_export(in, crypto::key_fingerprint(crypto::as_chars(forger_key.public_key)), &chain));
}

TEST_F(ExportTest, RejectsHeadersThatWouldOverflowTheSequence) {
  for (const char* seq : {"9223372036854775807", "-1"}) {
    std::string t = text;
    const auto pos = t.find("\"after_seq\":0");
    ASSERT_NE(pos, std::string::npos);
    t.replace(pos, 13, std::string("\"after_seq\":") + seq);
    auto s = verify(t);
    ASSERT_FALSE(s) << seq;
  }
  std::string bad_key = text;
  const auto key_pos = bad_key.find("\"public_key\":\"") + 14;
  bad_key.replace(key_pos, 4, "====");
  EXPECT_FALSE(verify(bad_key));
}
