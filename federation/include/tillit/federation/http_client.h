// The HTTPS client the relying party talks to the identity provider with (discovery, JWKS,
// token endpoint). An interface, so that tests can stand in for the provider; the real one is
// libcurl with TLS verification always on, TLS 1.2 or newer, https only, no redirects followed
// (an endpoint that redirects is misconfigured, and following would let it point us anywhere),
// and bounded response sizes and times.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tillit/core/result.h"

namespace tillit::federation {

struct HttpResponse {
  long status = 0;
  std::string body;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> get(const std::string& url) = 0;
  // POSTs an application/x-www-form-urlencoded body; `headers` are extra "Name: value" lines.
  virtual Result<HttpResponse> post_form(const std::string& url, const std::string& body,
                                         const std::vector<std::string>& headers) = 0;
};

struct HttpOptions {
  std::string ca_bundle_file;  // PEM file of CAs to trust instead of the system's; empty: system store
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds request_timeout{15};
  std::size_t max_response_bytes = 1024 * 1024;
};

// A libcurl client. Transport failures are ErrorCode::unavailable with curl's reason and the
// URL; an HTTP error status is not a failure here (the caller reads the body). Thread-safe:
// each request uses its own curl handle.
std::shared_ptr<HttpClient> make_https_client(const HttpOptions& options);

}  // namespace tillit::federation
