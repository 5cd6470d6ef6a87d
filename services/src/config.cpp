#include "tillit/services/config.h"

#include <yaml-cpp/yaml.h>

#include "tillit/services/mail.h"
#include "tillit/store/database.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace tillit::services {

namespace {

// A count from 1 to 64 (threads, pool size), or an error naming `what`.
Result<unsigned> parse_count(std::string_view value, std::string_view what) {
  unsigned n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || end != value.data() + value.size() || n < 1 || n > 64)
    return make_error(ErrorCode::invalid_argument, std::string(what) + " must be a whole number from 1 to 64");
  return n;
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
         c == '%' || c == '_';
}

}  // namespace

std::string yaml_quote(std::string_view value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

Status parse_listen(std::string_view text, std::string& address, unsigned short& port) {
  const auto bad = [&] {
    return make_error(ErrorCode::invalid_argument,
                      "listen address '" + std::string(text) + "' must be HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return bad();
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return bad();
    host = host.substr(1, host.size() - 2);
  }
  for (char c : host)
    if (!is_host_char(c)) return bad();
  unsigned value = 0;
  const auto digits = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size() || value > 65535) return bad();
  address = std::string(host);
  port = static_cast<unsigned short>(value);
  return {};
}

namespace {

using Fail = std::function<Error(int line, const std::string& why)>;

// A whole number in [low, high], or an error naming the setting and the range.
Result<unsigned> parse_bounded(std::string_view value, std::string_view what, unsigned low, unsigned high) {
  unsigned n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || end != value.data() + value.size() || n < low || n > high)
    return make_error(ErrorCode::invalid_argument, std::string(what) + " must be a whole number from " +
                                                       std::to_string(low) + " to " + std::to_string(high));
  return n;
}

// The lower bounds are the annex's and OWASP's floors: a configuration cannot weaken them.
Status apply_identity_setting(IdentitySettings& s, const std::string& key, std::string_view value) {
  using namespace std::chrono;
  struct Rule {
    const char* key;
    unsigned low, high;
  };
  static constexpr Rule rules[] = {{"password_min_length", 12, 128}, {"password_max_age_days", 0, 3650},
                                   {"password_history", 0, 50},      {"session_idle_minutes", 1, 240},
                                   {"session_absolute_hours", 1, 24}, {"lockout_threshold", 3, 20},
                                   {"unused_account_days", 7, 3650}};
  for (const auto& r : rules) {
    if (key != r.key) continue;
    auto n = parse_bounded(value, key, r.low, r.high);
    if (!n) return n.error();
    if (key == "password_min_length") s.password.min_length = *n;
    if (key == "password_max_age_days") s.password.max_age = days{*n};
    if (key == "password_history") s.password.history_count = *n;
    if (key == "session_idle_minutes") s.session_idle = minutes{*n};
    if (key == "session_absolute_hours") s.session_absolute = hours{*n};
    if (key == "lockout_threshold") s.lockout_threshold = *n;
    if (key == "unused_account_days") s.unused_account_after = days{*n};
    return {};
  }
  return make_error(ErrorCode::invalid_argument, "unknown identity setting '" + key + "'");
}

// Mail settings. There is no setting for plain-text SMTP: mail may carry incident and
// vulnerability details, so TLS is always required.
Status apply_mail_setting(MailSettings& m, const std::string& key, std::string_view value) {
  if (key == "smtp_host") {
    for (char c : value)
      if (!is_host_char(c)) return make_error(ErrorCode::invalid_argument, "smtp_host must be a host name or address");
    m.host = std::string(value);
  } else if (key == "smtp_port") {
    auto n = parse_bounded(value, key, 1, 65535);
    if (!n) return n.error();
    m.port = static_cast<unsigned short>(*n);
  } else if (key == "smtp_from") {
    if (auto s = check_mail_address(value, key); !s) return s;
    m.from = std::string(value);
  } else if (key == "smtp_username") {
    m.username = std::string(value);
  } else if (key == "smtp_password_file") {
    m.password_file = std::string(value);
  } else if (key == "smtp_ca_file") {
    m.ca_file = std::string(value);
  } else if (key == "smtp_tls") {
    if (value != "starttls" && value != "implicit")
      return make_error(ErrorCode::invalid_argument,
                        "smtp_tls must be starttls (port 587) or implicit (port 465); mail is never sent without TLS");
    m.tls = std::string(value);
  } else if (key == "customer_security_contacts") {
    auto list = parse_mail_addresses(value, key);
    if (!list) return list.error();
    m.security_contacts = *list;
  } else {
    return make_error(ErrorCode::invalid_argument,
                      "unknown setting '" + key +
                          "' (known: smtp_host, smtp_port, smtp_from, smtp_username, smtp_password_file, smtp_ca_file, "
                          "smtp_tls, customer_security_contacts); the password itself belongs in the file "
                          "smtp_password_file names");
  }
  return {};
}

}  // namespace

Status parse_time_source(std::string_view text, std::string& host, unsigned short& port) {
  const auto colon = text.rfind(':');
  const bool has_port = colon != std::string_view::npos && text.find(':') == colon;  // one colon: HOST:PORT
  host = std::string(has_port ? text.substr(0, colon) : text);
  port = 123;
  if (host.empty())
    return make_error(ErrorCode::invalid_argument, "time_source must be a host name or address, optionally with :PORT");
  for (char c : host)
    if (!is_host_char(c))
      return make_error(ErrorCode::invalid_argument, "time_source must be a host name or address, optionally with :PORT");
  if (has_port) {
    auto n = parse_bounded(text.substr(colon + 1), "time_source's port", 1, 65535);
    if (!n) return n.error();
    port = static_cast<unsigned short>(*n);
  }
  return {};
}

namespace {

// Applies each setting of the mapping `root`; throws YAML::Exception on unreadable nodes.
Status apply_settings(Config& config, const YAML::Node& root, const Fail& fail) {
  for (const auto& kv : root) {
    const int line = kv.first.Mark().line + 1;
    if (!kv.first.IsScalar()) return fail(line, "setting names must be plain words");
    const auto key = kv.first.as<std::string>();
    if (!kv.second.IsScalar()) return fail(line, "'" + key + "' must be a single value");
    const auto value = kv.second.as<std::string>();
    if (key == "listen") {
      if (auto s = parse_listen(value, config.listen_address, config.listen_port); !s) return fail(line, s.error().message);
    } else if (key == "public_url") {
      if (value.rfind("https://", 0) != 0) return fail(line, "public_url must start with https://");
      config.public_url = value;
    } else if (key == "tls_certificate") {
      config.certificate_file = value;
    } else if (key == "tls_private_key") {
      config.private_key_file = value;
    } else if (key == "evidence_max_mb") {
      auto n = parse_bounded(value, key, 1, 10240);
      if (!n) return fail(line, n.error().message);
      config.evidence_max_bytes = std::uint64_t{*n} << 20;
    } else if (key == "import_max_mb") {
      auto n = parse_bounded(value, key, 1, 10240);
      if (!n) return fail(line, n.error().message);
      config.import_max_bytes = std::uint64_t{*n} << 20;
    } else if (key == "threads" || key == "database_pool_size") {
      auto n = parse_count(value, key);
      if (!n) return fail(line, n.error().message);
      (key == "threads" ? config.threads : config.database_pool_size) = *n;
    } else if (key == "password_min_length" || key == "password_max_age_days" || key == "password_history" ||
               key == "session_idle_minutes" || key == "session_absolute_hours" || key == "lockout_threshold" ||
               key == "unused_account_days") {
      if (auto s = apply_identity_setting(config.identity, key, value); !s) return fail(line, s.error().message);
    } else if (key.rfind("oidc_", 0) == 0) {
      auto& f = config.federation;
      if (key == "oidc_issuer") {
        if (value.rfind("https://", 0) != 0) return fail(line, "oidc_issuer must be an https:// URL");
        f.issuer = value;
      } else if (key == "oidc_client_id") {
        f.client_id = value;
      } else if (key == "oidc_client_secret_file") {
        f.client_secret_file = value;
      } else if (key == "oidc_required_acr") {
        f.required_acr = value;
      } else if (key == "oidc_ca_file") {
        f.ca_file = value;
      } else {
        return fail(line, "unknown setting '" + key +
                              "' (known: oidc_issuer, oidc_client_id, oidc_client_secret_file, oidc_required_acr, "
                              "oidc_ca_file); the client secret itself belongs in the file oidc_client_secret_file "
                              "names");
      }
    } else if (key.rfind("smtp_", 0) == 0 || key == "customer_security_contacts") {
      if (auto s = apply_mail_setting(config.mail, key, value); !s) return fail(line, s.error().message);
    } else if (key == "backup_destination") {
      if (!std::filesystem::path(value).is_absolute())
        return fail(line, "backup_destination must be an absolute path (a directory on separate storage)");
      config.backup.destination = value;
    } else if (key == "backup_retention_days" || key == "backup_keep_at_least") {
      auto n = parse_bounded(value, key, 1, 3650);
      if (!n) return fail(line, n.error().message);
      if (key == "backup_retention_days") config.backup.keep_for = std::chrono::days(*n);
      else config.backup.keep_at_least = *n;
    } else if (key == "time_source") {
      std::string host;
      unsigned short port = 123;
      if (auto s = parse_time_source(value, host, port); !s) return fail(line, s.error().message);
      config.time.source = value;
    } else if (key == "time_max_offset_ms") {
      auto n = parse_bounded(value, key, 1, 3'600'000);
      if (!n) return fail(line, n.error().message);
      config.time.max_offset = std::chrono::milliseconds(*n);
    } else if (key == "database") {
      if (auto s = store::check_postgresql_url(value); !s) return fail(line, s.error().message);
      config.database_url = value;
    } else {
      return fail(line, "unknown setting '" + key +
                            "' (known: listen, public_url, tls_certificate, tls_private_key, threads, evidence_max_mb, import_max_mb, database, "
                            "database_pool_size, password_min_length, password_max_age_days, password_history, "
                            "session_idle_minutes, session_absolute_hours, lockout_threshold, unused_account_days, oidc_*, "
                            "smtp_*, customer_security_contacts, time_source, time_max_offset_ms, backup_destination, backup_retention_days, "
                            "backup_keep_at_least); secrets never belong in this file");
    }
  }
  return {};
}

}  // namespace

Status apply_config_text(Config& config, std::string_view yaml_text, std::string_view source) {
  const Fail fail = [&](int line, const std::string& why) {
    return make_error(ErrorCode::invalid_argument, std::string(source) + ":" + std::to_string(line) + ": " + why);
  };
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return fail(e.mark.line + 1, "not valid YAML (" + e.msg + ")");
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) return fail(1, "the configuration must be a YAML mapping");
  try {
    return apply_settings(config, root, fail);
  } catch (const YAML::Exception& e) {
    return fail(e.mark.line + 1, "unreadable setting (" + e.msg + ")");
  }
}

Result<Config> load_config(const std::filesystem::path& data_dir,
                           const std::function<std::optional<std::string>(const char*)>& getenv) {
  Config config;
  config.data_dir = data_dir;
  if (std::ifstream in{config.config_file()}) {
    std::stringstream text;
    text << in.rdbuf();
    if (auto s = apply_config_text(config, text.str(), config.config_file().string()); !s) return s.error();
  }
  if (auto v = getenv("TILLIT_LISTEN"))
    if (auto s = parse_listen(*v, config.listen_address, config.listen_port); !s)
      return make_error(ErrorCode::invalid_argument, "TILLIT_LISTEN: " + s.error().message);
  if (auto v = getenv("TILLIT_PUBLIC_URL")) config.public_url = *v;
  if (auto v = getenv("TILLIT_TLS_CERTIFICATE")) config.certificate_file = *v;
  if (auto v = getenv("TILLIT_TLS_PRIVATE_KEY")) config.private_key_file = *v;
  if (auto v = getenv("TILLIT_DATABASE_URL")) {
    if (auto s = store::check_postgresql_url(*v); !s)
      return make_error(ErrorCode::invalid_argument, "TILLIT_DATABASE_URL: " + s.error().message);
    config.database_url = *v;
  }
  if (auto v = getenv("TILLIT_THREADS")) {
    auto n = parse_count(*v, "TILLIT_THREADS");
    if (!n) return n.error();
    config.threads = *n;
  }
  // Relative paths in the file or environment are relative to the data directory (which may
  // itself be relative: resolve each path once, never twice).
  if (config.certificate_file.empty()) config.certificate_file = "tls/certificate.pem";
  if (config.private_key_file.empty()) config.private_key_file = "tls/private-key.pem";
  auto& federation = config.federation;
  if (federation.enabled() && (federation.client_id.empty() || federation.client_secret_file.empty()))
    return make_error(ErrorCode::invalid_argument,
                      "oidc_issuer is set, so oidc_client_id and oidc_client_secret_file must be set too");
  if (!federation.client_secret_file.empty() && std::filesystem::path(federation.client_secret_file).is_relative())
    federation.client_secret_file = (data_dir / federation.client_secret_file).string();
  if (!federation.ca_file.empty() && std::filesystem::path(federation.ca_file).is_relative())
    federation.ca_file = (data_dir / federation.ca_file).string();
  auto& mail = config.mail;
  if (mail.enabled() && mail.from.empty())
    return make_error(ErrorCode::invalid_argument, "smtp_host is set, so smtp_from (the sender address) must be set too");
  if (!mail.username.empty() && mail.password_file.empty())
    return make_error(ErrorCode::invalid_argument,
                      "smtp_username is set, so smtp_password_file (a 0600 file holding the password) must be set too");
  for (auto* path : {&mail.password_file, &mail.ca_file})
    if (!path->empty() && std::filesystem::path(*path).is_relative()) *path = (data_dir / *path).string();
  if (config.certificate_file.is_relative()) config.certificate_file = data_dir / config.certificate_file;
  if (config.private_key_file.is_relative()) config.private_key_file = data_dir / config.private_key_file;
  return config;
}

std::string Config::base_url() const {
  if (!public_url.empty()) return public_url.back() == '/' ? public_url.substr(0, public_url.size() - 1) : public_url;
  return "https://localhost:" + std::to_string(listen_port);
}

std::string listen_text(const Config& config) {
  const bool ipv6 = config.listen_address.find(':') != std::string::npos;
  return (ipv6 ? "[" + config.listen_address + "]" : config.listen_address) + ":" + std::to_string(config.listen_port);
}

std::string default_config_text(const Config& config) {
  std::ostringstream out;
  out << "# Tillit configuration. Environment variables TILLIT_LISTEN, TILLIT_PUBLIC_URL,\n"
         "# TILLIT_TLS_CERTIFICATE, TILLIT_TLS_PRIVATE_KEY and TILLIT_THREADS override these.\n"
         "# No secrets here: keys live in keys/ (mode 0600).\n"
      << "listen: " << yaml_quote(listen_text(config)) << "\n"
      << "# public_url: \"https://tillit.example.se\"\n"
      << "# tls_certificate: \"tls/certificate.pem\"   # relative to the data directory; reloaded on SIGHUP\n"
      << "# tls_private_key: \"tls/private-key.pem\"\n"
      << "threads: " << config.threads << "\n"
      << "# import_max_mb: 512   # largest scanner report POST /api/v1/imports accepts\n"
      << "# Sign-in rules (defaults shown):\n"
      << "# password_min_length: 14\n# password_max_age_days: 365   # 0: passwords never expire\n"
      << "# password_history: 5\n# session_idle_minutes: 15\n# session_absolute_hours: 8\n"
      << "# lockout_threshold: 5\n# unused_account_days: 90\n"
      << "# Sign-in with an eID through OpenID Connect (assurance level 3 required):\n"
      << "# oidc_issuer: \"https://eid.example.se\"\n# oidc_client_id: \"tillit\"\n"
      << "# oidc_client_secret_file: \"keys/oidc-client-secret\"   # mode 0600\n"
      << "# oidc_required_acr: \"http://id.elegnamnden.se/loa/1.0/loa3\"\n"
      << "# Outgoing mail (STARTTLS, TLS 1.2+, verified certificate):\n"
      << "# smtp_host: \"smtp.example.se\"\n# smtp_port: 587\n# smtp_from: \"tillit@example.se\"\n"
      << "# smtp_username: \"tillit\"\n# smtp_password_file: \"keys/smtp-password\"   # mode 0600\n"
      << "# customer_security_contacts: \"security@customer.example.se\"   # notices of critical/high vulnerabilities\n";
  if (config.database_url.empty())
    out << "# database: \"postgresql://tillit@db.example.se/tillit?sslmode=verify-full\"   # password in ~/.pgpass\n";
  else
    out << "database: " << yaml_quote(config.database_url) << "\n";
  return out.str();
}

}  // namespace tillit::services
