// Four-eyes requests: /admin/approvals lists the pending ones (with approve and reject for
// those who may decide) and the decided ones below. services::AccountService decides who may
// decide what (nobody their own request or about their own account) and carries the change out.
#include "page_support.h"
#include "tillit/services/accounts.h"

namespace tillit::web {

namespace {

using namespace pages;
using services::AccountService;
using services::Permission;

// "user:42" -> "ana"; "cli" -> "the command line".
std::string actor_name(const Request& r, const std::map<std::string, std::string>& names, const std::string& actor_id) {
  if (actor_id.empty()) return "–";
  if (actor_id == "cli") return t(r, "local_operator");
  const auto it = names.find(actor_id);
  return it == names.end() ? actor_id : it->second;
}

Response approvals_page(const Request& r, const Identity& who, services::Installation& inst, int status,
                        std::int64_t failed_id, const std::string& error, const std::string& note) {
  AccountService accounts(inst);
  auto all = accounts.approvals(who.actor, "");
  if (!all) return refused(r, who, all.error());
  std::map<std::string, std::string> names;
  if (auto users = accounts.list(who.actor))
    for (const auto& u : *users) names["user:" + std::to_string(u.id)] = u.username;
  const bool can_decide = services::authorize(who.actor, Permission::approvals_decide).ok();

  list pending, decided;
  bool shown_at_row = false;
  for (const auto& a : *all) {
    data row{data::type::object};
    row.set("id", std::to_string(a.id));
    row.set("kind", word(r, "approval_kind_", a.kind));
    row.set("summary", a.summary);
    row.set("reason", a.reason);
    row.set("requested_by", actor_name(r, names, a.requested_by));
    row.set("requested_at", when(r, a.requested_at));
    if (a.status == "pending") {
      const bool failing = can_decide && !error.empty() && a.id == failed_id;
      shown_at_row = shown_at_row || failing;
      row.set("has_error", flag(failing));
      row.set("error", failing ? error : std::string());
      row.set("note", failing ? note : std::string());
      pending.push_back(row);
    } else {
      row.set("decision", word(r, "approval_status_", a.status));
      row.set("decided_by", actor_name(r, names, a.decided_by));
      row.set("decided_at", when(r, a.decided_at));
      row.set("decision_note", a.decision_note.empty() ? "–" : a.decision_note);
      decided.push_back(row);
    }
  }
  data view{data::type::object};
  admin_subnav(view, "approvals");
  notice_from_query(r, view, {"approved", "rejected"});
  view.set("can_decide", flag(can_decide));
  view.set("csrf_token", who.session ? who.session->csrf_token : std::string());
  view.set("has_pending", flag(!pending.empty()));
  view.set("pending", pending);
  view.set("has_decided", flag(!decided.empty()));
  view.set("decided", decided);
  view.set("has_error", flag(!error.empty() && !shown_at_row));
  view.set("error", error);
  return render(r, &who, status, "admin_approvals", view, t(r, "approvals_heading"), "admin");
}

}  // namespace

void add_approval_pages(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/admin/approvals", services::Permission::users_read, [&inst](Request& r, const Identity& who) {
    return approvals_page(r, who, inst, 200, 0, "", "");
  });

  routes.add("POST", "/admin/approvals/{id}", services::Permission::approvals_decide, [&inst](Request& r, const Identity& who) {
    const auto f = form_of(r);
    const std::int64_t id = positive_number(r.params["id"]);
    if (id == 0) return refused(r, who, make_error(ErrorCode::not_found, t(r, "error_404")));
    const std::string decision = field(f, "decision");
    const std::string note = field(f, "note");
    if (decision != "approve" && decision != "reject")
      return approvals_page(r, who, inst, 400, id, t(r, "choose_decision"), note);
    AccountService accounts(inst);
    const auto s = decision == "approve" ? accounts.approve(who.actor, id, note) : accounts.reject(who.actor, id, note);
    if (!s) {
      if (s.error().code == ErrorCode::unauthenticated) return refused(r, who, s.error());
      return approvals_page(r, who, inst, http_status(s.error().code), id, s.error().message, note);
    }
    return redirect_to(r, "/admin/approvals",
                       std::string("&done=") + (decision == "approve" ? "approved" : "rejected") +
                           "&request=" + std::to_string(id));
  });
}

}  // namespace tillit::web
