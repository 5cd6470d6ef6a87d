#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "tillit/crypto/crypto.h"
#include "tillit/store/audit_store.h"
#include "tillit/store/database.h"
#include "tillit/store/identity_repository.h"
#include "tillit/store/repositories.h"
#include "tillit/store/search_index.h"
#include "test_database.h"

using namespace tillit;
using namespace tillit::store;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    dir_ = std::filesystem::temp_directory_path() / ("tillit-store-" + crypto::to_hex(crypto::as_chars(crypto::random_bytes(6))));
    std::filesystem::create_directories(dir_);
    const std::string url = tillit::testing::fresh_database_url();
    auto opened = url.empty() ? open_sqlite(dir_ / "t.db", true) : open_postgresql(url, 4);
    ASSERT_TRUE(opened) << opened.error().message;
    db_ = std::move(*opened);
    auto version = migrate(*db_);
    ASSERT_TRUE(version) << version.error().message;
    ASSERT_EQ(*version, latest_schema_version());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<Transaction> write() { return std::move(db_->begin(Access::write).value()); }

  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(StoreTest, MigrationsAreIdempotent) {
  EXPECT_EQ(migrate(*db_).value(), latest_schema_version());
  auto tx = db_->begin(Access::read);
  auto rows = (*tx)->query("SELECT COUNT(*) FROM schema_migrations");
  EXPECT_EQ(rows->front().integer(0), latest_schema_version());
}

// Feature parts (store/src/schema/) each bring their own versions: together they must count
// up from 1 without a gap or a repeat, or an upgrade would skip or re-run a migration.
TEST_F(StoreTest, MigrationVersionsCountUpWithoutGaps) {
  auto tx = db_->begin(Access::read);
  ASSERT_TRUE(tx);
  auto rows = (*tx)->query("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(rows);
  ASSERT_EQ(static_cast<int>(rows->size()), latest_schema_version());
  for (std::size_t i = 0; i < rows->size(); ++i) EXPECT_EQ((*rows)[i].integer(0), static_cast<std::int64_t>(i + 1));
}

TEST_F(StoreTest, OpeningAMissingDatabaseSaysWhatToDo) {
  auto missing = open_sqlite(dir_ / "nope.db", false);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("tillit init"), std::string::npos);
}

TEST_F(StoreTest, UncommittedTransactionRollsBack) {
  {
    auto tx = write();
    ASSERT_TRUE(save_installation(*tx, {"abc", "2026-11-23T00:00:00.000Z"}));
  }  // destroyed without commit
  auto tx = db_->begin(Access::read);
  EXPECT_FALSE(load_installation(**tx).value().has_value());
}

TEST_F(StoreTest, ParametersAreNeverInterpretedAsSql) {
  auto tx = write();
  const std::string hostile = "x'); DROP TABLE users; --";
  UserRecord u{0, hostile, "name", "", "admin", "active", "t", "cli", "t"};
  ASSERT_TRUE(insert_user(*tx, u));
  ASSERT_TRUE(tx->commit());
  auto read = db_->begin(Access::read);
  auto found = find_user(**read, hostile);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->username, hostile);
}

TEST_F(StoreTest, DuplicateUserIsAConflict) {
  auto tx = write();
  UserRecord u{0, "ana", "Ana", "ana@example.se", "admin", "active", "t", "cli", "t"};
  ASSERT_TRUE(insert_user(*tx, u));
  auto again = insert_user(*tx, u);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
}

TEST_F(StoreTest, AuditAppendLinksEventsAndMovesTheHead) {
  const audit::Chain chain(crypto::random_key());
  const AuditStore store(chain);
  {
    auto tx = write();
    for (int i = 0; i < 3; ++i) {
      audit::Event e{0, "2026-11-23T10:00:00.000Z", "cli", "test.append", "thing", std::to_string(i), "{}", "local", {}, {}};
      auto appended = store.append(*tx, e);
      ASSERT_TRUE(appended) << appended.error().message;
      EXPECT_EQ(appended->seq, i + 1);
    }
    ASSERT_TRUE(tx->commit());
  }
  auto tx = db_->begin(Access::read);
  auto head = AuditStore::head(**tx);
  ASSERT_TRUE(head && head->has_value());
  EXPECT_EQ((*head)->seq, 3);
  audit::Verifier v(&chain);
  ASSERT_TRUE(AuditStore::for_each(**tx, 0, [&](const audit::Event& e) { return v.feed(e); }));
  EXPECT_TRUE(v.finish((*head)->seq, (*head)->hash, (*head)->mac)) << v.failure();
  EXPECT_EQ(v.count(), 3);
}

TEST_F(StoreTest, AuditEventRolledBackWithItsTransaction) {
  const audit::Chain chain(crypto::random_key());
  {
    auto tx = write();
    ASSERT_TRUE(AuditStore(chain).append(*tx, audit::Event{0, "t", "cli", "a", "b", "c", "{}", "local", {}, {}}));
  }
  auto tx = db_->begin(Access::read);
  EXPECT_FALSE(AuditStore::head(**tx).value().has_value());
  EXPECT_FALSE(AuditStore::event(**tx, 1).value().has_value());
}

TEST_F(StoreTest, IntegrityCheckReportsOk) { EXPECT_EQ(db_->integrity_check().value(), "ok"); }

TEST_F(StoreTest, DropSchemaLeavesAnEmptyDatabase) {
  EXPECT_FALSE(is_empty(*db_).value());
  ASSERT_TRUE(drop_schema(*db_));
  EXPECT_TRUE(is_empty(*db_).value());
  EXPECT_EQ(migrate(*db_).value(), latest_schema_version());
}

TEST_F(StoreTest, ConcurrentAppendsFormOneChain) {
  const audit::Chain chain(crypto::random_key());
  const AuditStore store(chain);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto tx = db_->begin(Access::write);
        ASSERT_TRUE(tx) << tx.error().message;
        audit::Event e{0, "2026-11-23T10:00:00.000Z", "cli", "test.append", "thing", std::to_string(t * 100 + i), "{}",
                       "local", {}, {}};
        ASSERT_TRUE(store.append(**tx, e));
        ASSERT_TRUE((*tx)->commit());
      }
    });
  for (auto& w : writers) w.join();
  auto tx = db_->begin(Access::read);
  auto head = AuditStore::head(**tx);
  audit::Verifier v(&chain);
  ASSERT_TRUE(AuditStore::for_each(**tx, 0, [&](const audit::Event& e) { return v.feed(e); }));
  EXPECT_TRUE(v.finish((*head)->seq, (*head)->hash, (*head)->mac)) << v.failure();
  EXPECT_EQ(v.count(), 100);
}

TEST(PostgresUrl, PasswordsAndOtherSchemesAreRefused) {
  EXPECT_TRUE(check_postgresql_url("postgresql://tillit@db.example.se:5432/tillit?sslmode=verify-full"));
  EXPECT_TRUE(check_postgresql_url("postgresql:///tillit"));
  auto with_password = check_postgresql_url("postgresql://tillit:hunter2@db/tillit");
  ASSERT_FALSE(with_password);
  EXPECT_NE(with_password.error().message.find("pgpass"), std::string::npos);
  EXPECT_EQ(with_password.error().message.find("hunter2"), std::string::npos);
  EXPECT_FALSE(check_postgresql_url("postgresql://db/tillit?password=hunter2"));
  EXPECT_FALSE(check_postgresql_url("mysql://db/tillit"));
  EXPECT_FALSE(check_postgresql_url("/var/lib/tillit/tillit.db"));
}

TEST_F(StoreTest, SearchFindsWordPrefixesRankedWithTitlesFirst) {
  {
    auto tx = write();
    ASSERT_TRUE(index_document(*tx, {"requirement", "a:1", "Sårbarhetsskanning varje kvartal", "Skanna alla system."}));
    ASSERT_TRUE(index_document(*tx, {"requirement", "a:2", "Säkerhetskopior", "Återställning testas, även sårbarheter."}));
    ASSERT_TRUE(index_document(*tx, {"requirement", "a:3", "Loggning", "Loggar granskas."}));
    ASSERT_TRUE(index_document(*tx, {"other", "b:1", "Sårbarhet", "annan sort"}));
    ASSERT_TRUE(tx->commit());
  }
  auto tx = db_->begin(Access::read);
  auto hits = search(**tx, "requirement", "sårbarhet", 10);
  ASSERT_TRUE(hits) << hits.error().message;
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].id, "a:1");  // the title match ranks first
  EXPECT_EQ((*hits)[1].id, "a:2");
  EXPECT_EQ(search(**tx, "requirement", "skanna system", 10)->size(), 1u);   // every word must match
  EXPECT_EQ(search(**tx, "requirement", "skanna loggar", 10)->size(), 0u);
  EXPECT_EQ(search(**tx, "other", "sårbarhet", 10)->size(), 1u);
  EXPECT_TRUE(search(**tx, "requirement", "", 10)->empty());
}

TEST_F(StoreTest, SearchTreatsQuerySyntaxAsPlainText) {
  {
    auto tx = write();
    ASSERT_TRUE(index_document(*tx, {"requirement", "a:1", "Kvartal", "Skanning"}));
    ASSERT_TRUE(tx->commit());
  }
  auto tx = db_->begin(Access::read);
  for (const char* hostile : {"\"", "*", "kvartal\" OR \"x", "kvartal:*", "kvartal & !x", "NEAR(kvartal)", "'; DROP TABLE x; --",
                              "(((", "kvartal |", "title:kvartal"}) {
    auto hits = search(**tx, "requirement", hostile, 10);
    ASSERT_TRUE(hits) << hostile << ": " << hits.error().message;
  }
  EXPECT_EQ(search(**tx, "requirement", "kvartal\" OR \"x", 10)->size(), 0u);  // "x" must match too
  EXPECT_EQ(search(**tx, "requirement", "title:kvartal", 10)->size(), 0u);      // "title" is just a word
  EXPECT_EQ(search(**tx, "requirement", "(kvartal)", 10)->size(), 1u);
}

TEST_F(StoreTest, IndexSignatureRoundTrips) {
  auto tx = write();
  EXPECT_EQ(index_signature(*tx, "requirement").value(), "");
  ASSERT_TRUE(set_index_signature(*tx, "requirement", "abc"));
  ASSERT_TRUE(set_index_signature(*tx, "requirement", "def"));
  EXPECT_EQ(index_signature(*tx, "requirement").value(), "def");
}

TEST(PostgresUrl, PasswordsHiddenInEncodingsAreRefused) {
  EXPECT_FALSE(check_postgresql_url("postgresql://db/tillit?pass%77ord=hunter2"));
  EXPECT_FALSE(check_postgresql_url("postgresql://tillit:hunter2?@db/tillit"));
}

TEST(PostgresUrl, WarnsWhenTheNetworkConnectionIsNotVerified) {
  EXPECT_NE(postgresql_tls_warning("postgresql://tillit@db.example.se/tillit").find("sslmode=verify-full"), std::string::npos);
  EXPECT_NE(postgresql_tls_warning("postgresql://tillit@db.example.se/tillit?sslmode=require").find("sslmode=require"),
            std::string::npos);
  EXPECT_EQ(postgresql_tls_warning("postgresql://tillit@db.example.se/tillit?sslmode=verify-full"), "");
  EXPECT_EQ(postgresql_tls_warning("postgresql://tillit@localhost/tillit"), "");
  EXPECT_EQ(postgresql_tls_warning("postgresql://tillit@%2Fvar%2Frun%2Fpostgresql/tillit"), "");
}
