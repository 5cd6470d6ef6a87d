#include <chrono>
#include <cstdlib>
#include <thread>

#include "commands.h"
#include "tillit/crypto/key_file.h"
#include "tillit/services/backup.h"

namespace tillit::cli {
namespace {

// The data directory's backup key; created on first use, and then said so, because it must
// be copied somewhere safe away from the backups.
Result<crypto::SecretBytes> backup_key_of(const services::Config& config, bool create) {
  const auto path = services::backup_key_file(config);
  if (create && !std::filesystem::exists(path)) {
    if (auto s = services::create_backup_key_file(path); !s) return s.error();
    std::cerr << "Created the backup key " << path.string()
              << ". Keep a copy apart from the backups: without it they cannot be read.\n";
  }
  if (!std::filesystem::exists(path))
    return make_error(ErrorCode::not_found, "'" + path.string() + "' does not exist; give the backup key with --key FILE");
  return services::load_backup_key_file(path);
}

void print_manifest(const services::BackupManifest& m) {
  std::int64_t rows = 0;
  for (const auto& r : m.rows) rows += r.second;
  std::cout << "  installation " << m.installation_id << ", taken " << m.created_at << " from " << m.backend
            << " (schema " << m.schema_version << ", Tillit " << m.tillit_version << ")\n"
            << "  " << m.parts.size() << " parts, " << rows << " rows in " << m.rows.size() << " tables, audit chain "
            << m.audit_events << " events (head " << m.audit_head << ")\n";
  for (const auto& p : m.parts) std::cout << "    " << p.name << "  " << p.size << " bytes  sha256 " << p.sha256 << "\n";
}

// TILLIT_TEST_PAUSE_BACKUP=SECONDS: a test-only hook that sleeps after the database part is
// written, so the crash-safety test can kill `backup create` half-way. Never set it otherwise.
std::function<void()> test_pause_hook() {
  const char* pause = std::getenv("TILLIT_TEST_PAUSE_BACKUP");
  if (!pause || !*pause) return {};
  const int seconds = std::atoi(pause);
  return [seconds] {
    std::cerr << "TILLIT_TEST_PAUSE_BACKUP: pausing " << seconds << " s\n" << std::flush;
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
  };
}

}  // namespace

void add_backup_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("backup", "Encrypted backups: create, verify and test-restore them");
  cmd->require_subcommand(1);
  cmd->footer(
      "Backups are encrypted (AES-256-GCM) under DATA/keys/backup.key, which is not the master key. Keep the backup "
      "key and keys/master.key apart from the backups: a restore needs both.");
  auto data_dir = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto key_file = std::make_shared<std::string>();

  auto* key = cmd->add_subcommand("key", "Create the backup key DATA/keys/backup.key (mode 0600)");
  key->add_option("--data", *data_dir, "Data directory")->required();
  key->callback([=, &run] {
    run = [=] {
      auto config = services::load_config(*data_dir, environment);
      if (!config) return report(config.error());
      const auto path = services::backup_key_file(*config);
      if (auto s = services::create_backup_key_file(path); !s) return report(s.error());
      std::cout << "Created " << path.string() << ". Keep a copy apart from the backups.\n";
      return 0;
    };
  });

  auto to = std::make_shared<std::string>();
  auto* create = cmd->add_subcommand("create", "Back up an installation (online: the server may keep running)");
  create->add_option("--data", *data_dir, "Data directory")->required();
  create->add_option("--to", *to, "Directory to write tillit-backup-<time>.tbk to (separate storage)")->required();
  create->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto key = backup_key_of((*inst)->config(), true);
      if (!key) return report(key.error());
      services::BackupOptions options;
      options.destination = *to;
      options.after_first_part = test_pause_hook();
      auto made = services::create_backup(**inst, services::local_operator(), *key, options);
      if (!made) return report(made.error());
      std::cout << "Backup written: " << made->file.string() << " (" << made->bytes << " bytes, sha256 " << made->sha256
                << ")\n";
      print_manifest(made->manifest);
      if (!made->warning.empty()) std::cerr << "tillit: warning: " << made->warning << "\n";
      return 0;
    };
  });

  auto* verify = cmd->add_subcommand("verify", "Check a backup archive completely without restoring it");
  verify->add_option("FILE", *file, "The .tbk archive")->required();
  verify->add_option("--key", *key_file, "The backup key file (default: DATA/keys/backup.key with --data)");
  verify->add_option("--data", *data_dir, "Data directory whose backup key to use");
  verify->callback([=, &run] {
    run = [=] {
      Result<crypto::SecretBytes> key = make_error(ErrorCode::invalid_argument, "");
      if (!key_file->empty()) key = services::load_backup_key_file(*key_file);
      else if (!data_dir->empty()) {
        auto config = services::load_config(*data_dir, environment);
        if (!config) return report(config.error());
        key = backup_key_of(*config, false);
      } else {
        return report_usage(make_error(ErrorCode::invalid_argument, "give the backup key with --key FILE (or --data DIR)"));
      }
      if (!key) return report(key.error());
      auto manifest = services::verify_backup(*file, *key);
      if (!manifest) {
        std::cout << "FAILED: " << manifest.error().message << "\n";
        return 1;
      }
      std::cout << "OK: " << *file << " is complete and authentic; every part matches its SHA-256\n";
      print_manifest(*manifest);
      return 0;
    };
  });

  auto* test = cmd->add_subcommand("test", "Restore a backup into a temporary directory, verify it, remove it and "
                                            "record the result as evidence");
  test->add_option("FILE", *file, "The .tbk archive")->required();
  test->add_option("--data", *data_dir, "Data directory of the installation the backup belongs to")->required();
  test->add_option("--key", *key_file, "The backup key file (default: DATA/keys/backup.key)");
  test->callback([=, &run] {
    run = [=] {
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto key = key_file->empty() ? backup_key_of((*inst)->config(), false) : services::load_backup_key_file(*key_file);
      if (!key) return report(key.error());
      auto tested = services::test_restore(**inst, services::local_operator(), *file, *key);
      if (!tested) return report(tested.error());
      std::cout << (tested->passed ? "PASSED: " : "FAILED: ") << tested->detail
                << "\nRecorded as audit event backup.restore_test.\n";
      return tested->passed ? 0 : 1;
    };
  });
}

void add_restore_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("restore", "Restore a backup into a new data directory, verified before it appears");
  auto file = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  auto key_file = std::make_shared<std::string>();
  auto master_key = std::make_shared<std::string>();
  auto url = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "The .tbk archive")->required();
  cmd->add_option("--data", *data_dir, "New or empty data directory to restore into")->required();
  cmd->add_option("--key", *key_file, "The backup key file")->required();
  cmd->add_option("--master-key", *master_key,
                  "The installation's master key file (needed to open it and verify the audit chain)");
  cmd->add_option("--database", *url, "Restore into this empty PostgreSQL database (default: SQLite in --data)");
  cmd->add_flag("--force", *force, "Restore even if --data is not empty: its contents are moved aside, not deleted");
  cmd->footer(
      "Every part's SHA-256, the database's integrity, every table's row count and (with --master-key) the audit "
      "chain are checked in a hidden directory beside --data, which is renamed into place only when all of it passes.");
  cmd->callback([=, &run] {
    run = [=] {
      auto key = services::load_backup_key_file(*key_file);
      if (!key) return report(key.error());
      services::RestoreOptions options;
      options.archive = *file;
      options.data_dir = *data_dir;
      options.backup_key = std::move(*key);
      if (!master_key->empty()) options.master_key_file = std::filesystem::path(*master_key);
      options.database_url = *url;
      options.force = *force;
      auto restored = services::restore_backup(options);
      if (!restored) return report(restored.error());
      std::int64_t rows = 0;
      for (const auto& r : restored->rows) rows += r.second;
      std::cout << "Restored into " << restored->data_dir.string() << " (" << restored->backend << "): " << rows
                << " rows in " << restored->rows.size() << " tables match the backup\n";
      if (restored->audit_verified)
        std::cout << "Audit chain intact: " << restored->audit_events << " events, head " << restored->audit_head << "\n";
      else
        std::cout << "Audit chain NOT verified: copy the master key to " << (restored->data_dir / "keys" / "master.key").string()
                  << " (mode 0600), then run 'tillit verify --data " << restored->data_dir.string() << "'\n";
      if (restored->moved_aside) std::cout << "The earlier contents were moved to " << restored->moved_aside->string() << "\n";
      return 0;
    };
  });
}

}  // namespace tillit::cli
