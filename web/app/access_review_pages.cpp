// The access-review pages (annex req. 54): the list of campaigns with a form to start one,
// and one campaign with a keep/revoke form per account, the close button and the report
// downloads (served by the API, which accepts the session cookie for GET). Each form posts
// with the session's CSRF token and answers with a redirect, so a reload never re-sends a
// decision.
#include <charconv>

#include "tillit/services/access_reviews.h"
#include "tillit/web/app.h"
#include "view.h"

namespace tillit::web {

namespace {

using services::AccessReviewService;
using services::Permission;

std::string field(const std::map<std::string, std::string>& form, const char* name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

std::optional<std::int64_t> id_of(const Request& r) {
  const auto& s = r.params.at("id");
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 1) return std::nullopt;
  return v;
}

// "2026-11-23T09:00:00.000Z" -> "2026-11-23 09:00 UTC".
std::string when(const Request& r, const std::string& at) {
  if (at.size() < 16) return at.empty() ? t(r, "never") : at;
  return at.substr(0, 10) + " " + at.substr(11, 5) + " UTC";
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

data csrf_view(const Identity& who) {
  data view{data::type::object};
  view.set("csrf_token", who.session ? who.session->csrf_token : std::string());
  return view;
}

Response list_page(Request& r, const Identity& who, services::Installation& inst, int status,
                   const std::string& error) {
  auto all = AccessReviewService(inst).list(who.actor);
  if (!all) return error_page(r, http_status(all.error().code), all.error().message);
  const std::string lang = language_of(r);
  data view = csrf_view(who);
  list rows;
  for (const auto& a : *all) {
    data row{data::type::object};
    row.set("id", std::to_string(a.id));
    row.set("title", a.title);
    row.set("started", when(r, a.created_at));
    row.set("started_by", a.created_by_name);
    row.set("status", t(r, a.closed() ? "ar_status_closed" : "ar_status_open"));
    row.set("progress", std::to_string(a.decided) + " / " + std::to_string(a.accounts));
    row.set("lang", lang);
    rows.push_back(row);
  }
  view.set("has_reviews", flag(!rows.empty()));
  view.set("reviews", rows);
  view.set("has_error", flag(!error.empty()));
  view.set("error", error);
  view.set("can_report", flag(services::authorize(who.actor, Permission::identity_reports).ok()));
  return render(r, &who, status, "access_review_list", view, t(r, "nav_reviews"), "reviews");
}

Response review_page(Request& r, const Identity& who, services::Installation& inst, std::int64_t id, int status,
                     const std::string& error) {
  auto review = AccessReviewService(inst).show(who.actor, id);
  if (!review) return error_page(r, http_status(review.error().code), review.error().message);
  const std::string lang = language_of(r);
  data view = csrf_view(who);
  view.set("id", std::to_string(review->id));
  view.set("title", review->title);
  view.set("started", when(r, review->created_at));
  view.set("started_by", review->created_by_name);
  view.set("closed", flag(review->closed()));
  view.set("open", flag(!review->closed()));
  view.set("closed_at", when(r, review->closed_at));
  view.set("closed_by", review->closed_by_name);
  view.set("progress", std::to_string(review->decided) + " / " + std::to_string(review->accounts));
  view.set("kept", std::to_string(review->kept));
  view.set("revoked", std::to_string(review->revoked));
  view.set("unused", std::to_string(review->unused));
  view.set("lang", lang);
  view.set("has_error", flag(!error.empty()));
  view.set("error", error);
  list items;
  for (const auto& i : review->items) {
    data row{data::type::object};
    row.set("username", i.username);
    row.set("username_path", percent_encode_segment(i.username));
    row.set("kind", t(r, i.kind == "admin" ? "ar_kind_admin" : "ar_kind_business"));
    row.set("roles", i.roles.empty() ? "–" : joined(i.roles));
    row.set("last_login", when(r, i.last_login_at));
    row.set("unused", flag(i.unused));
    row.set("status", t(r, "ar_account_" + (i.account_status.empty() ? std::string("deleted") : i.account_status)));
    row.set("decided", flag(!i.decision.empty()));
    row.set("decision", i.decision.empty() ? t(r, "ar_undecided")
                                           : t(r, i.decision == "keep" ? "ar_decision_keep" : "ar_decision_revoke"));
    row.set("decided_by", i.decided_by_name);
    row.set("decided_at", when(r, i.decided_at));
    row.set("note", i.note);
    row.set("has_note", flag(!i.note.empty()));
    const bool own = who.actor.user_id != 0 && who.actor.user_id == i.user_id;
    row.set("own", flag(own && !review->closed()));
    // A kept account may still be revoked; a revocation is final.
    row.set("can_decide", flag(!own && !review->closed() && i.decision != "revoke"));
    row.set("can_keep", flag(i.decision.empty()));
    items.push_back(row);
  }
  view.set("items", items);
  return render(r, &who, status, "access_review", view, review->title, "reviews");
}

}  // namespace

void add_access_review_pages(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/access-reviews", Permission::access_review,
             [&inst](Request& r, const Identity& who) { return list_page(r, who, inst, 200, ""); });

  routes.add("POST", "/access-reviews", Permission::access_review, [&inst](Request& r, const Identity& who) {
    auto started = AccessReviewService(inst).start(who.actor, field(form_of(r), "title"));
    if (!started) return list_page(r, who, inst, http_status(started.error().code), started.error().message);
    return Response::redirect("/access-reviews/" + std::to_string(started->id) + "?lang=" + language_of(r));
  });

  routes.add("GET", "/access-reviews/{id}", Permission::access_review, [&inst](Request& r, const Identity& who) {
    const auto id = id_of(r);
    if (!id) return error_page(r, 404, t(r, "error_404"));
    return review_page(r, who, inst, *id, 200, "");
  });

  routes.add("POST", "/access-reviews/{id}/items/{username}", Permission::access_review,
             [&inst](Request& r, const Identity& who) {
               const auto id = id_of(r);
               if (!id) return error_page(r, 404, t(r, "error_404"));
               const auto form = form_of(r);
               auto decided = AccessReviewService(inst).decide(who.actor, *id, r.params["username"],
                                                               field(form, "decision"), field(form, "note"));
               if (!decided)
                 return review_page(r, who, inst, *id, http_status(decided.error().code), decided.error().message);
               return Response::redirect("/access-reviews/" + std::to_string(*id) + "?lang=" + language_of(r));
             });

  routes.add("POST", "/access-reviews/{id}/close", Permission::access_review, [&inst](Request& r, const Identity& who) {
    const auto id = id_of(r);
    if (!id) return error_page(r, 404, t(r, "error_404"));
    auto closed = AccessReviewService(inst).close(who.actor, *id);
    if (!closed) return review_page(r, who, inst, *id, http_status(closed.error().code), closed.error().message);
    return Response::redirect("/access-reviews/" + std::to_string(*id) + "?lang=" + language_of(r));
  });
}

}  // namespace tillit::web
