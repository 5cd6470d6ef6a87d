// Outgoing mail end to end: a real SMTP server with STARTTLS on loopback (tests/smtp-server),
// Tillit configured to use it through tillit.yaml with a password file, a scanner report with
// critical and high findings imported by `tillit import`, the customer's notice delivered by
// `tillit mail send-pending` (and, in a second test, by the running server on its own) and
// read back from the SMTP server: recipients, subject, the CVEs, STARTTLS. Importing the same
// report again sends nothing new.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>

#include "process.h"
#include "smtp_server.h"
#include "test_database.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::testing::run_command;
using tillit::testing::SmtpTestServer;

namespace {

const fs::path kReport = fs::path(TILLIT_SOURCE_DIR) / "tests" / "fixtures" / "scanners" / "trivy" / "schema2.json";

tillit::testing::CommandResult tillit_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), TILLIT_BINARY);
  return run_command(args);
}

class MailCli : public ::testing::Test {
 protected:
  void SetUp() override {
    TILLIT_SKIP_WITHOUT_DATABASE();
    if (!SmtpTestServer::available()) GTEST_SKIP() << SmtpTestServer::why_unavailable();
    smtp_ = std::make_unique<SmtpTestServer>(SmtpTestServer::Options{.user = "tillit-mailer", .password = "Kv4rt-gr0da-lampa"});
    dir_ = fs::temp_directory_path() / ("tillit-mail-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::vector<std::string> args{"init", "--data", dir_.string()};
    if (const auto url = tillit::testing::fresh_database_url(); !url.empty()) args.insert(args.end(), {"--database", url});
    auto init = tillit_cmd(args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
    std::ifstream written(dir_ / "tillit.yaml");
    initial_config_.assign(std::istreambuf_iterator<char>(written), {});
    const auto password_file = dir_ / "keys" / "smtp-password";
    std::ofstream(password_file) << "Kv4rt-gr0da-lampa\n";
    ::chmod(password_file.c_str(), 0600);
    std::ofstream(dir_ / "tillit.yaml", std::ios::app)
        << "smtp_host: 127.0.0.1\nsmtp_port: " << smtp_->port() << "\nsmtp_from: tillit@supplier.example.se\n"
        << "smtp_username: tillit-mailer\nsmtp_password_file: keys/smtp-password\n"
        << "smtp_ca_file: \"" << smtp_->ca_file() << "\"\n"
        << "customer_security_contacts: \"security@customer.example.se, soc@customer.example.se\"\n";
  }
  void TearDown() override {
    smtp_.reset();
    fs::remove_all(dir_);
  }

  // The identifiers of the critical and high findings, as `tillit findings list` shows them.
  std::vector<std::string> urgent_vulnerabilities() {
    auto list = tillit_cmd({"findings", "list", "--data", dir_.string(), "--severity", "critical", "--severity", "high", "--format", "json"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    std::vector<std::string> ids;
    for (const auto& f : json::parse(list.out)) ids.push_back(f.at("identifiers").at(0).get<std::string>());
    return ids;
  }

  void expect_notice(const tillit::testing::DeliveredMail& mail, const std::vector<std::string>& cves) {
    EXPECT_TRUE(mail.secure) << "the message was sent without STARTTLS";
    EXPECT_EQ(mail.user, "tillit-mailer");
    EXPECT_EQ(mail.from, "tillit@supplier.example.se");
    EXPECT_EQ(mail.to, (std::vector<std::string>{"security@customer.example.se", "soc@customer.example.se"}));
    EXPECT_EQ(mail.header("To"), "security@customer.example.se, soc@customer.example.se");
    EXPECT_NE(mail.subject().find("nya sårbarheter, kritiska eller höga"), std::string::npos) << mail.subject();
    EXPECT_NE(mail.subject().find(std::to_string(cves.size()) + " "), std::string::npos) << mail.subject();
    const std::string text = mail.text();
    for (const auto& cve : cves) EXPECT_NE(text.find(cve), std::string::npos) << cve << " missing in\n" << text;
    EXPECT_NE(text.find("CVSS "), std::string::npos) << text;
  }

  std::unique_ptr<SmtpTestServer> smtp_;
  fs::path dir_;
  std::string initial_config_;  // as init wrote it, before the mail settings
  static inline int counter_ = 0;
};

}  // namespace

TEST_F(MailCli, AnImportWithCriticalFindingsNotifiesTheCustomerOnceOverStartTls) {
  auto imported = tillit_cmd({"import", kReport.string(), "--data", dir_.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const auto cves = urgent_vulnerabilities();
  ASSERT_FALSE(cves.empty()) << "the fixture must hold a critical or high finding";

  auto outbox = tillit_cmd({"mail", "outbox", "--data", dir_.string(), "--format", "json"});
  ASSERT_EQ(outbox.exit_code, 0) << outbox.err;
  auto box = json::parse(outbox.out);
  ASSERT_EQ(box.size(), 1u) << outbox.out;
  EXPECT_EQ(box[0]["status"], "pending");
  EXPECT_EQ(box[0]["purpose"], "vulnerability.notice");
  EXPECT_TRUE(smtp_->messages().empty()) << "queued mail goes out only when the sender runs";

  auto sent = tillit_cmd({"mail", "send-pending", "--data", dir_.string()});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.out.find("1 sent, 0 to retry later, 0 failed"), std::string::npos) << sent.out;
  const auto mails = smtp_->wait_for(1);
  ASSERT_EQ(mails.size(), 1u);
  expect_notice(mails[0], cves);
  box = json::parse(tillit_cmd({"mail", "outbox", "--data", dir_.string(), "--format", "json"}).out);
  EXPECT_EQ(box[0]["status"], "sent");
  EXPECT_NE(box[0]["last_answer"].get<std::string>().find("250"), std::string::npos) << box[0];

  // The same report again: the findings are known and were told; nothing new goes out.
  imported = tillit_cmd({"import", kReport.string(), "--data", dir_.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  sent = tillit_cmd({"mail", "send-pending", "--data", dir_.string()});
  EXPECT_NE(sent.out.find("0 sent"), std::string::npos) << sent.out;
  EXPECT_EQ(json::parse(tillit_cmd({"mail", "outbox", "--data", dir_.string(), "--format", "json"}).out).size(), 1u);
  EXPECT_EQ(smtp_->wait_for(2, std::chrono::seconds(2)).size(), 1u);

  // The audit log holds the queueing and the delivery, and is intact.
  auto verify = tillit_cmd({"audit", "verify", "--data", dir_.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(MailCli, TheRunningServerDeliversQueuedMailByItself) {
  ASSERT_EQ(tillit_cmd({"import", kReport.string(), "--data", dir_.string()}).exit_code, 0);
  const auto cves = urgent_vulnerabilities();
  tillit::testing::ServerProcess server({TILLIT_BINARY, "serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
  // The scheduler looks at the outbox when the server starts and twice a minute after that.
  const auto mails = smtp_->wait_for(1, std::chrono::seconds(60));
  ASSERT_EQ(mails.size(), 1u) << server.stderr_text();
  expect_notice(mails[0], cves);
}

TEST_F(MailCli, WithoutMailSettingsTheSenderSaysWhatToConfigure) {
  std::ofstream(dir_ / "tillit.yaml", std::ios::trunc) << initial_config_;
  auto sent = tillit_cmd({"mail", "send-pending", "--data", dir_.string()});
  EXPECT_EQ(sent.exit_code, 1);
  EXPECT_NE(sent.err.find("smtp_host"), std::string::npos) << sent.err;
  auto bad = tillit_cmd({"mail", "outbox", "--data", dir_.string(), "--status", "lost"});
  EXPECT_EQ(bad.exit_code, 2);
}
