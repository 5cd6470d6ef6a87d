#include <optional>

#include "commands.h"
#include "tillit/services/installation.h"

namespace tillit::cli {

void add_init_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("init", "Create a new installation: database, master key, TLS certificate, first administrator");
  auto options = std::make_shared<services::InitOptions>();
  auto certificate = std::make_shared<std::string>();
  auto private_key = std::make_shared<std::string>();
  cmd->add_option("--data", options->data_dir, "Data directory to create (must be new or empty)")->required();
  cmd->add_option("--admin", options->admin_username, "User name of the first administrator")->capture_default_str();
  cmd->add_option("--listen", options->listen, "Address and port the server will listen on")->capture_default_str();
  cmd->add_option("--database", options->database_url,
                  "PostgreSQL URL (empty database, no password in it) instead of SQLite; or TILLIT_DATABASE_URL");
  cmd->add_option("--tls-certificate", *certificate, "Use this PEM certificate instead of generating a self-signed one");
  cmd->add_option("--tls-private-key", *private_key, "The PEM private key of --tls-certificate");
  cmd->callback([=, &run] {
    run = [=] {
      if (!certificate->empty()) options->certificate_file = *certificate;
      if (!private_key->empty()) options->private_key_file = *private_key;
      if (options->database_url.empty())
        if (auto url = environment("TILLIT_DATABASE_URL")) options->database_url = *url;
      auto report_or = services::Installation::init(*options);
      if (!report_or) return report(report_or.error());
      const auto& r = *report_or;
      std::cout << "Tillit is set up in " << std::filesystem::absolute(options->data_dir).string() << "\n"
                << (r.generated_certificate ? "  TLS: a self-signed certificate was generated (tls/certificate.pem); "
                                              "replace it with your own and send SIGHUP to reload\n"
                                            : "")
                << "  Audit signing key: " << r.signing_key_fingerprint << "\n"
                << "    (public key in " << r.signing_public_key_file.string()
                << "; give its fingerprint to your customer so they can verify audit exports)\n"
                << "\nStart the server:  tillit serve --data " << options->data_dir.string() << "\n"
                << "Then open " << r.url << "login/setup-code and sign in as '" << r.admin_username << "' with this one-time setup code:\n\n"
                << "    " << r.setup_code << "\n\n"
                << "The code is shown only now and expires at " << r.setup_code_expires_at << " (UTC).\n";
      return 0;
    };
  });
}

}  // namespace tillit::cli
