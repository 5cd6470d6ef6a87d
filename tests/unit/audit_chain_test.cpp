#include <gtest/gtest.h>

#include "tillit/audit/chain.h"

using namespace tillit;
using namespace tillit::audit;

namespace {

std::vector<Event> make_chain(const Chain& chain, int n) {
  std::vector<Event> events;
  std::string prev = kGenesisHash;
  for (int i = 1; i <= n; ++i) {
    Event e{i, "2026-11-23T10:00:0" + std::to_string(i % 10) + ".000Z", "user:1", "thing.update", "thing",
            std::to_string(i), R"({"status":{"after":"met","before":"not_met"}})", "127.0.0.1", {}, {}};
    chain.seal(e, prev);
    prev = e.hash;
    events.push_back(e);
  }
  return events;
}

// Verifies `events` against a head record for the original last event.
Verifier run(const Chain& chain, const std::vector<Event>& events, const Event& original_last) {
  Verifier v(&chain);
  for (const auto& e : events)
    if (!v.feed(e)) break;
  if (v.ok()) v.finish(original_last.seq, original_last.hash, chain.head_mac(original_last.seq, original_last.hash));
  return v;
}

}  // namespace

class ChainTest : public ::testing::Test {
 protected:
  Chain chain{crypto::random_key()};
  std::vector<Event> events = make_chain(chain, 6);
};

TEST_F(ChainTest, IntactChainVerifies) {
  auto v = run(chain, events, events.back());
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.failure());
  EXPECT_EQ(v.count(), 6);
  EXPECT_EQ(v.head_hash(), events.back().hash);
}

TEST_F(ChainTest, ChangedEventIsCaught) {
  events[2].changes = R"({"status":{"after":"met","before":"met"}})";
  auto v = run(chain, events, events.back());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.bad_seq(), 3);
  EXPECT_NE(v.failure().find("changed"), std::string::npos);
}

TEST_F(ChainTest, RecomputedHashWithoutKeyIsCaughtAtTheNextLink) {
  events[2].actor = "user:2";
  Chain forger(crypto::random_key());
  forger.seal(events[2], events[1].hash);
  auto v = run(chain, events, events.back());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.bad_seq(), 3);
}

TEST_F(ChainTest, DeletedEventIsCaught) {
  events.erase(events.begin() + 3);
  auto v = run(chain, events, events.back());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.bad_seq(), 5);
}

TEST_F(ChainTest, ReorderedEventsAreCaught) {
  std::swap(events[1], events[2]);
  EXPECT_FALSE(run(chain, events, events.back()).ok());
}

TEST_F(ChainTest, InsertedEventIsCaught) {
  Event extra = events[2];
  extra.object_id = "99";
  events.insert(events.begin() + 3, extra);
  EXPECT_FALSE(run(chain, events, events.back()).ok());
}

TEST_F(ChainTest, TruncatedTailIsCaughtByTheHeadRecord) {
  const Event last = events.back();
  events.pop_back();
  auto v = run(chain, events, last);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.failure().find("removed from the end"), std::string::npos);
}

TEST_F(ChainTest, ForgedHeadRecordIsCaught) {
  Verifier v(&chain);
  for (const auto& e : events) v.feed(e);
  EXPECT_FALSE(v.finish(events.back().seq, events.back().hash, std::string(64, 'a')));
}

TEST_F(ChainTest, CheckpointsVerifyOnlyWithTheSigningKey) {
  const auto key = crypto::signing_key_from_seed(crypto::random_key());
  auto c = sign_checkpoint(key, 6, events.back().hash, "2026-11-23T11:00:00.000Z");
  EXPECT_TRUE(verify_checkpoint(crypto::as_chars(key.public_key), c));
  c.seq = 5;
  EXPECT_FALSE(verify_checkpoint(crypto::as_chars(key.public_key), c));
}

TEST(CanonicalBytes, CoverEveryFieldButTheHashes) {
  Event a{1, "t", "actor", "action", "type", "id", "{}", "ip", "p", "h"};
  Event b = a;
  b.prev_hash = "other";
  b.hash = "other";
  EXPECT_EQ(canonical_bytes(a), canonical_bytes(b));
  for (auto field : {&Event::at, &Event::actor, &Event::action, &Event::object_type, &Event::object_id, &Event::changes,
                     &Event::client_address}) {
    Event c = a;
    c.*field += "x";
    EXPECT_NE(canonical_bytes(a), canonical_bytes(c));
  }
}
