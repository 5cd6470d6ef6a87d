#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "commands.h"
#include "tillit/services/installation.h"
#include "tillit/services/jobs.h"
#include "tillit/services/mail.h"
#include "tillit/services/time_check.h"
#include "tillit/store/database.h"
#include "tillit/web/app.h"
#include "tillit/web/server.h"

namespace tillit::cli {
namespace {

// One line per event on stderr, UTC-stamped. Never given request bodies or secrets.
void log_line(std::string_view message) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::cerr << format_rfc3339(services::now_utc()) << " " << message << std::endl;
}

}  // namespace

void add_serve_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("serve", "Serve the web interface and the JSON API over HTTPS (TLS 1.2+ only)");
  auto data_dir = std::make_shared<std::string>();
  auto listen = std::make_shared<std::string>();
  cmd->add_option("--data", *data_dir, "Data directory made by 'tillit init'")->required();
  cmd->add_option("--listen", *listen, "ADDR:PORT to listen on (overrides the config file; port 0 picks a free one)");
  cmd->footer("SIGTERM or SIGINT stop gracefully; SIGHUP reloads the TLS certificate and key.");
  cmd->callback([=, &run] {
    run = [=] {
      auto config = services::load_config(*data_dir, environment);
      if (!config) return report(config.error());
      if (!listen->empty())
        if (auto s = services::parse_listen(*listen, config->listen_address, config->listen_port); !s)
          return report_usage(s.error());
      auto inst = services::Installation::open(*config);
      if (!inst) return report(inst.error());

      web::Router router;
      try {
        web::add_api_routes(router, **inst);
        web::add_page_routes(router, **inst);
      } catch (const std::invalid_argument& e) {
        return report(make_error(ErrorCode::invalid_argument, e.what()));  // e.g. federated sign-in misconfigured
      }
      web::ServerOptions options;
      options.address = config->listen_address;
      options.port = config->listen_port;
      options.certificate_file = config->certificate_file;
      options.private_key_file = config->private_key_file;
      options.threads = config->threads;
      options.max_body_bytes = config->max_request_bytes;
      // Routes such as POST /api/v1/imports stream their bodies, with limits of their own.
      options.streamed_body_limit = [&router](const web::Request& r) { return router.streamed_body_limit(r); };
      options.log = log_line;
      // Unknown pages get an HTML error page, unknown API paths a JSON error body.
      router.set_error_responder(web::error_page_or_json);
      web::Server server(options, [&router](web::Request& r) { return router.dispatch(r); });
      try {
        server.start();
      } catch (const std::exception& e) {
        return report(make_error(ErrorCode::unavailable, std::string("cannot start the server: ") + e.what()));
      }
      server.handle_signals(log_line);
      // Scheduled jobs: every instance looks twice a minute; the database decides who runs.
      std::jthread scheduler([&inst, holder = services::instance_name()](std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        do {
          for (const auto& r : services::run_due_jobs(**inst, services::builtin_jobs(), holder, services::now_utc()))
            if (r.ran) log_line("job " + r.job + " (" + r.slot + "): " + r.outcome);
          if (auto sent = services::deliver_due_mail(**inst); !sent.empty()) log_line(sent);
          std::unique_lock lock(mutex);
          wake.wait_for(lock, stop, std::chrono::seconds(30), [] { return false; });
        } while (!stop.stop_requested());
      });
      // The clock against the common time source (annex req. 30): measured by this instance at
      // start and every five minutes for /healthz; a change of state is logged.
      std::jthread clock_watch([time = config->time](std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        std::string logged_state;
        do {
          auto report = services::check_clock(time);
          if (report.state != logged_state) {
            log_line(std::string(report.state == "ok" ? "clock: " : "warning: clock: ") + report.summary);
            logged_state = report.state;
          }
          services::remember_clock_check(std::move(report));
          std::unique_lock lock(mutex);
          wake.wait_for(lock, stop, std::chrono::minutes(5), [] { return false; });
        } while (!stop.stop_requested());
      });
      const std::string host = config->listen_address.find(':') != std::string::npos ? "[" + config->listen_address + "]"
                                                                                      : config->listen_address;
      std::cout << "Tillit listening on https://" << host << ":" << server.port() << "/" << std::endl;
      log_line("serving " + config->data_dir.string() + " (" + (*inst)->db().backend() + ")");
      if (const auto warning = store::postgresql_tls_warning(config->database_url); !warning.empty())
        log_line("warning: " + warning);
      server.run();
      scheduler.request_stop();
      scheduler.join();
      clock_watch.request_stop();
      clock_watch.join();
      log_line("stopped");
      return 0;
    };
  });
}

}  // namespace tillit::cli
