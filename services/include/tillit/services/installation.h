// An installation: one data directory (database, keys, TLS files, configuration) and the
// keys unsealed from it. `init` creates one; `open` loads one for a command or the server.
// Every state change goes through a write transaction that also appends its audit event.
//
// Thread safety: an opened Installation is shared read-only by the server's threads.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tillit/audit/chain.h"
#include "tillit/core/time.h"
#include "tillit/crypto/crypto.h"
#include "tillit/services/actor.h"
#include "tillit/services/config.h"
#include "tillit/store/database.h"

namespace tillit::services {

struct InitOptions {
  std::filesystem::path data_dir;
  std::string admin_username = "admin";
  std::string listen = "127.0.0.1:8443";
  std::optional<std::filesystem::path> certificate_file;  // given: used instead of a self-signed one
  std::optional<std::filesystem::path> private_key_file;
  std::string database_url;  // empty: SQLite in the data directory
};

struct InitReport {
  std::string admin_username;
  std::string setup_code;  // shown once; only its Argon2id hash is stored
  std::string setup_code_expires_at;
  std::string url;
  std::string signing_key_fingerprint;
  std::filesystem::path signing_public_key_file;
  bool generated_certificate = false;
};

Timestamp now_utc();

// Opens the configured database: PostgreSQL when config.database_url is set, else the
// SQLite file in the data directory (created when `create`).
Result<std::unique_ptr<store::Database>> open_database(const Config& config, bool create);

class Installation {
 public:
  static Result<InitReport> init(const InitOptions& options);
  static Result<std::unique_ptr<Installation>> open(const Config& config);

  const Config& config() const { return config_; }
  store::Database& db() { return *db_; }
  const audit::Chain& chain() const { return *chain_; }
  const crypto::SigningKey& signing_key() const { return signing_key_; }
  // Seals sensitive fields in the database (AES-256-GCM); itself sealed under the master key.
  const crypto::SecretBytes& field_key() const { return field_key_; }

  // Appends an audit event to `tx` (the same transaction as the change it records).
  Result<audit::Event> record(store::Transaction& tx, const Actor& actor, std::string action, std::string object_type,
                              std::string object_id, const nlohmann::json& changes) const;

 private:
  Installation() = default;
  Config config_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<audit::Chain> chain_;
  crypto::SigningKey signing_key_;
  crypto::SecretBytes field_key_;
};

}  // namespace tillit::services
