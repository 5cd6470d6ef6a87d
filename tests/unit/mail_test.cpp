// Outgoing mail: the message builder byte for byte (dates, RFC 2047 subjects, attachments,
// header injection refused), the outbox at the service layer with a fake transport and a
// clock the test moves (sealed bodies, retries with backoff, permanent failures, claims), the
// customer's notice of new critical and high vulnerabilities, and the SMTP transport against
// a real SMTP server on loopback (STARTTLS, sign-in, refusals). Database tests run on SQLite
// and (TILLIT_TEST_BACKEND=postgresql) on PostgreSQL.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "smtp_server.h"
#include "service_fixture.h"
#include "test_database.h"
#include "tillit/crypto/crypto.h"
#include "tillit/ingest/source.h"
#include "tillit/services/accounts.h"
#include "tillit/services/audit_service.h"
#include "tillit/services/findings.h"
#include "tillit/services/mail.h"
#include "tillit/services/mail_message.h"

using namespace tillit;
using namespace tillit::services;
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string decode64(const std::string& text) {
  auto bytes = crypto::from_base64(text);
  return bytes ? std::string(crypto::as_chars(*bytes)) : "(not base64)";
}

MailMessageParts simple_parts() {
  MailMessageParts p;
  p.from = "tillit@supplier.example.se";
  p.to = {"security@customer.example.se"};
  p.subject = "Weekly report";
  p.body = "Line one\nLine two\n";
  p.message_id = "abc123@supplier.example.se";
  p.date = parse_rfc3339("2026-11-23T17:02:38Z").value();
  p.boundary = "tillit-boundary-0123456789";
  return p;
}

}  // namespace

TEST(MailMessageTest, DatesAreRfc5322InUtc) {
  EXPECT_EQ(rfc5322_date(parse_rfc3339("2026-11-23T17:02:38Z").value()), "Mon, 23 Nov 2026 17:02:38 +0000");
  EXPECT_EQ(rfc5322_date(parse_rfc3339("2024-02-29T00:00:09.999Z").value()), "Thu, 29 Feb 2024 00:00:09 +0000");
  EXPECT_EQ(rfc5322_date(parse_rfc3339("2027-01-03T23:59:59Z").value()), "Sun, 03 Jan 2027 23:59:59 +0000");
}

TEST(MailMessageTest, APlainMessageHasTheHeadersAndABase64Utf8Body) {
  const auto m = build_mail_message(simple_parts());
  ASSERT_TRUE(m) << m.error().message;
  const std::string expected_head =
      "Date: Mon, 23 Nov 2026 17:02:38 +0000\r\n"
      "From: tillit@supplier.example.se\r\n"
      "To: security@customer.example.se\r\n"
      "Subject: Weekly report\r\n"
      "Message-ID: <abc123@supplier.example.se>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n";
  ASSERT_EQ(m->substr(0, expected_head.size()), expected_head);
  std::string body = m->substr(expected_head.size());
  ASSERT_TRUE(body.ends_with("\r\n"));
  body.resize(body.size() - 2);
  EXPECT_EQ(decode64(body), "Line one\r\nLine two\r\n");  // line endings made CRLF
}

TEST(MailMessageTest, NonAsciiSubjectsBecomeEncodedWordsThatNeverSplitACharacter) {
  EXPECT_EQ(encode_header_text("Plain subject"), "Plain subject");
  EXPECT_EQ(encode_header_text("Sårbarhet"), "=?UTF-8?B?" + crypto::to_base64("Sårbarhet") + "?=");
  // "=?" in plain text would read as an encoded word: it is encoded too.
  EXPECT_EQ(encode_header_text("a =?b"), "=?UTF-8?B?" + crypto::to_base64("a =?b") + "?=");
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "åäö";
  const std::string encoded = encode_header_text(long_text);
  std::string decoded;
  std::istringstream lines(encoded);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.front() == ' ') line.erase(0, 1);
    ASSERT_LE(line.size(), 75u) << line;
    ASSERT_TRUE(line.starts_with("=?UTF-8?B?") && line.ends_with("?=")) << line;
    const std::string piece = decode64(line.substr(10, line.size() - 12));
    // Every word decodes to whole characters: it neither starts nor ends inside one.
    ASSERT_NE(static_cast<unsigned char>(piece.front()) & 0xC0, 0x80);
    decoded += piece;
  }
  EXPECT_EQ(decoded, long_text);
}

TEST(MailMessageTest, AnAttachmentMakesAMultipartMessage) {
  auto p = simple_parts();
  p.attachment = MailAttachment{"report.pdf", "application/pdf", std::string("%PDF-1.7\n\0\xff", 11)};
  const auto m = build_mail_message(p);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_NE(m->find("Content-Type: multipart/mixed; boundary=\"tillit-boundary-0123456789\"\r\n"), std::string::npos);
  EXPECT_NE(m->find("--tillit-boundary-0123456789\r\nContent-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(m->find("Content-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                    crypto::to_base64(std::string("%PDF-1.7\n\0\xff", 11)) + "\r\n"),
            std::string::npos);
  EXPECT_TRUE(m->ends_with("--tillit-boundary-0123456789--\r\n"));
}

TEST(MailMessageTest, HeaderInjectionIsRefusedNamingTheField) {
  auto p = simple_parts();
  p.subject = "Hello\r\nBcc: someone@evil.example";
  auto m = build_mail_message(p);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("subject"), std::string::npos);
  p = simple_parts();
  p.to = {"security@customer.example.se\r\nBcc: x@evil.example"};
  m = build_mail_message(p);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("to"), std::string::npos);
  p = simple_parts();
  p.from = "a@b.se>\nX: y";
  EXPECT_FALSE(build_mail_message(p));
  p = simple_parts();
  p.attachment = MailAttachment{"a\"b.pdf", "application/pdf", "x"};
  m = build_mail_message(p);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("attachment.filename"), std::string::npos);
}

TEST(MailMessageTest, AddressesAreCheckedAndListsSplit) {
  for (const char* good : {"a@b.se", "first.last+tag@sub.example.se", "x_y-z@127.0.0.1"})
    EXPECT_TRUE(check_mail_address(good, "to")) << good;
  for (const char* bad : {"", "a", "@b.se", "a@", "a b@c.se", "a@b c.se", "<a@b.se>", "a@b.se,c@d.se", "a..b@c.se",
                          "a@.se", "\"a\"@b.se", "a@b.se\r\n"})
    EXPECT_FALSE(check_mail_address(bad, "to")) << bad;
  auto list = parse_mail_addresses(" a@b.se, c@d.se ,a@b.se", "customer_security_contacts");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (std::vector<std::string>{"a@b.se", "c@d.se"}));
  auto bad = parse_mail_addresses("a@b.se, nonsense", "customer_security_contacts");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("customer_security_contacts"), std::string::npos);
}

TEST(MailConfigTest, SmtpSettingsAreReadAndCheckedAndHoldNoPassword) {
  Config c;
  ASSERT_TRUE(apply_config_text(c,
                                "smtp_host: mail.example.se\nsmtp_port: 465\nsmtp_tls: implicit\n"
                                "smtp_from: tillit@example.se\nsmtp_username: tillit\n"
                                "smtp_password_file: keys/smtp-password\ncustomer_security_contacts: \"a@k.se, b@k.se\"\n",
                                "tillit.yaml"));
  EXPECT_EQ(c.mail.host, "mail.example.se");
  EXPECT_EQ(c.mail.port, 465);
  EXPECT_EQ(c.mail.tls, "implicit");
  EXPECT_EQ(c.mail.security_contacts.size(), 2u);
  for (const char* bad : {"smtp_password: hunter2\n", "smtp_tls: none\n", "smtp_port: 0\n", "smtp_from: nobody\n",
                          "customer_security_contacts: \"x\"\n", "smtp_host: \"a b\"\n"}) {
    Config other;
    auto s = apply_config_text(other, bad, "tillit.yaml");
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find("tillit.yaml:1"), std::string::npos) << s.error().message;
  }
  const auto dir = fs::temp_directory_path() / ("tillit-mailcfg-" + crypto::to_hex(crypto::as_chars(crypto::random_bytes(6))));
  fs::create_directories(dir);
  std::ofstream(dir / "tillit.yaml") << "smtp_host: mail.example.se\n";
  const auto none = [](const char*) { return std::optional<std::string>(); };
  auto loaded = load_config(dir, none);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("smtp_from"), std::string::npos);
  std::ofstream(dir / "tillit.yaml") << "smtp_host: mail.example.se\nsmtp_from: t@example.se\nsmtp_username: u\n";
  loaded = load_config(dir, none);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("smtp_password_file"), std::string::npos);
  fs::remove_all(dir);
}

// A transport that records what it is given and answers as told.
class FakeTransport final : public MailTransport {
 public:
  struct Sent {
    std::string from;
    std::vector<std::string> to;
    std::string message;
  };
  Outcome next{true, false, "250 2.0.0 queued"};
  std::vector<Sent> sent;
  Outcome send(const std::string& from, const std::vector<std::string>& to, const std::string& message) override {
    sent.push_back({from, to, message});
    return next;
  }
};

class MailTest : public tillit::testing::ServiceFixture {
 protected:
  std::string extra_config() const override {
    return "smtp_host: 127.0.0.1\nsmtp_from: tillit@supplier.example.se\n"
           "customer_security_contacts: \"security@customer.example.se, soc@customer.example.se\"\n";
  }

  MailService mail() {
    return MailService(*inst_, [this] { return now_; });
  }

  Result<std::int64_t> queue(const OutgoingMail& m) {
    auto tx = inst_->db().begin(store::Access::write);
    if (!tx) return tx.error();
    auto id = queue_mail(**tx, *inst_, people_.at("sara"), m, now_);
    if (!id) return id;
    if (auto s = (*tx)->commit(); !s) return s.error();
    return id;
  }

  static OutgoingMail sample() {
    OutgoingMail m;
    m.to = {"owner@supplier.example.se"};
    m.subject = "Påminnelse: loggranskning";
    m.body = "Secret incident detail: the VPN gateway is exposed.\n";
    m.purpose = "duty.reminder";
    m.object_type = "duty";
    m.object_id = "7";
    return m;
  }

  std::int64_t count(const std::string& sql) {
    auto tx = inst_->db().begin(store::Access::read);
    return (*tx)->query(sql)->front().integer(0);
  }

};

TEST_F(MailTest, AQueuedMessageIsSealedListedAndSentOnce) {
  auto id = queue(sample());
  ASSERT_TRUE(id) << id.error().message;
  {
    // Nothing of the subject or body is readable in the database.
    auto tx = inst_->db().begin(store::Access::read);
    auto rows = (*tx)->query("SELECT sealed_content, recipients, purpose FROM mail_outbox");
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->front().text(0).find("VPN"), std::string::npos);
    EXPECT_EQ(rows->front().text(1), "[\"owner@supplier.example.se\"]");
  }
  auto box = mail().outbox(people_.at("sara"), "");
  ASSERT_TRUE(box) << box.error().message;
  ASSERT_EQ(box->size(), 1u);
  EXPECT_EQ(box->front().subject, "Påminnelse: loggranskning");
  EXPECT_EQ(box->front().status, "pending");
  EXPECT_EQ(box->front().queued_by, people_.at("sara").id);
  // Only the security manager sees the outbox.
  EXPECT_EQ(mail().outbox(people_.at("erik"), "").error().code, ErrorCode::forbidden);
  EXPECT_EQ(mail().outbox(people_.at("anna"), "").error().code, ErrorCode::forbidden);

  FakeTransport transport;
  EXPECT_EQ(mail().send_pending(people_.at("erik"), transport).error().code, ErrorCode::forbidden);
  auto report = mail().send_pending(people_.at("sara"), transport);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->sent, 1);
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_EQ(transport.sent[0].from, "tillit@supplier.example.se");
  EXPECT_EQ(transport.sent[0].to, std::vector<std::string>{"owner@supplier.example.se"});
  const auto& raw = transport.sent[0].message;
  EXPECT_NE(raw.find("Message-ID: <" + box->front().message_id + ">\r\n"), std::string::npos);
  EXPECT_NE(raw.find("Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(raw.find("Subject: =?UTF-8?B?"), std::string::npos);
  // Sent is sent: a second run sends nothing.
  report = mail().send_pending(people_.at("sara"), transport);
  EXPECT_EQ(report->sent, 0);
  EXPECT_EQ(transport.sent.size(), 1u);
  box = mail().outbox(people_.at("sara"), "sent");
  ASSERT_EQ(box->size(), 1u);
  EXPECT_EQ(box->front().attempts, 1);
  EXPECT_EQ(box->front().last_answer, "250 2.0.0 queued");
  EXPECT_EQ(box->front().sent_at, "2026-11-23T09:00:00.000Z");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE action IN ('mail.queue', 'mail.sent')"), 2);
  EXPECT_TRUE(verify_audit_log(*inst_, local_operator())->intact);
}

TEST_F(MailTest, BadInputIsRefusedNamingTheFieldAndChangesNothing) {
  const auto refused = [&](OutgoingMail m, const char* field) {
    auto id = queue(m);
    ASSERT_FALSE(id) << field;
    EXPECT_EQ(id.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(id.error().message.find(field), std::string::npos) << id.error().message;
  };
  auto m = sample();
  m.to = {};
  refused(m, "to");
  m = sample();
  m.to = {"owner@supplier.example.se\nBcc: x@evil.example"};
  refused(m, "to");
  m = sample();
  m.subject = "Hi\r\nBcc: x@evil.example";
  refused(m, "subject");
  m = sample();
  m.purpose = "";
  refused(m, "purpose");
  m = sample();
  m.attachment = MailAttachment{"../x.pdf", "application/pdf", "x"};
  refused(m, "attachment.filename");
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_outbox"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE action = 'mail.queue'"), 0);
}

TEST_F(MailTest, TemporaryFailuresAreRetriedWithGrowingWaitsAndPermanentOnesStop) {
  ASSERT_TRUE(queue(sample()));
  FakeTransport transport;
  transport.next = {false, false, "421 4.3.2 try again later"};
  ASSERT_EQ(mail().send_pending(people_.at("sara"), transport)->retrying, 1);
  auto box = mail().outbox(people_.at("sara"), "");
  EXPECT_EQ(box->front().status, "pending");
  EXPECT_EQ(box->front().next_attempt_at, "2026-11-23T09:01:00.000Z");
  EXPECT_EQ(box->front().last_answer, "421 4.3.2 try again later");
  // Not due yet: nothing is tried.
  now_ += seconds(59);
  ASSERT_EQ(mail().send_pending(people_.at("sara"), transport)->retrying, 0);
  EXPECT_EQ(transport.sent.size(), 1u);
  now_ += seconds(1);
  ASSERT_EQ(mail().send_pending(people_.at("sara"), transport)->retrying, 1);
  EXPECT_EQ(mail().outbox(people_.at("sara"), "")->front().next_attempt_at, "2026-11-23T09:03:00.000Z");
  // Until the tenth attempt, then it fails for good.
  for (int i = 0; i < 20; ++i) {
    now_ += hours(4);
    (void)mail().send_pending(people_.at("sara"), transport);
  }
  box = mail().outbox(people_.at("sara"), "");
  EXPECT_EQ(box->front().status, "failed");
  EXPECT_EQ(box->front().attempts, 10);
  EXPECT_EQ(transport.sent.size(), 10u);

  // A 5xx answer is final at once.
  ASSERT_TRUE(queue(sample()));
  transport.next = {false, true, "550 5.1.1 no such user"};
  auto report = mail().send_pending(people_.at("sara"), transport);
  EXPECT_EQ(report->failed, 1);
  EXPECT_EQ(mail().outbox(people_.at("sara"), "failed")->size(), 2u);
}

TEST_F(MailTest, AMessageClaimedByAnotherSenderIsNotSentTwice) {
  ASSERT_TRUE(queue(sample()));
  {
    auto tx = inst_->db().begin(store::Access::write);
    // Another server took it a minute ago and holds it for five.
    ASSERT_TRUE((*tx)->exec("UPDATE mail_outbox SET claimed_until = ?", {std::string("2026-11-23T09:04:00.000Z")}));
    ASSERT_TRUE((*tx)->commit());
  }
  FakeTransport transport;
  EXPECT_EQ(mail().send_pending(people_.at("sara"), transport)->sent, 0);
  EXPECT_TRUE(transport.sent.empty());
  // That server died: after its lease the message goes out.
  now_ += minutes(5);
  EXPECT_EQ(mail().send_pending(people_.at("sara"), transport)->sent, 1);
}

TEST_F(MailTest, WithoutMailSettingsSendingSaysWhatToConfigure) {
  Config config = inst_->config();
  config.mail = {};
  auto t = smtp_transport(config);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("smtp_host"), std::string::npos);
}

TEST_F(MailTest, AnImportWithNewCriticalOrHighFindingsQueuesOneNoticeAndNeverTwice) {
  const std::string report = read_file(fs::path(TILLIT_SOURCE_DIR) / "tests/fixtures/scanners/trivy/schema2.json");
  auto import = [&] {
    ingest::MemorySource source(report);
    return FindingService(*inst_, [this] { return now_; }).import(people_.at("erik"), source, {});
  };
  auto first = import();
  ASSERT_TRUE(first) << first.error().message;
  auto listed = FindingService(*inst_).list(people_.at("anna"), {{}, {"critical", "high"}, "", "", false, 1, 0});
  ASSERT_TRUE(listed);
  ASSERT_FALSE(listed->empty()) << "the fixture must hold a critical or high finding";
  auto box = mail().outbox(people_.at("sara"), "");
  ASSERT_EQ(box->size(), 1u);
  EXPECT_EQ(box->front().purpose, "vulnerability.notice");
  EXPECT_EQ(box->front().to, (std::vector<std::string>{"security@customer.example.se", "soc@customer.example.se"}));
  EXPECT_EQ(box->front().object_id, std::to_string(first->record.id));
  EXPECT_EQ(count("SELECT COUNT(*) FROM finding_notices"), static_cast<std::int64_t>(listed->size()));
  FakeTransport transport;
  ASSERT_EQ(mail().send_pending(people_.at("sara"), transport)->sent, 1);
  const auto& raw = transport.sent.at(0).message;
  const auto body_start = raw.find("\r\n\r\n") + 4;
  std::string b64 = raw.substr(body_start);
  std::erase(b64, '\r');
  std::erase(b64, '\n');
  const std::string body = decode64(b64);
  for (const auto& f : *listed) {
    EXPECT_NE(body.find("Tillit #" + std::to_string(f.record.id) + ": " + f.record.vulnerability_id), std::string::npos)
        << body;
    EXPECT_NE(body.find(f.record.component), std::string::npos);
    EXPECT_NE(body.find(f.record.due_at.substr(0, 10)), std::string::npos);
  }
  // The same report again: nothing new, no notice.
  now_ += days(1);
  ASSERT_TRUE(import());
  EXPECT_EQ(mail().outbox(people_.at("sara"), "")->size(), 1u);
}

// The SMTP transport against a real SMTP server on loopback (tests/smtp-server).
class MailSmtpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tillit::testing::SmtpTestServer::available()) GTEST_SKIP() << tillit::testing::SmtpTestServer::why_unavailable();
  }
  static Config config_for(const tillit::testing::SmtpTestServer& smtp) {
    Config c;
    c.mail.host = "127.0.0.1";
    c.mail.port = smtp.port();
    c.mail.from = "tillit@supplier.example.se";
    c.mail.ca_file = smtp.ca_file();
    return c;
  }
  static std::string message() {
    auto p = simple_parts();
    p.subject = "Sårbarhet CVE-2024-0001";
    p.body = "Åtgärda senast 2026-11-30.\n";
    return build_mail_message(p).value();
  }
};

TEST_F(MailSmtpTest, AMessageIsDeliveredOverStartTls) {
  tillit::testing::SmtpTestServer smtp;
  auto transport = smtp_transport(config_for(smtp));
  ASSERT_TRUE(transport) << transport.error().message;
  const auto outcome = (*transport)->send("tillit@supplier.example.se", {"a@customer.example.se", "b@customer.example.se"},
                                         message());
  ASSERT_TRUE(outcome.delivered) << outcome.answer;
  EXPECT_NE(outcome.answer.find("250"), std::string::npos) << outcome.answer;
  const auto mails = smtp.wait_for(1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(mails[0].secure) << "the message was sent before STARTTLS";
  EXPECT_EQ(mails[0].from, "tillit@supplier.example.se");
  EXPECT_EQ(mails[0].to, (std::vector<std::string>{"a@customer.example.se", "b@customer.example.se"}));
  EXPECT_EQ(mails[0].subject(), "Sårbarhet CVE-2024-0001");
  EXPECT_EQ(mails[0].text(), "Åtgärda senast 2026-11-30.\r\n");
}

TEST_F(MailSmtpTest, SignInUsesThePasswordFileAndAWrongPasswordIsNotDelivered) {
  tillit::testing::SmtpTestServer smtp({.user = "tillit-mailer", .password = "Corr3ct-h0rse-battery"});
  auto config = config_for(smtp);
  config.mail.username = "tillit-mailer";
  config.mail.password_file = (smtp.work_dir() / "client-password").string();
  std::ofstream(config.mail.password_file) << "Corr3ct-h0rse-battery\n";
  // A password file others can read is refused.
  ::chmod(config.mail.password_file.c_str(), 0644);
  EXPECT_FALSE(smtp_transport(config));
  ::chmod(config.mail.password_file.c_str(), 0600);
  auto transport = smtp_transport(config);
  ASSERT_TRUE(transport) << transport.error().message;
  auto outcome = (*transport)->send(config.mail.from, {"a@customer.example.se"}, message());
  ASSERT_TRUE(outcome.delivered) << outcome.answer;
  EXPECT_EQ(smtp.wait_for(1).at(0).user, "tillit-mailer");

  std::ofstream(config.mail.password_file, std::ios::trunc) << "wrong-password-here\n";
  transport = smtp_transport(config);
  outcome = (*transport)->send(config.mail.from, {"a@customer.example.se"}, message());
  EXPECT_FALSE(outcome.delivered);
  EXPECT_NE(outcome.answer.find("535"), std::string::npos) << outcome.answer;
}

TEST_F(MailSmtpTest, NoMessageGoesOutWithoutTlsOrToAnUntrustedServer) {
  tillit::testing::SmtpTestServer plain({.starttls = false});
  auto outcome = smtp_transport(config_for(plain)).value()->send("tillit@supplier.example.se", {"a@customer.example.se"},
                                                                  message());
  EXPECT_FALSE(outcome.delivered);
  EXPECT_FALSE(outcome.permanent);
  EXPECT_NE(outcome.answer.find("STARTTLS"), std::string::npos) << outcome.answer;

  tillit::testing::SmtpTestServer smtp;
  auto config = config_for(smtp);
  config.mail.ca_file = plain.ca_file();  // another certificate: this server is not trusted
  outcome = smtp_transport(config).value()->send("tillit@supplier.example.se", {"a@customer.example.se"}, message());
  EXPECT_FALSE(outcome.delivered);
  EXPECT_NE(outcome.answer.find("smtp_ca_file"), std::string::npos) << outcome.answer;
  EXPECT_TRUE(plain.messages().empty());
  EXPECT_TRUE(smtp.messages().empty());
}

TEST_F(MailSmtpTest, ARefusedRecipientIsAPermanentFailureWithTheServersAnswer) {
  tillit::testing::SmtpTestServer smtp({.reject_recipient = "gone@customer.example.se"});
  const auto outcome =
      smtp_transport(config_for(smtp)).value()->send("tillit@supplier.example.se", {"gone@customer.example.se"}, message());
  EXPECT_FALSE(outcome.delivered);
  EXPECT_TRUE(outcome.permanent) << outcome.answer;
  EXPECT_NE(outcome.answer.find("550"), std::string::npos) << outcome.answer;
}
