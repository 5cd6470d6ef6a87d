// The recurring-duty pages: the list with its filters (overdue, due soon, by owner) and a form
// to add a duty, one duty with its completions and the forms to record a completion and to
// change it, and the account's calendar-feed page (create, show the URL once, revoke). Forms
// post with the session's CSRF token; a bad value re-renders the page with the service's
// message, which names the field. Rules and authorization: services/duties.h.
#include "page_support.h"
#include "tillit/services/duties.h"
#include "tillit/web/app.h"
#include "view.h"

namespace tillit::web {
namespace {

using pages::field;
using services::DutiesService;
using services::Permission;

bool may(const Identity& who, Permission p) { return services::authorize(who.actor, p).ok(); }

std::string title_in(const store::DutyRecord& d, const std::string& lang) {
  return lang == "en" && !d.title_en.empty() ? d.title_en : d.title;
}

std::string state_word(const Request& r, const services::DutyView& v) {
  return t(r, v.record.active ? std::string("duty_state_") + to_string(v.state) : std::string("duty_state_inactive"));
}

std::string interval_text(const Request& r, const store::DutyRecord& d) {
  return std::to_string(d.interval_count) + " " + t(r, "duty_unit_" + d.interval_unit);
}

// "/catalog/annex/K22" for "annex:K22".
std::string requirement_href(const std::string& reference) {
  const auto colon = reference.find(':');
  if (colon == std::string::npos) return "";
  return "/catalog/" + percent_encode_segment(reference.substr(0, colon)) + "/" +
         percent_encode_segment(reference.substr(colon + 1));
}

data duty_row(const Request& r, const services::DutyView& v) {
  const auto& d = v.record;
  data row{data::type::object};
  row.set("id", std::to_string(d.id));
  row.set("title", title_in(d, language_of(r)));
  row.set("next_due", d.next_due);
  row.set("state", state_word(r, v));
  row.set("overdue", flag(d.active && v.state == DutyState::overdue));
  row.set("interval", interval_text(r, d));
  row.set("has_requirement", flag(!d.requirement.empty()));
  row.set("requirement", d.requirement.substr(d.requirement.find(':') + 1));
  row.set("requirement_href", requirement_href(d.requirement));
  row.set("owner", d.owner_username.empty() ? t(r, "duty_no_owner") : d.owner_username);
  row.set("lang", language_of(r));
  return row;
}

data unit_options(const Request& r, const std::string& selected) {
  list options;
  for (const char* unit : {"days", "weeks", "months", "years"}) {
    data o{data::type::object};
    o.set("value", unit);
    o.set("label", t(r, std::string("duty_unit_") + unit));
    o.set("selected", flag(selected == unit));
    options.push_back(o);
  }
  return options;
}

Response list_page(Request& r, const Identity& who, services::Installation& inst, int status, const std::string& error) {
  const std::string filter = r.query.count("filter") ? r.query.at("filter") : "";
  services::DutyQuery q;
  q.overdue = filter == "overdue";
  q.due_soon = filter == "due_soon";
  q.include_inactive = filter == "all";
  q.owner = r.query.count("owner") ? r.query.at("owner") : "";
  auto all = DutiesService(inst).list(who.actor, q);
  if (!all) return error_page(r, http_status(all.error().code), all.error().message, &who);
  data view{data::type::object};
  view.set("csrf_token", who.session ? who.session->csrf_token : std::string());
  list rows;
  for (const auto& v : *all) rows.push_back(duty_row(r, v));
  view.set("has_duties", flag(!rows.empty()));
  view.set("duties", rows);
  view.set("count", std::to_string(rows.size()));
  for (const char* f : {"overdue", "due_soon", "all"}) view.set(std::string("filter_") + f, flag(filter == f));
  view.set("filter_none", flag(filter.empty() && q.owner.empty()));
  view.set("has_owner", flag(!q.owner.empty()));
  view.set("owner", q.owner);
  view.set("mine_href", who.actor.username);
  view.set("can_manage", flag(may(who, Permission::compliance_manage)));
  view.set("units", unit_options(r, "months"));
  view.set("has_error", flag(!error.empty()));
  view.set("error", error);
  return render(r, &who, status, "duties", view, t(r, "duty_heading"), "duties");
}

Response duty_page(Request& r, const Identity& who, services::Installation& inst, std::int64_t id, int status,
                   const std::string& error) {
  auto found = DutiesService(inst).get(who.actor, id);
  if (!found) return error_page(r, http_status(found.error().code), found.error().message, &who);
  const auto& d = found->record;
  data view = duty_row(r, *found);
  view.set("csrf_token", who.session ? who.session->csrf_token : std::string());
  view.set("title_sv", d.title);
  view.set("title_en", d.title_en);
  view.set("description", d.description);
  view.set("has_description", flag(!d.description.empty()));
  view.set("requirement_full", d.requirement);
  view.set("owner_name", d.owner_username);
  view.set("interval_count", std::to_string(d.interval_count));
  view.set("units", unit_options(r, d.interval_unit));
  view.set("first_due", d.first_due);
  view.set("last_completed", d.last_completed.empty() ? t(r, "never") : d.last_completed);
  view.set("active", flag(d.active));
  view.set("builtin", flag(!d.catalog_duty.empty()));
  view.set("today", format_date(calendar_date_of(services::now_utc())));
  list completions;
  for (const auto& c : found->completions) {
    data row{data::type::object};
    row.set("completed_on", c.completed_on);
    row.set("note", c.note);
    row.set("has_evidence", flag(c.evidence_id.has_value()));
    row.set("evidence_id", c.evidence_id ? std::to_string(*c.evidence_id) : "");
    row.set("recorded", c.recorded_by + ", " + pages::when(r, c.recorded_at));
    completions.push_back(row);
  }
  view.set("has_completions", flag(!completions.empty()));
  view.set("completions", completions);
  view.set("can_manage", flag(may(who, Permission::compliance_manage)));
  view.set("can_complete", flag(d.active && may(who, Permission::evidence_upload)));
  view.set("has_error", flag(!error.empty()));
  view.set("error", error);
  return render(r, &who, status, "duty", view, title_in(d, language_of(r)), "duties");
}

// The form's fields as a service input; empty optional fields are left out on create.
services::DutyInput input_of(const std::map<std::string, std::string>& form, bool update) {
  services::DutyInput in;
  auto text = [&](const char* name, std::optional<std::string>& target) {
    const auto it = form.find(name);
    if (it != form.end() && (update || !it->second.empty())) target = it->second;
  };
  text("title", in.title);
  text("title_en", in.title_en);
  text("description", in.description);
  text("requirement", in.requirement);
  text("owner", in.owner);
  text("interval_unit", in.interval_unit);
  text("first_due", in.first_due);
  if (const auto it = form.find("interval_count"); it != form.end()) {
    // A value that is not a number reaches the service as 0, which it refuses by name.
    in.interval_count = it->second.empty() || it->second.size() > 6 ? 0 : pages::positive_number(it->second);
  }
  if (update) in.active = pages::checked(form, "active");
  return in;
}

Response calendar_page(Request& r, const Identity& who, services::Installation& inst, const std::string& new_url) {
  auto created = DutiesService(inst).calendar_feed_created_at(who.actor);
  if (!created) return error_page(r, http_status(created.error().code), created.error().message, &who);
  data view{data::type::object};
  view.set("csrf_token", who.session ? who.session->csrf_token : std::string());
  view.set("has_feed", flag(!created->empty()));
  view.set("created", pages::when(r, *created));
  view.set("has_new_url", flag(!new_url.empty()));
  view.set("new_url", new_url);
  return render(r, &who, 200, "account_calendar", view, t(r, "cal_heading"), "account");
}

}  // namespace

void add_duty_pages(AppRoutes& routes) {
  auto& inst = routes.inst();

  routes.add("GET", "/duties", Permission::compliance_read,
             [&inst](Request& r, const Identity& who) { return list_page(r, who, inst, 200, ""); });

  routes.add("POST", "/duties", Permission::compliance_manage, [&inst](Request& r, const Identity& who) {
    auto created = DutiesService(inst).create(who.actor, input_of(form_of(r), false));
    if (!created) return list_page(r, who, inst, http_status(created.error().code), created.error().message);
    return Response::redirect("/duties/" + std::to_string(created->record.id) + "?lang=" + language_of(r));
  });

  routes.add("GET", "/duties/{id}", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    const auto id = pages::positive_number(r.params.at("id"));
    if (!id) return error_page(r, 404, t(r, "duty_not_found"), &who);
    return duty_page(r, who, inst, id, 200, "");
  });

  routes.add("POST", "/duties/{id}", Permission::compliance_manage, [&inst](Request& r, const Identity& who) {
    const auto id = pages::positive_number(r.params.at("id"));
    if (!id) return error_page(r, 404, t(r, "duty_not_found"), &who);
    auto changed = DutiesService(inst).update(who.actor, id, input_of(form_of(r), true));
    if (!changed) {
      if (changed.error().code == ErrorCode::not_found) return error_page(r, 404, changed.error().message, &who);
      return duty_page(r, who, inst, id, http_status(changed.error().code), changed.error().message);
    }
    return Response::redirect("/duties/" + std::to_string(id) + "?lang=" + language_of(r));
  });

  routes.add("POST", "/duties/{id}/completions", Permission::evidence_upload, [&inst](Request& r, const Identity& who) {
    const auto id = pages::positive_number(r.params.at("id"));
    if (!id) return error_page(r, 404, t(r, "duty_not_found"), &who);
    const auto form = form_of(r);
    services::CompletionInput in{field(form, "completed_on"), field(form, "note"), std::nullopt};
    if (const auto evidence = field(form, "evidence_id"); !evidence.empty()) in.evidence_id = pages::positive_number(evidence);
    auto done = DutiesService(inst).complete(who.actor, id, in);
    if (!done) {
      if (done.error().code == ErrorCode::not_found) return error_page(r, 404, done.error().message, &who);
      return duty_page(r, who, inst, id, http_status(done.error().code), done.error().message);
    }
    return Response::redirect("/duties/" + std::to_string(id) + "?lang=" + language_of(r));
  });

  routes.add("GET", "/account/calendar", Permission::compliance_read,
             [&inst](Request& r, const Identity& who) { return calendar_page(r, who, inst, ""); });

  // Answers with the page itself (not a redirect): the URL is shown this once.
  routes.add("POST", "/account/calendar", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    auto token = DutiesService(inst).create_calendar_feed(who.actor);
    if (!token) return error_page(r, http_status(token.error().code), token.error().message, &who);
    return calendar_page(r, who, inst, inst.config().base_url() + "/calendar/" + *token + ".ics");
  });

  routes.add("POST", "/account/calendar/revoke", Permission::compliance_read, [&inst](Request& r, const Identity& who) {
    auto revoked = DutiesService(inst).revoke_calendar_feed(who.actor);
    if (!revoked) return error_page(r, http_status(revoked.error().code), revoked.error().message, &who);
    return Response::redirect("/account/calendar?lang=" + language_of(r));
  });
}

}  // namespace tillit::web
