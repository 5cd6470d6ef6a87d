// The JSON API for requirement assessments and evidence. Evidence uploads stream: the body is
// the file itself (curl --data-binary @file), pulled from the connection into the service's
// encrypted chunks, up to evidence_max_mb (a longer body gets 413 and changes nothing); the
// metadata travels in the query string. Downloads are verified against the recorded SHA-256
// before the first byte is sent. Rules and authorization: services/assessments.h and
// services/evidence.h.
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api_support.h"
#include "identity.h"
#include "tillit/crypto/crypto.h"
#include "tillit/services/assessments.h"
#include "tillit/services/evidence.h"
#include "tillit/web/app.h"

namespace tillit::web {
namespace {

using api::query;
using api::list_of;
using api::whole_number;
using api::path_id;
using api::page_json;
using api::body_of;
using api::error_json;
using api::ok;
using nlohmann::json;
using services::AssessmentService;
using services::EvidenceService;
using services::Permission;

Result<std::int64_t> evidence_id(const Request& r) { return path_id(r, "the evidence id"); }

// The request body as the evidence service's byte source. A failed read ends the upload with
// an error, so its transaction rolls back; the server then answers for the body (413 when it
// was too long).
services::ByteSource body_source(BodyStream& body) {
  return [&body](char* buffer, std::size_t capacity) -> Result<std::size_t> {
    const BodyChunk chunk = body.read(buffer, capacity);
    if (chunk.ok()) return chunk.size;
    if (chunk.error == BodyError::too_large)
      return make_error(ErrorCode::invalid_argument, "file: larger than evidence_max_mb (" +
                                                         std::to_string(body.limit() >> 20) + " MiB) allows");
    if (chunk.error == BodyError::malformed)
      return make_error(ErrorCode::invalid_argument, "the request body's chunked framing is malformed");
    return make_error(ErrorCode::unavailable, "the upload broke off before the whole file arrived");
  };
}

// The media type of the upload without parameters ("text/plain; charset=utf-8" -> "text/plain").
std::string media_type_of(const Request& r) {
  auto type = r.header("Content-Type").value_or("");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "application/octet-stream" ? std::string() : type;
}

Response empty_upload() {
  return error_json(make_error(ErrorCode::invalid_argument,
                               "file: is empty; send the file as the request body (curl --data-binary @FILE)"));
}

// Content-Disposition for a stored file name: an ASCII fallback and the exact UTF-8 name.
std::string disposition(const std::string& name) {
  std::string ascii, encoded;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

void add_compliance_api(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/api/v1/assessments", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    auto page = whole_number(query(r, "page"), "page", 1, 1000000);
    auto per_page = whole_number(query(r, "per_page"), "per_page", 100, 500);
    if (!page) return error_json(page.error());
    if (!per_page) return error_json(per_page.error());
    const std::string overdue = query(r, "overdue");
    if (!overdue.empty() && overdue != "true" && overdue != "false")
      return error_json(make_error(ErrorCode::invalid_argument, "overdue: must be true or false"));
    services::AssessmentQuery q;
    if (!query(r, "catalog").empty()) q.catalog_id = query(r, "catalog");
    q.status = query(r, "status");
    q.overdue_only = overdue == "true";
    q.lang = query(r, "lang") == "en" ? "en" : "sv";
    auto list = AssessmentService(inst).list(who.actor, q);
    if (!list) return error_json(list.error());
    json items = json::array();
    const auto start = static_cast<std::size_t>((*page - 1) * *per_page);
    for (std::size_t i = start; i < list->size() && i < start + static_cast<std::size_t>(*per_page); ++i)
      items.push_back(services::to_json((*list)[i], false));
    return ok(page_json(items, *page, *per_page, static_cast<std::int64_t>(list->size())));
  });

  routes.add("GET", "/api/v1/assessments/{id}", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    auto v = AssessmentService(inst).get(who.actor, r.params.at("id"), query(r, "lang") == "en" ? "en" : "sv");
    return v ? ok(services::to_json(*v, true)) : error_json(v.error());
  });

  // Members left out keep their value; the assessment is then checked as a whole.
  routes.add("PUT", "/api/v1/assessments/{id}", Permission::compliance_manage, [&inst](Request& r, const Identity& who) {
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    AssessmentService service(inst);
    auto current = service.get(who.actor, r.params.at("id"));
    if (!current) return error_json(current.error());
    auto next = services::assessment_from_json(*body, current->assessment);
    if (!next) return error_json(next.error());
    auto saved = service.set(who.actor, r.params.at("id"), *next);
    return saved ? ok(services::to_json(*saved, true)) : error_json(saved.error());
  });

  routes.add("GET", "/api/v1/evidence", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    auto page = whole_number(query(r, "page"), "page", 1, 1000000);
    auto per_page = whole_number(query(r, "per_page"), "per_page", 50, 500);
    if (!page) return error_json(page.error());
    if (!per_page) return error_json(per_page.error());
    std::int64_t total = 0;
    auto list = EvidenceService(inst).list(who.actor, *page, *per_page, &total);
    if (!list) return error_json(list.error());
    json items = json::array();
    for (const auto& e : *list) items.push_back(services::to_json(e, false));
    return ok(page_json(items, *page, *per_page, total));
  });

  const std::size_t upload_limit = inst.config().evidence_max_bytes;
  routes.add_streamed("POST", "/api/v1/evidence", Permission::evidence_upload, upload_limit,
                      [&inst](Request& r, const Identity& who) {
    if (r.body_stream == nullptr || r.body_stream->content_length() == std::size_t{0}) return empty_upload();
    services::NewEvidence e{query(r, "title"), query(r, "description"), query(r, "valid_until"),
                            list_of(query(r, "requirement")), {query(r, "file_name"), media_type_of(r)}};
    auto added = EvidenceService(inst).add(who.actor, e, body_source(*r.body_stream));
    return added ? ok(services::to_json(*added, true), 201) : error_json(added.error());
  });

  routes.add("GET", "/api/v1/evidence/{id}", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    auto id = evidence_id(r);
    if (!id) return error_json(id.error());
    auto v = EvidenceService(inst).get(who.actor, *id);
    return v ? ok(services::to_json(*v, true)) : error_json(v.error());
  });

  routes.add("PUT", "/api/v1/evidence/{id}", Permission::evidence_upload, [&inst](Request& r, const Identity& who) {
    auto id = evidence_id(r);
    if (!id) return error_json(id.error());
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    services::EvidenceChange change;
    for (const auto& [key, value] : body->items()) {
      if (key != "title" && key != "description" && key != "valid_until")
        return error_json(make_error(ErrorCode::invalid_argument,
                                     key.substr(0, 40) + ": unknown field; use title, description or valid_until"));
      if (!value.is_string() && !(key == "valid_until" && value.is_null()))
        return error_json(make_error(ErrorCode::invalid_argument, key + ": must be a string"));
      const std::string text = value.is_null() ? "" : value.get<std::string>();
      (key == "title" ? change.title : key == "description" ? change.description : change.valid_until) = text;
    }
    auto v = EvidenceService(inst).update(who.actor, *id, change);
    return v ? ok(services::to_json(*v, true)) : error_json(v.error());
  });

  routes.add_streamed("POST", "/api/v1/evidence/{id}/versions", Permission::evidence_upload, upload_limit,
                      [&inst](Request& r, const Identity& who) {
    auto id = evidence_id(r);
    if (!id) return error_json(id.error());
    if (r.body_stream == nullptr || r.body_stream->content_length() == std::size_t{0}) return empty_upload();
    std::optional<std::string> valid_until;
    if (r.query.contains("valid_until")) valid_until = query(r, "valid_until");
    auto v = EvidenceService(inst).add_version(who.actor, *id, {query(r, "file_name"), media_type_of(r)},
                                               body_source(*r.body_stream), valid_until);
    return v ? ok(services::to_json(*v, true), 201) : error_json(v.error());
  });

  // The content, always as an attachment of type application/octet-stream (never rendered by
  // the browser in Tillit's origin), with its SHA-256 in Repr-Digest (RFC 9530).
  routes.add("GET", "/api/v1/evidence/{id}/content", Permission::compliance_read,
             [&inst](Request& r, const Identity& who) {
    auto id = evidence_id(r);
    if (!id) return error_json(id.error());
    std::int64_t version = 0;
    if (!query(r, "version").empty()) {
      auto n = whole_number(query(r, "version"), "version", 1, INT64_MAX);
      if (!n) return error_json(n.error());
      version = *n;
    }
    std::string content;
    auto v = EvidenceService(inst).download(who.actor, *id, version, [&content](std::string_view bytes) -> Status {
      content.append(bytes);
      return {};
    });
    if (!v) return error_json(v.error());
    Response response;
    response.content_type = "application/octet-stream";
    response.body = std::move(content);
    const auto digest = crypto::from_hex(v->sha256);
    if (digest) response.headers.emplace_back("Repr-Digest", "sha-256=:" + crypto::to_base64(crypto::as_chars(*digest)) + ":");
    response.headers.emplace_back("X-Evidence-SHA256", v->sha256);
    response.headers.emplace_back("X-Evidence-Version", std::to_string(v->version));
    response.headers.emplace_back("Content-Disposition", disposition(v->file_name));
    return response;
  });

  routes.add("POST", "/api/v1/evidence/{id}/links", Permission::evidence_upload, [&inst](Request& r, const Identity& who) {
    auto id = evidence_id(r);
    if (!id) return error_json(id.error());
    auto body = body_of(r);
    if (!body) return error_json(body.error());
    auto type = api::text(*body, "type");
    auto target = api::text(*body, "target");
    if (!type) return error_json(type.error());
    if (!target) return error_json(target.error());
    auto v = EvidenceService(inst).link(who.actor, *id, *type, *target);
    return v ? ok(services::to_json(*v, true)) : error_json(v.error());
  });

  routes.add("DELETE", "/api/v1/evidence/{id}/links", Permission::evidence_upload,
             [&inst](Request& r, const Identity& who) {
    auto id = evidence_id(r);
    if (!id) return error_json(id.error());
    auto v = EvidenceService(inst).unlink(who.actor, *id, query(r, "type"), query(r, "target"));
    return v ? ok(services::to_json(*v, true)) : error_json(v.error());
  });
}

}  // namespace tillit::web
