#include "smtp_server.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tillit/crypto/crypto.h"

namespace tillit::testing {
namespace fs = std::filesystem;
namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string base64_decode(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == ' '; }),
             text.end());
  auto bytes = crypto::from_base64(text);
  return bytes ? std::string(crypto::as_chars(*bytes)) : std::string();
}

// Header lines of `block` (up to the first empty line), unfolded: name (lowercase) and value.
std::vector<std::pair<std::string, std::string>> headers_of(const std::string& block) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(block);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back().second += line;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    out.emplace_back(lower(line.substr(0, colon)), value);
  }
  return out;
}

std::string header_in(const std::string& block, const std::string& name) {
  for (const auto& [n, v] : headers_of(block))
    if (n == lower(name)) return v;
  return {};
}

std::string body_of(const std::string& block) {
  const auto end = block.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : block.substr(end + 4);
}

std::string decode_part(const std::string& part) {
  const std::string body = body_of(part);
  return lower(header_in(part, "content-transfer-encoding")) == "base64" ? base64_decode(body) : body;
}

}  // namespace

std::string DeliveredMail::header(const std::string& name) const { return header_in(raw, name); }

std::string DeliveredMail::subject() const {
  std::string value = header("Subject"), out;
  std::size_t pos = 0;
  while (pos < value.size()) {
    const auto start = value.find("=?", pos);
    if (start == std::string::npos) {
      out += value.substr(pos);
      break;
    }
    const auto b = lower(value.substr(start, 10)) == "=?utf-8?b?" ? start + 10 : std::string::npos;
    const auto end = b == std::string::npos ? std::string::npos : value.find("?=", b);
    if (end == std::string::npos) {
      out += value.substr(pos);
      break;
    }
    // Whitespace between two encoded words is not part of the text (RFC 2047, 6.2).
    std::string between = value.substr(pos, start - pos);
    if (pos == 0 || between.find_first_not_of(" \t") != std::string::npos) out += between;
    out += base64_decode(value.substr(b, end - b));
    pos = end + 2;
  }
  return out;
}

std::string DeliveredMail::text() const {
  const std::string type = header("Content-Type");
  const auto b = type.find("boundary=\"");
  if (b == std::string::npos) return decode_part(raw);
  const std::string boundary = "--" + type.substr(b + 10, type.find('"', b + 10) - b - 10);
  std::size_t pos = raw.find(boundary);
  while (pos != std::string::npos) {
    const auto start = pos + boundary.size() + 2;
    const auto next = raw.find(boundary, start);
    if (next == std::string::npos) break;
    const std::string part = raw.substr(start, next - start);
    if (lower(header_in(part, "content-type")).rfind("text/plain", 0) == 0) return decode_part(part);
    pos = next;
  }
  return {};
}

bool SmtpTestServer::available() {
  return fs::exists(fs::path(TILLIT_SMTP_SERVER_DIR) / "node_modules" / "smtp-server");
}

std::string SmtpTestServer::why_unavailable() {
  return std::string("the test SMTP server is not installed; run: bash scripts/setup.sh --test (or npm ci in ") +
         TILLIT_SMTP_SERVER_DIR + ")";
}

SmtpTestServer::SmtpTestServer(const Options& options) {
  std::string pattern = (fs::temp_directory_path() / "tillit-smtp-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  fs::create_directory(dir_ / "mail");
  const std::string cert = ca_file(), key = (dir_ / "server.key").string();
  const auto made = run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                 "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                 "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert});
  if (made.exit_code != 0) throw std::runtime_error("openssl req failed: " + made.err);
  std::vector<std::string> argv = {"node",  std::string(TILLIT_SMTP_SERVER_DIR) + "/server.mjs",
                                   "--port", "0", "--cert", cert, "--key", key, "--dir", (dir_ / "mail").string()};
  if (!options.user.empty()) {
    // The password reaches the server in a 0600 file, never on its command line.
    const auto password_file = (dir_ / "smtp-password").string();
    std::ofstream(password_file) << options.password << "\n";
    ::chmod(password_file.c_str(), 0600);
    argv.insert(argv.end(), {"--user", options.user, "--password-file", password_file});
  }
  if (!options.reject_recipient.empty()) argv.insert(argv.end(), {"--reject-rcpt", options.reject_recipient});
  if (!options.starttls) argv.push_back("--no-starttls");
  process_ = std::make_unique<ServerProcess>(argv, std::chrono::seconds(60));
  const std::string& line = process_->first_line();
  if (line.rfind("ready ", 0) != 0) throw std::runtime_error("unexpected first line from the SMTP server: " + line);
  port_ = static_cast<unsigned short>(std::stoi(line.substr(6)));
}

SmtpTestServer::~SmtpTestServer() {
  process_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::vector<DeliveredMail> SmtpTestServer::messages() const {
  std::vector<fs::path> envelopes;
  for (const auto& entry : fs::directory_iterator(dir_ / "mail"))
    if (entry.path().extension() == ".json" && entry.path().filename().string()[0] != '.')
      envelopes.push_back(entry.path());
  std::sort(envelopes.begin(), envelopes.end());
  std::vector<DeliveredMail> out;
  for (const auto& path : envelopes) {
    const auto envelope = nlohmann::json::parse(read_file(path));
    DeliveredMail m;
    m.from = envelope.value("from", "");
    m.to = envelope.at("to").get<std::vector<std::string>>();
    m.secure = envelope.value("secure", false);
    if (envelope.contains("user") && envelope["user"].is_string()) m.user = envelope["user"].get<std::string>();
    m.raw = read_file(fs::path(path).replace_extension(".eml"));
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<DeliveredMail> SmtpTestServer::wait_for(std::size_t count, std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto found = messages();
  while (found.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    found = messages();
  }
  return found;
}

}  // namespace tillit::testing
