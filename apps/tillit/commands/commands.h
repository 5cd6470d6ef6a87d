// The subcommands of `tillit`. Each registers its options on the CLI11 app and returns the
// function that runs it. Exit codes: 0 success, 1 runtime failure (the message says what to
// do), 2 bad usage (reported by CLI11 before anything runs).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <string>

#include "tillit/core/result.h"

namespace tillit::cli {

using Runner = std::function<int()>;

void add_init_command(CLI::App& app, Runner& run);
void add_serve_command(CLI::App& app, Runner& run);
void add_catalog_command(CLI::App& app, Runner& run);
void add_audit_command(CLI::App& app, Runner& run);

// Prints "tillit: <message>" to stderr and returns 1 (a runtime failure).
int report(const Error& error);
// Prints the message and returns 2: an option's value was unusable.
int report_usage(const Error& error);

}  // namespace tillit::cli
