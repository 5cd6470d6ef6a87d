// The subcommands of `tillit`. Each registers its options on the CLI11 app and returns the
// function that runs it. Exit codes: 0 success, 1 runtime failure (the message says what to
// do), 2 bad usage (reported by CLI11 before anything runs).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "tillit/core/result.h"
#include "tillit/services/installation.h"

namespace tillit::cli {

using Runner = std::function<int()>;

void add_init_command(CLI::App& app, Runner& run);
void add_serve_command(CLI::App& app, Runner& run);
void add_catalog_command(CLI::App& app, Runner& run);
void add_audit_command(CLI::App& app, Runner& run);
void add_migrate_command(CLI::App& app, Runner& run);
void add_jobs_command(CLI::App& app, Runner& run);
void add_cvss_command(CLI::App& app, Runner& run);
void add_user_command(CLI::App& app, Runner& run);
void add_token_command(CLI::App& app, Runner& run);
void add_approvals_command(CLI::App& app, Runner& run);
void add_access_review_command(CLI::App& app, Runner& run);
void add_report_command(CLI::App& app, Runner& run);
void add_compliance_report_commands(CLI::App& app, Runner& run);  // report compliance|soa
void add_import_command(CLI::App& app, Runner& run);
void add_findings_command(CLI::App& app, Runner& run);
void add_patches_command(CLI::App& app, Runner& run);   // patches add|update|list|report
void add_duties_command(CLI::App& app, Runner& run);  // duties list|show|add|set|complete|remind
void add_assess_command(CLI::App& app, Runner& run);    // assess list|show|set
void add_evidence_command(CLI::App& app, Runner& run);  // evidence add|version|list|get|link
void add_backup_command(CLI::App& app, Runner& run);   // backup key|create|verify|test
void add_restore_command(CLI::App& app, Runner& run);
void add_verify_command(CLI::App& app, Runner& run);
void add_doctor_command(CLI::App& app, Runner& run);  // configuration, keys, certificate, clock
void add_mail_command(CLI::App& app, Runner& run);  // mail outbox|send-pending

// The process environment, for configuration overrides (TILLIT_*).
std::optional<std::string> environment(const char* name);

// Loads DATA_DIR's configuration (with environment overrides) and opens the installation.
Result<std::unique_ptr<services::Installation>> open_installation(const std::string& data_dir);

// Prints "tillit: <message>" to stderr and returns 1 (a runtime failure).
int report(const Error& error);
// Prints the message and returns 2: an option's value was unusable.
int report_usage(const Error& error);

}  // namespace tillit::cli
