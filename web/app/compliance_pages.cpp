// The assessment and evidence pages: one requirement's assessment (status, owner, how it is
// met, deviation, next review, the evidence bearing on it and the full history) with a form
// for the security manager; the evidence list; one piece of evidence with every version's
// SHA-256 and a download link (served by the API, which verifies the hash first and accepts
// the session cookie for GET). Forms post with the session's CSRF token and answer with a
// redirect. Rules and authorization: services/assessments.h, services/evidence.h.
#include <sstream>

#include "api_support.h"
#include "identity.h"
#include "page_support.h"
#include "tillit/services/assessments.h"
#include "tillit/services/evidence.h"
#include "tillit/web/app.h"
#include "tillit/web/multipart.h"
#include "view.h"

namespace tillit::web {
namespace {

using services::AssessmentService;
using services::EvidenceService;
using services::Permission;

std::string or_dash(const std::string& s) { return s.empty() ? "–" : s; }

std::string yes_no(const Request& r, bool v) { return t(r, v ? "ev_yes" : "ev_no"); }

std::string size_text(std::int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < 1024 * 1024) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes / (1024 * 1024)) + "." + std::to_string(bytes % (1024 * 1024) * 10 / (1024 * 1024)) + " MiB";
}

// "status: partly_met → met; owner" — what a history entry changed.
std::string change_of(const Request& r, const store::AssessmentHistoryRecord& h) {
  const auto after = nlohmann::json::parse(h.after_state, nullptr, false);
  if (h.before_state.empty()) return t(r, "as_first_assessment") + ": " + pages::word(r, "as_st_", after.value("status", ""));
  const auto before = nlohmann::json::parse(h.before_state, nullptr, false);
  std::string out;
  for (const auto& [key, value] : after.items()) {
    if (before.contains(key) && before[key] == value) continue;
    out += out.empty() ? "" : "; ";
    if (key == "status")
      out += key + ": " + pages::word(r, "as_st_", before.value("status", "")) + " → " + pages::word(r, "as_st_", value);
    else
      out += key;
  }
  return out.empty() ? "–" : out;
}

Response assessment_page(Request& r, const Identity& who, services::Installation& inst, int status,
                         const std::string& error) {
  const std::string reference = r.params.at("catalog") + ":" + r.params.at("id");
  auto v = AssessmentService(inst).get(who.actor, reference, language_of(r));
  if (!v) return error_page(r, http_status(v.error().code), v.error().message, &who);
  const auto& a = v->assessment;
  data view{data::type::object};
  view.set("csrf_token", who.session ? who.session->csrf_token : std::string());
  view.set("catalog", v->catalog_id);
  view.set("id", v->requirement_id);
  view.set("id_path", percent_encode_segment(v->requirement_id));
  view.set("title", v->title);
  view.set("status_word", pages::word(r, "as_st_", a.status));
  view.set("owner", a.owner);
  view.set("how_met", a.how_met);
  view.set("justification", a.justification);
  view.set("deviation", a.deviation);
  view.set("deviation_due", a.deviation_due);
  view.set("next_review", a.next_review);
  view.set("overdue", flag(v->deviation_overdue));
  std::string links_text, links_lines;
  for (const auto& l : a.links) {
    links_text += (links_text.empty() ? "" : ", ") + l.type + ": " + l.id;
    links_lines += l.type + ":" + l.id + "\n";
  }
  view.set("links_text", or_dash(links_text));
  view.set("links_lines", links_lines);
  view.set("updated", v->assessed ? pages::when(r, v->updated_at) + " (" + v->updated_by + ")" : t(r, "as_st_not_assessed"));
  view.set("has_error", flag(!error.empty()));
  view.set("error", error);
  list evidence;
  for (const auto& e : v->evidence) {
    data row{data::type::object};
    row.set("id", std::to_string(e.evidence.id));
    row.set("title", e.evidence.title);
    row.set("linked_to", e.linked_to);
    row.set("through_mapping", flag(e.through_mapping));
    row.set("valid_until", or_dash(e.evidence.valid_until));
    row.set("current", yes_no(r, e.current));
    evidence.push_back(row);
  }
  view.set("has_evidence", flag(!evidence.empty()));
  view.set("evidence", evidence);
  list statuses;
  for (const auto& s : assessment_statuses()) {
    data option{data::type::object};
    option.set("value", s);
    option.set("word", pages::word(r, "as_st_", s));
    option.set("selected", flag(s == a.status));
    statuses.push_back(option);
  }
  view.set("statuses", statuses);
  view.set("can_manage", flag(services::authorize(who.actor, Permission::compliance_manage).ok()));
  list history;
  for (auto it = v->history.rbegin(); it != v->history.rend(); ++it) {
    data row{data::type::object};
    row.set("revision", std::to_string(it->revision));
    row.set("at", pages::when(r, it->at));
    row.set("actor", it->actor);
    row.set("change", change_of(r, *it));
    history.push_back(row);
  }
  view.set("has_history", flag(!history.empty()));
  view.set("history", history);
  return render(r, &who, status, "assessment", view, v->requirement_id + " " + v->title, "catalog");
}

// The evidence list, with the upload form for those who may upload (and what went wrong
// with the last upload, if anything).
Response evidence_list_page(Request& r, const Identity& who, services::Installation& inst, int status,
                            const std::string& error) {
  std::int64_t total = 0;
  auto all = EvidenceService(inst).list(who.actor, 1, 500, &total);
  if (!all) return error_page(r, http_status(all.error().code), all.error().message, &who);
  list items;
  for (const auto& e : *all) {
    data row{data::type::object};
    row.set("id", std::to_string(e.record.id));
    row.set("title", e.record.title);
    row.set("file_name", e.latest ? e.latest->file_name : "–");
    row.set("version", e.latest ? std::to_string(e.latest->version) : "–");
    row.set("sha256", e.latest ? e.latest->sha256 : "–");
    row.set("valid_until", or_dash(e.record.valid_until));
    row.set("current", yes_no(r, e.current));
    items.push_back(row);
  }
  data view{data::type::object};
  view.set("items", items);
  view.set("count", std::to_string(all->size()) + " / " + std::to_string(total));
  view.set("can_upload", flag(services::authorize(who.actor, Permission::evidence_upload).ok()));
  view.set("csrf_token", who.session ? who.session->csrf_token : std::string());
  view.set("lang", language_of(r));
  view.set("has_error", flag(!error.empty()));
  view.set("error", error);
  view.set("max_mb", std::to_string(inst.config().evidence_max_bytes >> 20));
  return render(r, &who, status, "evidence_list", view, t(r, "ev_nav"), "catalog");
}

// A browser's upload (multipart/form-data, streamed): the form's text fields come first, then
// the file, which goes on to the evidence service as it arrives. One transaction: an error
// stores nothing and shows the list again with the message.
Response upload_from_form(Request& r, const Identity& who, services::Installation& inst) {
  auto boundary = multipart_boundary(r.header("Content-Type").value_or(""));
  if (!boundary) return evidence_list_page(r, who, inst, 400, boundary.error().message);
  MultipartReader form(*r.body_stream, *boundary);
  services::NewEvidence e;
  constexpr std::size_t kMaxField = 4000;
  for (;;) {
    auto part = form.next_part();
    if (!part) return evidence_list_page(r, who, inst, 400, part.error().message);
    if (!*part) return evidence_list_page(r, who, inst, 400, t(r, "ev_upload_no_file"));
    if ((*part)->is_file) {
      if ((*part)->name != "file") return evidence_list_page(r, who, inst, 400, t(r, "ev_upload_no_file"));
      e.file = {(*part)->filename, (*part)->content_type == "application/octet-stream" ? "" : (*part)->content_type};
      break;
    }
    auto value = form.read_text(kMaxField);
    if (!value) return evidence_list_page(r, who, inst, 400, value.error().message);
    const auto& name = (*part)->name;
    if (name == "title") e.title = *value;
    else if (name == "description") e.description = *value;
    else if (name == "valid_until") e.valid_until = *value;
    else if (name == "requirement") e.requirements = api::list_of(*value);
  }
  auto added = EvidenceService(inst).add(who.actor, e, [&form](char* buffer, std::size_t capacity) {
    return form.read(buffer, capacity);
  });
  if (!added) return evidence_list_page(r, who, inst, http_status(added.error().code), added.error().message);
  return Response::redirect("/evidence/" + std::to_string(added->record.id) + "?lang=" + language_of(r));
}

}  // namespace

void add_compliance_pages(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/assessments/{catalog}/{id}", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    return assessment_page(r, who, inst, 200, "");
  });

  routes.add("POST", "/assessments/{catalog}/{id}", Permission::compliance_manage,
             [&inst](Request& r, const Identity& who) {
    const auto form = form_of(r);
    Assessment a;
    a.status = pages::field(form, "status");
    a.owner = pages::field(form, "owner");
    a.how_met = pages::field(form, "how_met");
    a.justification = pages::field(form, "justification");
    a.deviation = pages::field(form, "deviation");
    a.deviation_due = pages::field(form, "deviation_due");
    a.next_review = pages::field(form, "next_review");
    std::istringstream lines(pages::field(form, "links"));
    for (std::string line; std::getline(lines, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line.empty()) continue;
      const auto colon = line.find(':');
      a.links.push_back({colon == std::string::npos ? line : line.substr(0, colon),
                         colon == std::string::npos ? std::string() : line.substr(colon + 1)});
    }
    const std::string reference = r.params.at("catalog") + ":" + r.params.at("id");
    auto saved = AssessmentService(inst).set(who.actor, reference, a);
    if (!saved) return assessment_page(r, who, inst, http_status(saved.error().code), saved.error().message);
    return Response::redirect("/assessments/" + percent_encode_segment(saved->catalog_id) + "/" +
                              percent_encode_segment(saved->requirement_id) + "?lang=" + language_of(r));
  });

  routes.add("GET", "/evidence", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    return evidence_list_page(r, who, inst, 200, "");
  });

  routes.add_streamed("POST", "/evidence", Permission::evidence_upload, inst.config().evidence_max_bytes + (64 << 10),
                      [&inst](Request& r, const Identity& who) { return upload_from_form(r, who, inst); });

  routes.add("GET", "/evidence/{id}", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    const auto id = pages::positive_number(r.params.at("id"));
    if (id == 0) return error_page(r, 404, t(r, "ev_not_found"), &who);
    auto e = EvidenceService(inst).get(who.actor, id);
    if (!e) return error_page(r, http_status(e.error().code), e.error().message, &who);
    data view{data::type::object};
    view.set("title", e->record.title);
    view.set("description", e->record.description);
    view.set("valid_until", or_dash(e->record.valid_until));
    view.set("current", t(r, e->current ? "ev_current" : "ev_not_current"));
    view.set("updated", pages::when(r, e->record.updated_at) + " (" + e->record.updated_by + ")");
    list versions;
    for (const auto& v : e->versions) {
      data row{data::type::object};
      row.set("evidence_id", std::to_string(id));
      row.set("version", std::to_string(v.version));
      row.set("file_name", v.file_name);
      row.set("size", size_text(v.size_bytes));
      row.set("sha256", v.sha256);
      row.set("uploaded", pages::when(r, v.uploaded_at) + " (" + v.uploaded_by + ")");
      versions.push_back(row);
    }
    view.set("versions", versions);
    list links;
    for (const auto& l : e->links) {
      data row{data::type::object};
      row.set("type", l.target_type);
      row.set("target", l.target_id);
      const bool requirement = l.target_type == "requirement" && l.target_id.find(':') != std::string::npos;
      row.set("requirement", flag(requirement));
      if (requirement) {
        const auto colon = l.target_id.find(':');
        row.set("catalog", percent_encode_segment(l.target_id.substr(0, colon)));
        row.set("id_path", percent_encode_segment(l.target_id.substr(colon + 1)));
      }
      links.push_back(row);
    }
    view.set("has_links", flag(!links.empty()));
    view.set("links", links);
    return render(r, &who, 200, "evidence", view, e->record.title, "catalog");
  });
}

}  // namespace tillit::web
