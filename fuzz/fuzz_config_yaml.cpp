// fuzz_config_yaml: services::apply_config_text, the reader of DATA_DIR/tillit.yaml;
// load_config's TILLIT_THREADS override (which is read by the same YAML path); and
// store::check_postgresql_url, which vets `database:` and TILLIT_DATABASE_URL (the whole input is
// also offered to it as a URL).
//
// Invariants:
//  - apply_config_text never throws; a rejection is invalid_argument naming the source
//    ("SOURCE:LINE: ...");
//  - an accepted file leaves a usable config: threads 1-64, a non-empty listen host, a
//    public_url that is empty or https://, a pool size 1-64;
//  - the file `tillit init` writes for that config (default_config_text) reads back to the
//    same listen address, port, threads and database URL;
//  - TILLIT_THREADS sets the thread count and nothing else;
//  - a database URL that check_postgresql_url accepts carries no password, as libpq (which
//    will read it) sees it: "the file holds no secrets, by design" (config.h).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "fuzz_check.h"
#include "tillit/services/config.h"
#include "tillit/store/database.h"

namespace {

using tillit::fuzz::show;
using tillit::services::Config;

constexpr std::string_view kSource = "fuzz.yaml";

void check_usable(const Config& c, const std::string& context) {
  FUZZ_CHECK_MSG(c.threads >= 1 && c.threads <= 64, context + ": threads " + std::to_string(c.threads));
  FUZZ_CHECK_MSG(!c.listen_address.empty(), context + ": empty listen address");
  FUZZ_CHECK_MSG(c.public_url.empty() || c.public_url.rfind("https://", 0) == 0, context + ": public_url " + show(c.public_url));
  FUZZ_CHECK_MSG(c.database_pool_size >= 1 && c.database_pool_size <= 64,
                 context + ": database_pool_size " + std::to_string(c.database_pool_size));
}

void check_file(std::string_view text) {
  Config config;
  const auto s = tillit::services::apply_config_text(config, text, kSource);
  if (!s) {
    FUZZ_CHECK_MSG(s.error().code == tillit::ErrorCode::invalid_argument, s.error().message);
    FUZZ_CHECK_MSG(s.error().message.rfind(std::string(kSource) + ":", 0) == 0,
                   "error does not name its source: " + show(s.error().message));
    return;
  }
  check_usable(config, "accepted config");

  // `tillit init` writes default_config_text(config); `tillit serve` reads it back.
  const std::string written = tillit::services::default_config_text(config);
  Config reread;
  const auto again = tillit::services::apply_config_text(reread, written, "default_config_text");
  FUZZ_CHECK_MSG(again.ok(), "the file written for this config does not load: " + show(again.error().message) +
                                 "; listen address " + show(config.listen_address) + "\n--- written:\n" + written);
  FUZZ_CHECK_MSG(reread.database_url == config.database_url,
                 "the file written for this config loads a different database URL: " + show(config.database_url) +
                     " became " + show(reread.database_url));
  FUZZ_CHECK_MSG(reread.listen_address == config.listen_address && reread.listen_port == config.listen_port &&
                     reread.threads == config.threads,
                 "the file written for this config loads differently: listen " + show(config.listen_address) + " port " +
                     std::to_string(config.listen_port) + " became " + show(reread.listen_address) + " port " +
                     std::to_string(reread.listen_port));
}

void check_threads_variable(std::string_view text) {
  const std::string value(text);
  // A data directory that does not exist: no file is read, only the environment applies.
  const auto config = tillit::services::load_config("/nonexistent/tillit-fuzz", [&](const char* name) {
    return std::string_view(name) == "TILLIT_THREADS" ? std::optional<std::string>(value) : std::nullopt;
  });
  if (!config) {
    FUZZ_CHECK_MSG(config.error().code == tillit::ErrorCode::invalid_argument, config.error().message);
    return;
  }
  check_usable(*config, "TILLIT_THREADS");
  const Config defaults;
  FUZZ_CHECK_MSG(config->listen_address == defaults.listen_address && config->listen_port == defaults.listen_port &&
                     config->public_url == defaults.public_url && config->database_url.empty() &&
                     config->database_pool_size == defaults.database_pool_size &&
                     config->certificate_file == "/nonexistent/tillit-fuzz/tls/certificate.pem" &&
                     config->private_key_file == "/nonexistent/tillit-fuzz/tls/private-key.pem",
                 "TILLIT_THREADS " + show(value) + " changed a setting other than threads: listen " +
                     show(config->listen_address) + " port " + std::to_string(config->listen_port) + ", public_url " +
                     show(config->public_url) + ", certificate " + show(config->certificate_file.string()) +
                     ", private key " + show(config->private_key_file.string()));
}

void check_database_url(std::string_view text) {
  const auto s = tillit::store::check_postgresql_url(text);
  if (!s) {
    FUZZ_CHECK_MSG(s.error().code == tillit::ErrorCode::invalid_argument, s.error().message);
    return;
  }
  // What libpq will make of it (it reads the URL up to the first NUL, as the store does).
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(std::string(text).c_str(), &error);
  PQfreemem(error);
  FUZZ_CHECK_MSG(options != nullptr, "check_postgresql_url accepted a URL libpq cannot parse: " + show(text));
  std::string password;
  for (const PQconninfoOption* o = options; o->keyword; ++o)
    if (std::string_view(o->keyword) == "password" && o->val) password = o->val;
  PQconninfoFree(options);
  FUZZ_CHECK_MSG(password.empty(), "check_postgresql_url accepted a URL that carries a password (libpq reads password " +
                                       show(password) + "): " + show(text));

  // `tillit init --database URL` writes it with default_config_text; it must load back.
  Config config;
  config.database_url = std::string(text);
  Config reread;
  const std::string written = tillit::services::default_config_text(config);
  const auto again = tillit::services::apply_config_text(reread, written, "default_config_text");
  FUZZ_CHECK_MSG(again.ok(), "the file written for database URL " + show(text) +
                                 " does not load: " + show(again.error().message));
  FUZZ_CHECK_MSG(reread.database_url == config.database_url,
                 "database URL " + show(text) + " loads back as " + show(reread.database_url));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = tillit::fuzz::as_text(data, size);
  check_file(text);
  check_threads_variable(text);
  check_database_url(text);
  return 0;
}
