// tillit mail: the outbox and its sender, as the local operator (services/mail.h). The server
// sends by itself twice a minute; `send-pending` is for an installation without a running
// server (cron) and for trying a new smtp_* configuration at once.
#include <iomanip>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tillit/services/mail.h"

namespace tillit::cli {
namespace {

using nlohmann::json;

struct OutboxArgs {
  std::string data_dir, status, format = "table";
  std::int64_t limit = 50;
};

std::string cut(const std::string& text, std::size_t width) {
  return text.size() < width ? text : text.substr(0, width - 2) + "…";
}

int run_outbox(const OutboxArgs& a) {
  if (a.format != "table" && a.format != "json")
    return report_usage(make_error(ErrorCode::invalid_argument, "--format must be table or json"));
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  auto box = services::MailService(**inst).outbox(services::local_operator(), a.status, a.limit);
  if (!box) return box.error().code == ErrorCode::invalid_argument ? report_usage(box.error()) : report(box.error());
  if (a.format == "json") {
    json out = json::array();
    for (const auto& e : *box) out.push_back(services::to_json(e));
    std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(6) << "ID" << std::setw(9) << "STATUS" << std::setw(9) << "ATTEMPTS"
            << std::setw(22) << "QUEUED" << std::setw(22) << "PURPOSE" << std::setw(32) << "TO" << "SUBJECT\n";
  for (const auto& e : *box) {
    std::string to;
    for (const auto& r : e.to) to += (to.empty() ? "" : ",") + r;
    std::cout << std::setw(6) << e.id << std::setw(9) << e.status << std::setw(9) << e.attempts << std::setw(22)
              << e.queued_at.substr(0, 19) << std::setw(22) << cut(e.purpose, 21) << std::setw(32) << cut(to, 31)
              << e.subject << "\n";
    if (e.status != "sent" && !e.last_answer.empty()) std::cout << "      last answer: " << e.last_answer << "\n";
  }
  std::cout << box->size() << " messages\n";
  return 0;
}

int run_send(const std::string& data_dir) {
  auto inst = open_installation(data_dir);
  if (!inst) return report(inst.error());
  auto sent = services::MailService(**inst).send_pending(services::local_operator());
  if (!sent) return report(sent.error());
  std::cout << sent->sent << " sent, " << sent->retrying << " to retry later, " << sent->failed << " failed\n";
  return sent->failed > 0 ? 1 : 0;
}

}  // namespace

void add_mail_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("mail", "Outgoing mail: the outbox and its sender (SMTP with STARTTLS)");
  cmd->require_subcommand(1);

  auto args = std::make_shared<OutboxArgs>();
  auto* outbox = cmd->add_subcommand("outbox", "List queued, sent and failed messages, newest first");
  outbox->add_option("--data", args->data_dir, "Data directory")->required();
  outbox->add_option("--status", args->status, "Only pending, sent or failed");
  outbox->add_option("--limit", args->limit, "At most this many (1-1000)")->capture_default_str();
  outbox->add_option("--format", args->format, "table or json")->capture_default_str();
  outbox->callback([args, &run] { run = [args] { return run_outbox(*args); }; });

  auto data_dir = std::make_shared<std::string>();
  auto* send = cmd->add_subcommand("send-pending", "Deliver every message that is due now (exit 1 if one failed for good)");
  send->add_option("--data", *data_dir, "Data directory")->required();
  send->callback([data_dir, &run] { run = [data_dir] { return run_send(*data_dir); }; });
}

}  // namespace tillit::cli
