// The JSON API for scanner imports and vulnerability findings. CI uploads a report with an
// API token holding findings_import: POST /api/v1/imports with the report as the body. That
// body is streamed (AppRoutes::add_streamed): the parser pulls it from the connection as the
// client sends it, so a report of any size up to import_max_mb (512 MiB by default) imports
// in flat memory; a longer one gets 413 and changes nothing. Rules and authorization:
// services/findings.h.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "identity.h"
#include "tillit/ingest/source.h"
#include "tillit/services/findings.h"
#include "api_support.h"
#include "tillit/web/app.h"

namespace tillit::web {
namespace {

using api::query;
using api::list_of;
using api::whole_number;
using api::path_id;
using api::page_json;
using api::body_of;
using api::dump;
using api::error_json;
using api::ok;

using nlohmann::json;
using services::FindingService;
using services::Permission;



// The streamed request body as the parsers' byte source. A failed read ends the import with
// an error, so its transaction rolls back; the server then answers for the body (413 when it
// was too long), whatever error this route returns. The first kReplayBytes are kept, so a
// report that small can be read twice (a Grype report without an asset names its image last);
// a larger one must name the asset.
class RequestBodySource final : public ingest::ByteSource {
 public:
  static constexpr std::size_t kReplayBytes = 1 << 20;

  explicit RequestBodySource(BodyStream& body) : body_(body) {}
  Result<std::size_t> read(char* buffer, std::size_t capacity) override {
    if (replay_at_ < kept_.size()) {
      const std::size_t n = std::min(capacity, kept_.size() - replay_at_);
      std::copy_n(kept_.data() + replay_at_, n, buffer);
      replay_at_ += n;
      return n;
    }
    auto n = pull(buffer, capacity);
    if (n && keeping_) {
      keeping_ = kept_.size() + *n <= kReplayBytes;
      if (keeping_) {
        kept_.append(buffer, *n);
        replay_at_ = kept_.size();
      } else {
        std::string().swap(kept_);
        replay_at_ = 0;
      }
    }
    return n;
  }
  bool rewind() override {
    if (!keeping_) return false;
    replay_at_ = 0;
    return true;
  }

 private:
  Result<std::size_t> pull(char* buffer, std::size_t capacity) {
    const BodyChunk chunk = body_.read(buffer, capacity);
    if (chunk.ok()) return chunk.size;
    if (chunk.error == BodyError::too_large)
      return make_error(ErrorCode::invalid_argument, "the report is larger than import_max_mb (" +
                                                         std::to_string(body_.limit() >> 20) + " MiB) allows");
    if (chunk.error == BodyError::malformed)
      return make_error(ErrorCode::invalid_argument, "the request body's chunked framing is malformed");
    return make_error(ErrorCode::unavailable, "the upload broke off before the whole report arrived");
  }

  BodyStream& body_;
  std::string kept_;         // the body's first bytes, while they fit in kReplayBytes
  bool keeping_ = true;      // false once the body outgrew kReplayBytes: no rewind
  std::size_t replay_at_ = 0;  // next byte of kept_ to hand out again after a rewind
};

std::string text(const json& body, const char* name) {
  return body.contains(name) && body[name].is_string() ? body[name].get<std::string>() : std::string();
}

}  // namespace

void add_findings_api(AppRoutes& routes) {
  auto& inst = routes.inst();

  const std::size_t import_limit = inst.config().import_max_bytes;
  routes.add_streamed("POST", "/api/v1/imports", Permission::findings_import, import_limit,
                      [&inst](Request& r, const Identity& who) {
    if (r.body_stream == nullptr || r.body_stream->content_length() == std::size_t{0})
      return error_json(make_error(ErrorCode::invalid_argument,
                                   "send the scanner report as the request body (curl --data-binary @report.json)"));
    RequestBodySource source(*r.body_stream);
    auto done = FindingService(inst).import(who.actor, source, {query(r, "format"), query(r, "asset"), query(r, "scope")});
    if (!done) return error_json(done.error());
    auto j = services::to_json(done->record);
    j["duplicates"] = done->duplicates;
    return ok(j, 201);
  });

  routes.add("GET", "/api/v1/imports", Permission::findings_read, [&inst](Request& r, const Identity& who) {
    auto page = whole_number(query(r, "page"), "page", 1, 1000000);
    auto per_page = whole_number(query(r, "per_page"), "per_page", 50, 500);
    if (!page) return error_json(page.error());
    if (!per_page) return error_json(per_page.error());
    std::int64_t total = 0;
    auto list = FindingService(inst).imports(who.actor, *page, *per_page, &total);
    if (!list) return error_json(list.error());
    json items = json::array();
    for (const auto& i : *list) items.push_back(services::to_json(i));
    return ok(page_json(items, *page, *per_page, total));
  });

  routes.add("GET", "/api/v1/findings", Permission::findings_read, [&inst](Request& r, const Identity& who) {
    auto page = whole_number(query(r, "page"), "page", 1, 1000000);
    auto per_page = whole_number(query(r, "per_page"), "per_page", 50, 500);
    if (!page) return error_json(page.error());
    if (!per_page) return error_json(per_page.error());
    const std::string overdue = query(r, "overdue");
    if (!overdue.empty() && overdue != "true" && overdue != "false")
      return error_json(make_error(ErrorCode::invalid_argument, "overdue must be true or false"));
    services::FindingQuery q{list_of(query(r, "status")), list_of(query(r, "severity")), query(r, "asset"),
                             query(r, "scope"), overdue == "true", *page, *per_page};
    std::int64_t total = 0;
    auto list = FindingService(inst).list(who.actor, q, &total);
    if (!list) return error_json(list.error());
    json items = json::array();
    for (const auto& f : *list) items.push_back(services::to_json(f, false));
    return ok(page_json(items, *page, *per_page, total));
  });

  routes.add("GET", "/api/v1/findings/{id}", Permission::findings_read, [&inst](Request& r, const Identity& who) {
    auto id = path_id(r, "the finding id");
    if (!id) return error_json(id.error());
    auto f = FindingService(inst).get(who.actor, *id);
    return f ? ok(services::to_json(*f, true)) : error_json(f.error());
  });

  routes.add("POST", "/api/v1/findings/{id}/status", Permission::findings_triage,
             [&inst](Request& r, const Identity& who) {
               auto id = path_id(r, "the finding id");
               if (!id) return error_json(id.error());
               auto body = body_of(r);
               if (!body) return error_json(body.error());
               services::StatusChange c{text(*body, "status"), text(*body, "reason"), text(*body, "mitigation_kind"),
                                        text(*body, "requested_by"), text(*body, "until")};
               auto f = FindingService(inst).change_status(who.actor, *id, c);
               return f ? ok(services::to_json(*f, true)) : error_json(f.error());
             });

  routes.add("POST", "/api/v1/findings/{id}/known-date", Permission::findings_triage,
             [&inst](Request& r, const Identity& who) {
               auto id = path_id(r, "the finding id");
               if (!id) return error_json(id.error());
               auto body = body_of(r);
               if (!body) return error_json(body.error());
               auto f = FindingService(inst).set_known_at(who.actor, *id, text(*body, "known_at"), text(*body, "reason"));
               return f ? ok(services::to_json(*f, true)) : error_json(f.error());
             });
}

}  // namespace tillit::web
