#include "tillit/services/installation.h"

#include <sys/stat.h>

#include <fstream>

#include "identity_support.h"
#include "tillit/crypto/certificate.h"
#include "tillit/crypto/key_file.h"
#include "tillit/store/audit_store.h"
#include "tillit/store/identity_repository.h"
#include "tillit/store/repositories.h"

namespace tillit::services {
namespace fs = std::filesystem;
namespace {

constexpr auto kSetupCodeLifetime = std::chrono::hours(24);
constexpr const char* kChainKeyName = "audit-chain";
constexpr const char* kSigningKeyName = "audit-signing";
// Seals sensitive fields (TOTP secrets, federated sign-in state) with AES-256-GCM.
constexpr const char* kFieldKeyName = "field-encryption";

// Identifies which master key sealed a wrapped key, without revealing anything about it.
std::string master_key_id(const crypto::SecretBytes& master) {
  return "mk-" + crypto::to_hex(crypto::hkdf_sha256(master, "tillit/master-key-id/1", 8).view());
}

// 20 characters from a 31-letter alphabet without look-alikes (0/O, 1/I/L): 99 bits.
std::string new_setup_code() {
  static constexpr char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  static_assert(sizeof alphabet - 1 == 31);
  std::string code;
  const auto bytes = crypto::random_bytes(40);
  std::size_t used = 0;
  for (auto b : bytes) {
    if (used == 20) break;
    if (b >= 248) continue;  // keep the draw uniform over 31 letters (248 = 8 * 31)
    if (used && used % 5 == 0) code.push_back('-');
    code.push_back(alphabet[b % 31]);
    ++used;
  }
  return code;
}

Status make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::unavailable, "cannot create directory '" + dir.string() + "': " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return make_error(ErrorCode::unavailable, "cannot restrict directory '" + dir.string() + "': " + ec.message());
  return {};
}

Status write_public_file(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) return make_error(ErrorCode::unavailable, "cannot write '" + path.string() + "'");
  return {};
}

store::WrappedKey wrap(const crypto::SecretBytes& master, const char* name, const crypto::SecretBytes& key,
                       const std::string& now) {
  const auto sealed = crypto::aes256gcm_seal(master, key.view(), std::string("tillit/wrapped-key/") + name);
  return {name, master_key_id(master), crypto::to_base64(crypto::as_chars(sealed)), now};
}

Result<crypto::SecretBytes> unwrap(store::Transaction& tx, const crypto::SecretBytes& master, const char* name) {
  auto stored = store::load_wrapped_key(tx, name);
  if (!stored) return stored.error();
  if (!*stored) return make_error(ErrorCode::integrity, std::string("the key '") + name + "' is missing from the database");
  if ((*stored)->master_key_id != master_key_id(master))
    return make_error(ErrorCode::integrity, std::string("the key '") + name +
                                                "' was sealed with another master key; check keys/master.key belongs "
                                                "to this database");
  auto sealed = crypto::from_base64((*stored)->sealed);
  if (!sealed) return make_error(ErrorCode::integrity, std::string("the key '") + name + "' is corrupt");
  return crypto::aes256gcm_open(master, crypto::as_chars(*sealed), std::string("tillit/wrapped-key/") + name);
}

// The field key, created on first use by installations made before it existed. The lock
// keeps two instances starting at once from sealing two different keys.
Result<crypto::SecretBytes> field_key_of(store::Database& db, const crypto::SecretBytes& master) {
  auto tx = db.begin(store::Access::write);
  if (!tx) return tx.error();
  if (auto s = (*tx)->lock("wrapped-keys"); !s) return s.error();
  auto stored = store::load_wrapped_key(**tx, kFieldKeyName);
  if (!stored) return stored.error();
  if (*stored) return unwrap(**tx, master, kFieldKeyName);
  auto key = crypto::random_key();
  if (auto s = store::save_wrapped_key(**tx, wrap(master, kFieldKeyName, key, format_rfc3339(now_utc()))); !s)
    return s.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return key;
}

// Everything `init` writes into the database, in one transaction.
Result<std::string> seed_database(store::Database& db, const crypto::SecretBytes& master, const InitOptions& options,
                                  const crypto::SecretBytes& chain_key, const crypto::SigningKey& signing,
                                  const std::string& now, std::string& setup_code_out) {
  auto tx = db.begin(store::Access::write);
  if (!tx) return tx.error();
  auto& t = **tx;
  if (auto s = store::save_wrapped_key(t, wrap(master, kChainKeyName, chain_key, now)); !s) return s.error();
  if (auto s = store::save_wrapped_key(t, wrap(master, kSigningKeyName, signing.seed, now)); !s) return s.error();
  if (auto s = store::save_wrapped_key(t, wrap(master, kFieldKeyName, crypto::random_key(), now)); !s) return s.error();
  const std::string installation_id = crypto::to_hex(crypto::as_chars(crypto::random_bytes(16)));
  if (auto s = store::save_installation(t, {installation_id, now}); !s) return s.error();

  const audit::Chain chain(chain_key);
  const store::AuditStore audit_store(chain);
  const Actor actor = local_operator();
  auto record = [&](std::string action, std::string type, std::string id, const nlohmann::json& changes) -> Status {
    audit::Event e{0, now, actor.id, std::move(action), std::move(type), std::move(id), changes.dump(),
                   actor.client_address, {}, {}};
    auto appended = audit_store.append(t, std::move(e));
    if (!appended) return appended.error();
    return {};
  };
  if (auto s = record("installation.init", "installation", installation_id,
                      {{"signing_key_fingerprint", {{"after", crypto::key_fingerprint(crypto::as_chars(signing.public_key))}}},
                       {"schema_version", {{"after", store::latest_schema_version()}}}});
      !s)
    return s.error();

  store::UserRecord admin;
  admin.username = options.admin_username;
  admin.display_name = "Administrator";
  admin.kind = "admin";
  admin.status = "pending_setup";
  admin.created_at = admin.updated_at = now;
  admin.created_by = actor.id;
  auto user_id = store::insert_user(t, admin);
  if (!user_id) return user_id.error();
  // The first administrator is the one account no second administrator can approve.
  if (auto s = store::grant_role(t, {0, *user_id, "", "admin", "", now, actor.id, "installation", std::nullopt}); !s)
    return s.error();
  if (auto s = record("user.create", "user", std::to_string(*user_id),
                      {{"username", {{"after", admin.username}}}, {"kind", {{"after", admin.kind}}},
                       {"roles", {{"after", {"admin"}}}}, {"status", {{"after", admin.status}}}});
      !s)
    return s.error();

  setup_code_out = new_setup_code();
  const auto parsed_now = parse_rfc3339(now);
  const std::string expires = format_rfc3339(*parsed_now + kSetupCodeLifetime);
  auto code_id = store::insert_setup_code(t, {0, *user_id, crypto::hash_secret(identity::canonical_setup_code(setup_code_out)), now, expires, {}});
  if (!code_id) return code_id.error();
  if (auto s = record("setup_code.issue", "user", std::to_string(*user_id),
                      {{"setup_code", {{"after", "[redacted]"}}}, {"expires_at", {{"after", expires}}}});
      !s)
    return s.error();
  if (auto s = t.commit(); !s) return s.error();
  return expires;
}

}  // namespace

Timestamp now_utc() { return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now()); }

Result<std::unique_ptr<store::Database>> open_database(const Config& config, bool create) {
  if (!config.database_url.empty()) return store::open_postgresql(config.database_url, config.database_pool_size);
  if (!create && !fs::exists(config.database_file()))
    return make_error(ErrorCode::not_found, "'" + config.data_dir.string() +
                                                "' holds no Tillit installation; create one with 'tillit init --data " +
                                                config.data_dir.string() + "'");
  auto db = store::open_sqlite(config.database_file(), create);
  if (db && create) ::chmod(config.database_file().c_str(), 0600);
  return db;
}

Result<InitReport> Installation::init(const InitOptions& options) {
  Config config;
  config.data_dir = fs::absolute(options.data_dir);
  if (auto s = parse_listen(options.listen, config.listen_address, config.listen_port); !s) return s.error();
  if (options.admin_username.empty() || options.admin_username.size() > 64)
    return make_error(ErrorCode::invalid_argument, "the administrator's user name must be 1-64 characters");
  if (options.certificate_file.has_value() != options.private_key_file.has_value())
    return make_error(ErrorCode::invalid_argument, "give both --tls-certificate and --tls-private-key, or neither");
  if (fs::exists(config.database_file()) || fs::exists(config.master_key_file()))
    return make_error(ErrorCode::conflict, "'" + config.data_dir.string() +
                                               "' already holds a Tillit installation; use another directory or "
                                               "'tillit serve --data " + config.data_dir.string() + "'");
  config.database_url = options.database_url;
  if (!config.database_url.empty()) {
    if (auto s = store::check_postgresql_url(config.database_url); !s) return s.error();
    auto target = open_database(config, false);
    if (!target) return target.error();
    auto empty = store::is_empty(**target);
    if (!empty) return empty.error();
    if (!*empty)
      return make_error(ErrorCode::conflict,
                        "the PostgreSQL database already holds Tillit tables; give an empty database (or serve the "
                        "existing installation with its own data directory)");
  }
  const bool created_dir = !fs::exists(config.data_dir);
  if (!created_dir && !fs::is_empty(config.data_dir))
    return make_error(ErrorCode::conflict, "'" + config.data_dir.string() + "' is not empty; give a new or empty directory");

  bool created_schema = false;
  auto result = [&]() -> Result<InitReport> {
    if (auto s = make_private_dir(config.data_dir); !s) return s.error();
    if (auto s = make_private_dir(config.data_dir / "keys"); !s) return s.error();
    if (auto s = crypto::create_master_key_file(config.master_key_file()); !s) return s.error();
    auto master = crypto::load_master_key_file(config.master_key_file());
    if (!master) return master.error();

    auto db = open_database(config, true);
    if (!db) return db.error();
    created_schema = true;
    if (auto v = store::migrate(**db); !v) return v.error();

    const auto chain_key = crypto::random_key();
    const auto signing = crypto::signing_key_from_seed(crypto::random_key());
    const std::string now = format_rfc3339(now_utc());
    InitReport report;
    auto expires = seed_database(**db, *master, options, chain_key, signing, now, report.setup_code);
    if (!expires) return expires.error();

    if (options.certificate_file) {
      config.certificate_file = fs::absolute(*options.certificate_file);
      config.private_key_file = fs::absolute(*options.private_key_file);
    } else {
      if (auto s = make_private_dir(config.data_dir / "tls"); !s) return s.error();
      const auto cert = crypto::generate_self_signed_certificate({"localhost"}, {"127.0.0.1", "::1"}, 397);
      if (auto s = write_public_file(config.data_dir / "tls" / "certificate.pem", cert.certificate_pem); !s) return s.error();
      if (auto s = crypto::write_private_file(config.data_dir / "tls" / "private-key.pem", cert.private_key_pem); !s)
        return s.error();
      report.generated_certificate = true;
    }
    std::string config_text = default_config_text(config);
    if (options.certificate_file)
      config_text += "tls_certificate: " + yaml_quote(config.certificate_file.string()) +
                     "\ntls_private_key: " + yaml_quote(config.private_key_file.string()) + "\n";
    if (auto s = write_public_file(config.config_file(), config_text); !s) return s.error();
    if (auto s = write_public_file(config.signing_public_key_file(),
                                   crypto::ed25519_public_key_pem(crypto::as_chars(signing.public_key)));
        !s)
      return s.error();

    report.admin_username = options.admin_username;
    report.setup_code_expires_at = *expires;
    const std::string host = config.listen_address == "127.0.0.1" || config.listen_address == "0.0.0.0" ||
                                     config.listen_address == "::1" || config.listen_address == "::"
                                 ? "localhost"
                                 : config.listen_address;
    report.url = "https://" + host + ":" + std::to_string(config.listen_port) + "/";
    report.signing_key_fingerprint = crypto::key_fingerprint(crypto::as_chars(signing.public_key));
    report.signing_public_key_file = config.signing_public_key_file();
    return report;
  }();

  if (!result) {
    // Leave nothing half-made behind: a new directory goes, an empty one is emptied, and a
    // PostgreSQL database that was empty before is emptied again.
    if (created_schema && !config.database_url.empty())
      if (auto db = open_database(config, false)) (void)store::drop_schema(**db);
    std::error_code ec;
    if (created_dir) {
      fs::remove_all(config.data_dir, ec);
    } else {
      for (const auto& entry : fs::directory_iterator(config.data_dir, ec)) fs::remove_all(entry.path(), ec);
    }
  }
  return result;
}

Result<std::unique_ptr<Installation>> Installation::open(const Config& config) {
  if (config.database_url.empty() && !fs::exists(config.database_file()))
    return make_error(ErrorCode::not_found, "'" + config.data_dir.string() +
                                                "' holds no Tillit installation; create one with 'tillit init --data " +
                                                config.data_dir.string() + "'");
  auto master = crypto::load_master_key_file(config.master_key_file());
  if (!master) return master.error();
  auto db = open_database(config, false);
  if (!db) return db.error();
  if (auto v = store::migrate(**db); !v) return v.error();

  std::unique_ptr<Installation> inst(new Installation());
  inst->config_ = config;
  {
    auto tx = (*db)->begin(store::Access::read);
    if (!tx) return tx.error();
    auto chain_key = unwrap(**tx, *master, kChainKeyName);
    if (!chain_key) return chain_key.error();
    auto seed = unwrap(**tx, *master, kSigningKeyName);
    if (!seed) return seed.error();
    inst->chain_ = std::make_unique<audit::Chain>(std::move(*chain_key));
    inst->signing_key_ = crypto::signing_key_from_seed(*seed);
  }
  auto field_key = field_key_of(**db, *master);
  if (!field_key) return field_key.error();
  inst->field_key_ = std::move(*field_key);
  inst->db_ = std::move(*db);
  return inst;
}

Result<audit::Event> Installation::record(store::Transaction& tx, const Actor& actor, std::string action,
                                          std::string object_type, std::string object_id,
                                          const nlohmann::json& changes) const {
  audit::Event e{0, format_rfc3339(now_utc()), actor.id, std::move(action), std::move(object_type), std::move(object_id),
                 changes.dump(), actor.client_address, {}, {}};
  return store::AuditStore(*chain_).append(tx, std::move(e));
}

}  // namespace tillit::services
