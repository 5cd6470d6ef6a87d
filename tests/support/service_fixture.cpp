#include "service_fixture.h"

#include <fstream>

#include "test_database.h"
#include "tillit/crypto/crypto.h"
#include "tillit/services/accounts.h"
#include "tillit/services/config.h"

namespace tillit::testing {

namespace fs = std::filesystem;
using namespace tillit::services;

void ServiceFixture::SetUp() {
  TILLIT_SKIP_WITHOUT_DATABASE();
  dir_ = fs::temp_directory_path() / ("tillit-test-" + crypto::to_hex(crypto::as_chars(crypto::random_bytes(6))));
  InitOptions options;
  options.data_dir = dir_;
  options.database_url = database_url_ = fresh_database_url();
  auto initialised = Installation::init(options);
  ASSERT_TRUE(initialised) << initialised.error().message;
  if (const auto extra = extra_config(); !extra.empty()) std::ofstream(dir_ / "tillit.yaml", std::ios::app) << extra;
  auto config = load_config(dir_, [](const char*) { return std::optional<std::string>(); });
  ASSERT_TRUE(config) << config.error().message;
  auto inst = Installation::open(*config);
  ASSERT_TRUE(inst) << inst.error().message;
  inst_ = std::move(*inst);
  for (const auto& [name, role] : {std::pair{"erik", Role::engineer}, std::pair{"sara", Role::security_manager},
                                   std::pair{"anna", Role::auditor}})
    add_person(name, role);
}

void ServiceFixture::TearDown() {
  inst_.reset();
  if (!dir_.empty()) fs::remove_all(dir_);
}

Actor ServiceFixture::add_person(const std::string& name, Role role) {
  auto created = AccountService(*inst_).create(local_operator(), {name, name, "", "business", {role}}, "");
  EXPECT_TRUE(created) << created.error().message;
  if (!created) return {};
  Actor a{"user:" + std::to_string(created->account.id), ActorKind::user, created->account.id, name, {role},
          std::nullopt, "192.0.2.7"};
  people_[name] = a;
  return a;
}

std::int64_t ServiceFixture::count_audit_events(const std::string& action) const {
  auto tx = inst_->db().begin(store::Access::read);
  if (!tx) return -1;
  auto rows = (*tx)->query("SELECT COUNT(*) FROM audit_events WHERE action = ?", {action});
  return rows ? rows->front().integer(0) : -1;
}

}  // namespace tillit::testing
