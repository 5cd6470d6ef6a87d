#include "web_session.h"

#include <chrono>
#include <regex>
#include <thread>

#include "process.h"
#include "tillit/crypto/totp.h"

namespace tillit::testing {

namespace {

std::string cookie_from(const HttpReply& r, const std::string& current) {
  for (const auto& [name, value] : r.headers) {
    if (!web::iequals(name, "Set-Cookie")) continue;
    const std::string prefix = "__Host-tillit-session=";
    if (value.rfind(prefix, 0) != 0) continue;
    const auto end = value.find(';');
    return value.substr(prefix.size(), end - prefix.size());
  }
  return current;
}

std::string csrf_from(const std::string& body, const std::string& current) {
  std::smatch m;
  if (std::regex_search(body, m, std::regex("name=\"csrf_token\" value=\"([0-9a-f]+)\""))) return m[1];
  return current;
}

std::string location_path(const HttpReply& r) { return r.header("Location").value_or(""); }

// Follows /login/continue to the page of the next stage and loads it (for its CSRF token).
HttpReply follow(WebSession& s, const HttpReply& r) {
  auto reply = r;
  for (int hops = 0; hops < 5 && reply.status == 303; ++hops) reply = s.get(location_path(reply));
  return reply;
}

}  // namespace

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string form_body(const std::map<std::string, std::string>& fields) {
  std::string body;
  for (const auto& [k, v] : fields) body += (body.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
  return body;
}

HttpReply WebSession::exchange(const std::string& request) {
  web::testing::TlsClient client(port_);
  if (!client.connected()) return {};
  auto reply = client.exchange(request).value_or(HttpReply{});
  cookie = cookie_from(reply, cookie);
  csrf = csrf_from(reply.body, csrf);
  return reply;
}

HttpReply WebSession::get(const std::string& target) {
  const std::string headers = cookie.empty() ? "" : "Cookie: __Host-tillit-session=" + cookie + "\r\n";
  return exchange(web::testing::http_request("GET", target, {}, headers));
}

HttpReply WebSession::post_form(const std::string& target, const std::map<std::string, std::string>& fields,
                                bool with_csrf) {
  auto all = fields;
  if (with_csrf && !csrf.empty()) all["csrf_token"] = csrf;
  std::string headers = "Content-Type: application/x-www-form-urlencoded\r\nOrigin: https://localhost\r\n";
  if (!cookie.empty()) headers += "Cookie: __Host-tillit-session=" + cookie + "\r\n";
  return exchange(web::testing::http_request("POST", target, form_body(all), headers));
}

HttpReply WebSession::post_multipart(const std::string& target,
                                     const std::vector<std::pair<std::string, std::string>>& fields,
                                     const std::string& filename, const std::string& content_type,
                                     const std::string& content) {
  const std::string boundary = "----TillitTestBoundary4f9c2a";
  std::string body;
  for (const auto& [name, value] : fields)
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
          "\"\r\nContent-Type: " + content_type + "\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
  std::string headers = "Content-Type: multipart/form-data; boundary=" + boundary + "\r\nOrigin: https://localhost\r\n";
  if (!cookie.empty()) headers += "Cookie: __Host-tillit-session=" + cookie + "\r\n";
  const std::string with_token = target + (target.find('?') == std::string::npos ? "?" : "&") + "csrf_token=" + csrf;
  return exchange(web::testing::http_request("POST", with_token, body, headers));
}

HttpReply WebSession::send_json(const std::string& method, const std::string& target, const std::string& body) {
  std::string headers = "Content-Type: application/json\r\nOrigin: https://localhost\r\nX-CSRF-Token: " + csrf + "\r\n";
  if (!cookie.empty()) headers += "Cookie: __Host-tillit-session=" + cookie + "\r\n";
  return exchange(web::testing::http_request(method, target, body, headers));
}

TestAccount create_account(const std::filesystem::path& data_dir, const std::string& username,
                           const std::vector<std::string>& roles, const std::string& kind) {
  std::vector<std::string> args{TILLIT_BINARY, "user", "add", username, "--data", data_dir.string(),
                                "--name", "Test " + username, "--email", username + "@example.se", "--kind", kind};
  for (const auto& r : roles) args.insert(args.end(), {"--role", r});
  auto added = run_command(args);
  TestAccount a;
  a.username = username;
  std::smatch m;
  if (added.exit_code == 0 && std::regex_search(added.out, m, std::regex("setup code: ([A-Z0-9]+)"))) a.setup_code = m[1];
  return a;
}

std::string totp_now(const std::string& base32_secret, int step_offset) {
  const auto key = crypto::from_base32(base32_secret).value_or(crypto::SecretBytes{});
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return crypto::totp_code(key, now + crypto::totp_period * step_offset);
}

std::string first_sign_in(WebSession& s, TestAccount& a) {
  if (a.setup_code.empty()) return "no setup code for " + a.username;
  auto r = follow(s, s.post_form("/login/setup-code", {{"username", a.username}, {"setup_code", a.setup_code}}, false));
  if (r.body.find("action=\"/login/password") == std::string::npos) return "no password page: " + r.body.substr(0, 300);
  a.password = "Kvartals-Granskning-2026!";  // must not contain the user name
  r = follow(s, s.post_form("/login/password", {{"new_password", a.password}, {"repeat_password", a.password}}));
  std::smatch m;
  if (!std::regex_search(r.body, m, std::regex("class=\"totp-secret\">([A-Z2-7]+)<"))) return "no enrolment page: " + r.body.substr(0, 300);
  a.totp_secret = m[1];
  r = s.post_form("/login/enrol", {{"code", totp_now(a.totp_secret)}});
  if (r.status != 200 || r.body.find("recovery-codes") == std::string::npos) return "enrolment failed: " + r.body.substr(0, 300);
  static const std::regex code_item("<li><code>([A-Z0-9]{10})</code></li>");
  for (std::sregex_iterator it(r.body.begin(), r.body.end(), code_item), end; it != end; ++it)
    a.recovery_codes.push_back((*it)[1]);
  s.get("/");  // a page with the signed-in CSRF token
  return "";
}

std::string sign_in(WebSession& s, const TestAccount& a, bool next_step) {
  s.cookie.clear();
  auto r = follow(s, s.post_form("/login", {{"username", a.username}, {"password", a.password}}, false));
  if (r.body.find("action=\"/login/code") == std::string::npos) return "no code page: " + r.body.substr(0, 300);
  if (next_step) {
    // A TOTP step can be used once per account: wait for the next one.
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto into = now % crypto::totp_period;
    std::this_thread::sleep_for(crypto::totp_period - into + std::chrono::milliseconds(50));
  }
  r = s.post_form("/login/code", {{"code", totp_now(a.totp_secret)}});
  if (r.status != 200 || r.body.find("sign-in-history") == std::string::npos) return "code refused: " + r.body.substr(0, 300);
  s.get("/");
  return "";
}

std::string create_token(const std::filesystem::path& data_dir, const std::string& username,
                         const std::vector<std::string>& permissions) {
  std::vector<std::string> args{TILLIT_BINARY, "token", "create", "--data", data_dir.string(), "--user", username,
                                "--name", "test token"};
  for (const auto& p : permissions) args.insert(args.end(), {"--permission", p});
  auto r = run_command(args);
  if (r.exit_code != 0) return "";
  auto token = r.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

}  // namespace tillit::testing
