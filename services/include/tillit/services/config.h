// Configuration: DATA_DIR/tillit.yaml, overridden by TILLIT_* environment variables.
// The file holds no secrets, by design: keys live in 0600 key files, and a key that is not
// known (for instance a pasted password) is rejected rather than silently kept in plain text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tillit/core/password_policy.h"
#include "tillit/core/result.h"

namespace tillit::services {

// Sign-in and account rules (annex req. 11, 12, 43, 54). Defaults follow the annex and OWASP.
struct IdentitySettings {
  PasswordPolicy password;                       // password_min_length, password_max_age_days, password_history
  std::chrono::minutes session_idle{15};         // session_idle_minutes
  std::chrono::minutes session_absolute{8 * 60};  // session_absolute_hours
  unsigned lockout_threshold = 5;                // failed sign-ins in a row before an account is locked
  unsigned address_lockout_threshold = 20;       // the same, per client address
  std::chrono::days unused_account_after{90};    // unused_account_days: flagged in access reviews
  std::chrono::days api_token_max_lifetime{365};
};

// Federated sign-in (OpenID Connect) at assurance level 3; off unless an issuer is set. The
// client secret lives in a 0600 file whose path is given here, never in this file.
struct FederationSettings {
  std::string issuer;              // oidc_issuer
  std::string client_id;           // oidc_client_id
  std::string client_secret_file;  // oidc_client_secret_file (relative: to the data directory)
  std::string required_acr = "http://id.elegnamnden.se/loa/1.0/loa3";  // oidc_required_acr
  std::string ca_file;             // oidc_ca_file: the provider's CA bundle, if not a public CA
  bool enabled() const { return !issuer.empty(); }
};

// Outgoing mail (services/mail.h): SMTP with STARTTLS (or TLS from the first byte on port 465),
// TLS 1.2 or newer and a verified certificate, always. Off unless smtp_host is set. The
// password lives in a 0600 file whose path is given here, never in this file.
struct MailSettings {
  std::string host;                  // smtp_host
  unsigned short port = 587;         // smtp_port
  std::string from;                  // smtp_from: the sender address
  std::string username;              // smtp_username (optional: no authentication without it)
  std::string password_file;         // smtp_password_file (relative: to the data directory)
  std::string ca_file;               // smtp_ca_file: the server's CA bundle, if not a public CA
  std::string tls = "starttls";      // smtp_tls: starttls, or implicit (TLS from the start)
  std::vector<std::string> security_contacts;  // customer_security_contacts: vulnerability notices
  bool enabled() const { return !host.empty(); }
};

// The common time source (annex req. 30: GPS or Swedish UTC). Tillit measures its own clock's
// offset to it with SNTP; Netnod's Stockholm server distributes Swedish UTC by default.
struct TimeSettings {
  std::string source = "sth1.ntp.se";   // time_source: HOST or HOST:PORT
  std::chrono::milliseconds max_offset{500};  // time_max_offset_ms: warn beyond this
};

// Scheduled backups (annex req. 22): a daily encrypted archive into a directory meant to be
// separate storage, pruned by age but never below the newest few. Off unless a destination
// is set.
struct BackupSettings {
  std::filesystem::path destination;         // backup_destination: an absolute directory
  std::chrono::days keep_for{35};            // backup_retention_days
  unsigned keep_at_least = 7;                // backup_keep_at_least: the newest archives always kept
  bool enabled() const { return !destination.empty(); }
};

struct Config {
  std::filesystem::path data_dir;
  std::string listen_address = "127.0.0.1";
  unsigned short listen_port = 8443;
  std::filesystem::path certificate_file;  // default DATA_DIR/tls/certificate.pem
  std::filesystem::path private_key_file;  // default DATA_DIR/tls/private-key.pem
  std::string public_url;                  // how users reach Tillit; default https://localhost:PORT
  unsigned threads = 2;
  // Empty: SQLite in the data directory. Otherwise a PostgreSQL URL without a password.
  std::string database_url;
  unsigned database_pool_size = 8;
  std::size_t max_request_bytes = 1 << 20;
  // evidence_max_mb: the largest evidence file accepted (1-10240 MiB), checked while streaming.
  std::uint64_t evidence_max_bytes = std::uint64_t{100} << 20;
  // import_max_mb: the largest scanner report POST /api/v1/imports accepts (1-10240 MiB),
  // checked while streaming; every other request body stays within max_request_bytes.
  std::uint64_t import_max_bytes = std::uint64_t{512} << 20;
  IdentitySettings identity;
  FederationSettings federation;
  TimeSettings time;
  BackupSettings backup;
  MailSettings mail;

  // How users reach Tillit: public_url, or https://localhost:PORT.
  std::string base_url() const;

  std::filesystem::path database_file() const { return data_dir / "tillit.db"; }
  std::filesystem::path master_key_file() const { return data_dir / "keys" / "master.key"; }
  std::filesystem::path signing_public_key_file() const { return data_dir / "audit-signing-key.pub"; }
  std::filesystem::path config_file() const { return data_dir / "tillit.yaml"; }
};

// Reads time_source: "HOST" (port 123) or "HOST:PORT".
Status parse_time_source(std::string_view text, std::string& host, unsigned short& port);
// Reads "HOST:PORT" ("127.0.0.1:8443", "[::1]:0", "0.0.0.0:443").
Status parse_listen(std::string_view text, std::string& address, unsigned short& port);

// Loads the config file of `data_dir` (absent file: defaults), then applies environment
// overrides looked up through `getenv` (TILLIT_LISTEN, TILLIT_PUBLIC_URL, TILLIT_TLS_CERTIFICATE,
// TILLIT_TLS_PRIVATE_KEY, TILLIT_THREADS, TILLIT_DATABASE_URL). `getenv` is a parameter so tests need not touch
// the process environment.
Result<Config> load_config(const std::filesystem::path& data_dir,
                           const std::function<std::optional<std::string>(const char*)>& getenv);

// Parses config text; `source` names it in error messages.
Status apply_config_text(Config& config, std::string_view yaml_text, std::string_view source);

// `value` as a double-quoted YAML scalar that reads back as exactly `value`.
std::string yaml_quote(std::string_view value);
// "HOST:PORT" for the configured address, bracketing IPv6.
std::string listen_text(const Config& config);

// The commented default file written by `tillit init`.
std::string default_config_text(const Config& config);

}  // namespace tillit::services
