#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "tillit/federation/http_client.h"

namespace tillit::federation {
namespace {

struct CurlFree { void operator()(CURL* c) const { curl_easy_cleanup(c); } };
struct SlistFree { void operator()(curl_slist* l) const { curl_slist_free_all(l); } };

struct Sink {
  std::string body;
  std::size_t limit = 0;
  bool too_large = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink->body.size() + n > sink->limit) {
    sink->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  sink->body.append(data, n);
  return n;
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpOptions options) : options_(std::move(options)) {
    // Not thread-safe itself, so done once, before any request.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<HttpResponse> get(const std::string& url) override { return perform(url, nullptr, {}); }

  Result<HttpResponse> post_form(const std::string& url, const std::string& body,
                                 const std::vector<std::string>& headers) override {
    return perform(url, &body, headers);
  }

 private:
  Result<HttpResponse> perform(const std::string& url, const std::string* post_body,
                               const std::vector<std::string>& extra_headers) {
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) return make_error(ErrorCode::internal, "could not start an HTTPS request (curl_easy_init failed)");
    CURL* c = curl.get();
    Sink sink;
    sink.limit = options_.max_response_bytes;
    char curl_error[CURL_ERROR_SIZE] = {0};

    curl_slist* list = nullptr;
    for (const std::string& line : extra_headers) {
      if (curl_slist* next = curl_slist_append(list, line.c_str())) list = next;
    }
    if (curl_slist* next = curl_slist_append(list, "Accept: application/json")) list = next;
    const std::unique_ptr<curl_slist, SlistFree> headers(list);

    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!options_.ca_bundle_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_bundle_file.c_str());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: safe in threads
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Tillit-OIDC/1");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
    if (post_body) {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body->c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(post_body->size()));
    }

    const CURLcode rc = curl_easy_perform(c);
    if (sink.too_large)
      return make_error(ErrorCode::unavailable, "the identity provider's answer from " + url + " is larger than " +
                                                    std::to_string(options_.max_response_bytes) +
                                                    " bytes; check the provider's endpoint URLs");
    if (rc != CURLE_OK) {
      const std::string reason = curl_error[0] ? curl_error : curl_easy_strerror(rc);
      std::string advice = "check that the identity provider is reachable from this server and try again";
      if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CONNECT_ERROR)
        advice = "the provider's TLS certificate was not accepted; configure its CA bundle if it uses a private CA";
      return make_error(ErrorCode::unavailable,
                        "could not reach the identity provider at " + url + " (" + reason + "); " + advice);
    }
    HttpResponse response;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    response.body = std::move(sink.body);
    return response;
  }

  HttpOptions options_;
};

}  // namespace

std::shared_ptr<HttpClient> make_https_client(const HttpOptions& options) {
  return std::make_shared<CurlHttpClient>(options);
}

}  // namespace tillit::federation
