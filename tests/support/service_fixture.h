// The common start of a service test: a fresh installation in its own temporary directory (on
// SQLite, or on a fresh PostgreSQL database under TILLIT_TEST_BACKEND=postgresql) with three
// people — erik (engineer), sara (security manager) and anna (the customer's auditor) — and a
// test clock, removed again afterwards. A test adds settings to tillit.yaml by overriding
// extra_config(), and more people with add_person().
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "tillit/services/actor.h"
#include "tillit/services/installation.h"

namespace tillit::testing {

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Lines appended to tillit.yaml before the installation is opened.
  virtual std::string extra_config() const { return {}; }

  services::Actor add_person(const std::string& name, services::Role role);
  const services::Actor& person(const std::string& name) const { return people_.at(name); }
  std::int64_t count_audit_events(const std::string& action) const;

  std::filesystem::path dir_;
  std::string database_url_;  // "" for SQLite
  std::unique_ptr<services::Installation> inst_;
  std::map<std::string, services::Actor> people_;
  Timestamp now_ = parse_rfc3339("2026-11-23T09:00:00Z").value();
};

}  // namespace tillit::testing
