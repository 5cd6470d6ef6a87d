#include "tillit/services/access_reviews.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "tillit/store/identity_repository.h"

namespace tillit::services {

namespace {

using json = nlohmann::json;

json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::vector<std::string> split_roles(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string r; in >> r;) out.push_back(r);
  return out;
}

std::string join(const std::vector<std::string>& v, const char* separator) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : separator) + s;
  return out;
}

Status check_title(const std::string& title) {
  const bool control =
      std::any_of(title.begin(), title.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  if (title.find_first_not_of(' ') == std::string::npos || title.size() > 200 || control)
    return make_error(
        ErrorCode::invalid_argument,
        "give the campaign a title of 1-200 characters on one line, e.g. \"Behörighetsgranskning 2026 Q4\"");
  return {};
}

std::string not_found(std::int64_t id) {
  return "no access review with id " + std::to_string(id) + "; list them with GET /api/v1/access-reviews";
}

// The campaign with its items, names resolved and each account's current status.
Result<AccessReviewView> load(store::Transaction& tx, std::int64_t id) {
  auto r = store::find_access_review(tx, id);
  if (!r) return r.error();
  if (!*r) return make_error(ErrorCode::not_found, not_found(id));
  auto items = store::access_review_items(tx, id);
  if (!items) return items.error();
  auto users = store::list_users(tx);
  if (!users) return users.error();
  std::map<std::int64_t, std::string> status;
  for (const auto& u : *users) status[u.id] = u.status;
  ActorNames names(tx);
  AccessReviewView v{(*r)->id,         (*r)->title,     (*r)->created_by,       names((*r)->created_by),
                     (*r)->created_at, (*r)->closed_by, names((*r)->closed_by), (*r)->closed_at};
  for (const auto& i : *items) {
    v.items.push_back({i.user_id, i.username, i.kind, split_roles(i.roles), i.last_login_at, i.unused,
                       status[i.user_id], i.decision, i.decided_by, names(i.decided_by), i.decided_at, i.note});
    ++v.accounts;
    v.decided += i.decision.empty() ? 0 : 1;
    v.kept += i.decision == "keep" ? 1 : 0;
    v.revoked += i.decision == "revoke" ? 1 : 0;
    v.unused += i.unused ? 1 : 0;
  }
  return v;
}

// Decisions and closing read a campaign, then write it. Two servers on PostgreSQL could
// otherwise both see an account undecided (or a campaign open) and the later write would
// silently replace the earlier decision; on SQLite write transactions are exclusive anyway.
Status lock_campaign(store::Transaction& tx, std::int64_t id) {
  return tx.lock("tillit-access-review-" + std::to_string(id));
}

// Refuses to deactivate the last active administrator: nobody could run the system then.
Status keep_an_admin(store::Transaction& tx, std::int64_t leaving_user_id) {
  auto all = store::list_users(tx);
  if (!all) return all.error();
  for (const auto& u : *all)
    if (u.id != leaving_user_id && u.kind == "admin" && (u.status == "active" || u.status == "pending_setup"))
      return {};
  return make_error(ErrorCode::conflict,
                    "this is the last active administrator account; create another administrator before revoking it");
}

// The words the report adds itself, in its language.
struct Words {
  const char* subtitle;  // "{id}" replaced
  const char* intro;     // "{days}" replaced
  const char *open, *closed, *started, *closed_label, *reviewers, *accounts, *kept, *revoked, *unused, *status;
  const char* heading;
  const char *col_account, *col_kind, *col_roles, *col_last, *col_unused, *col_decision, *col_by, *col_at, *col_note;
  const char *never, *yes, *no, *keep, *revoke, *undecided, *admin, *business, *unused_flag, *footer;
};

// clang-format off
constexpr Words kSwedish{
    "Behörighetsgranskning nr {id}",
    "Granskning av användarbehörigheter enligt säkerhetsbilagans krav 54. Granskningen omfattar varje konto som "
    "inte var borttaget när den startade, med roller och senaste inloggning vid starten, och granskarens beslut att "
    "behålla eller återkalla behörigheten. En återkallad behörighet gäller omedelbart: kontot inaktiveras och dess "
    "inloggningar avslutas. Oanvänt konto: aldrig inloggat, eller inte inloggat på {days} dagar.",
    "pågående, inte avslutad", "avslutad", "Startad", "Avslutad", "Granskare", "Konton", "Behålls", "Återkallas",
    "Oanvända", "Status",
    "Konton och beslut",
    "Konto", "Typ", "Roller", "Senaste inloggning", "Oanvänt", "Beslut", "Beslutat av", "Beslutat", "Anteckning",
    "aldrig", "ja", "nej", "behåll", "återkalla", "ej beslutat", "administratör", "verksamhet", "oanvänt",
    "Underlag för säkerhetsbilagans krav 54 (granskning av användarbehörigheter)",
};

constexpr Words kEnglish{
    "Access review no. {id}",
    "Review of user access under requirement 54 of the security annex. The review covers every account that was "
    "not deleted when it started, with its roles and last sign-in at the start, and the reviewer's decision to keep "
    "or revoke the access. A revocation takes effect at once: the account is deactivated and its sessions end. "
    "Unused account: never signed in, or not signed in for {days} days.",
    "in progress, not closed", "closed", "Started", "Closed", "Reviewers", "Accounts", "Kept", "Revoked", "Unused",
    "Status",
    "Accounts and decisions",
    "Account", "Kind", "Roles", "Last sign-in", "Unused", "Decision", "Decided by", "Decided at", "Note",
    "never", "yes", "no", "keep", "revoke", "undecided", "administrator", "business", "unused",
    "Evidence for requirement 54 of the security annex (review of user access)",
};
// clang-format on

std::string replaced(std::string text, const std::string& placeholder, const std::string& value) {
  if (auto at = text.find(placeholder); at != std::string::npos) text.replace(at, placeholder.size(), value);
  return text;
}

}  // namespace

json to_json(const AccessReviewItemView& i) {
  return {{"user_id", i.user_id},
          {"username", i.username},
          {"kind", i.kind},
          {"roles", i.roles},
          {"last_login_at", opt(i.last_login_at)},
          {"unused", i.unused},
          {"account_status", i.account_status},
          {"decision", opt(i.decision)},
          {"decided_by", opt(i.decided_by)},
          {"decided_by_name", opt(i.decided_by_name)},
          {"decided_at", opt(i.decided_at)},
          {"note", opt(i.note)}};
}

json to_json(const AccessReviewView& r, bool with_items) {
  json j = {{"id", r.id},
            {"title", r.title},
            {"status", r.closed() ? "closed" : "open"},
            {"created_by", r.created_by},
            {"created_by_name", r.created_by_name},
            {"created_at", r.created_at},
            {"closed_by", opt(r.closed_by)},
            {"closed_by_name", opt(r.closed_by_name)},
            {"closed_at", opt(r.closed_at)},
            {"accounts", r.accounts},
            {"decided", r.decided},
            {"kept", r.kept},
            {"revoked", r.revoked},
            {"unused", r.unused}};
  if (with_items) {
    json items = json::array();
    for (const auto& i : r.items) items.push_back(to_json(i));
    j["items"] = items;
  }
  return j;
}

Result<AccessReviewView> AccessReviewService::start(const Actor& actor, const std::string& title) {
  if (auto s = authorize(actor, Permission::access_review); !s) return s.error();
  if (auto s = check_title(title); !s) return s.error();
  const Timestamp now = clock_();
  const std::string at = format_rfc3339(now);
  const Timestamp unused_before = now - inst_.config().identity.unused_account_after;
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto id = store::insert_access_review(**tx, {0, title, actor.id, at, "", ""});
  if (!id) return id.error();
  auto users = store::list_users(**tx);
  if (!users) return users.error();
  json snapshot = json::array();
  std::size_t unused_count = 0;
  for (const auto& u : *users) {
    if (u.status == "deleted") continue;
    auto roles = store::roles_of(**tx, u.id);
    if (!roles) return roles.error();
    std::sort(roles->begin(), roles->end());
    // Never signed in, or not within the configured period: nobody seems to need it.
    bool unused = true;
    if (!u.last_login_at.empty()) {
      auto last = parse_rfc3339(u.last_login_at);
      unused = !last || *last < unused_before;
    }
    unused_count += unused ? 1 : 0;
    store::AccessReviewItem item{*id, u.id, u.username, u.kind, join(*roles, " "), u.last_login_at, unused};
    if (auto s = store::insert_access_review_item(**tx, item); !s) return s.error();
    // The status goes into the audit event: the items table keeps only what the report shows.
    snapshot.push_back({{"username", u.username},
                        {"kind", u.kind},
                        {"status", u.status},
                        {"roles", *roles},
                        {"last_login_at", opt(u.last_login_at)},
                        {"unused", unused}});
  }
  if (auto e = inst_.record(**tx, actor, "access_review.start", "access_review", std::to_string(*id),
                            {{"title", {{"after", title}}},
                             {"accounts", {{"after", snapshot.size()}}},
                             {"unused", {{"after", unused_count}}},
                             {"unused_account_days", {{"after", inst_.config().identity.unused_account_after.count()}}},
                             {"snapshot", {{"after", snapshot}}}});
      !e)
    return e.error();
  auto view = load(**tx, *id);
  if (!view) return view.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return view;
}

Result<std::vector<AccessReviewView>> AccessReviewService::list(const Actor& actor) {
  if (auto s = authorize(actor, Permission::access_review); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto all = store::list_access_reviews(**tx);
  if (!all) return all.error();
  std::vector<AccessReviewView> out;
  for (const auto& r : *all) {
    auto v = load(**tx, r.id);
    if (!v) return v.error();
    v->items.clear();
    out.push_back(std::move(*v));
  }
  return out;
}

Result<AccessReviewView> AccessReviewService::show(const Actor& actor, std::int64_t id) {
  if (auto s = authorize(actor, Permission::access_review); !s) return s.error();
  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  return load(**tx, id);
}

Result<AccessReviewItemView> AccessReviewService::decide(const Actor& actor, std::int64_t id,
                                                         const std::string& username, const std::string& decision,
                                                         const std::string& note) {
  if (auto s = authorize(actor, Permission::access_review); !s) return s.error();
  if (decision != "keep" && decision != "revoke")
    return make_error(ErrorCode::invalid_argument, "the decision is 'keep' or 'revoke'");
  if (note.size() > 1000) return make_error(ErrorCode::invalid_argument, "the note is at most 1000 characters");
  if (decision == "revoke" && note.find_first_not_of(" \t\r\n") == std::string::npos)
    return make_error(ErrorCode::invalid_argument,
                      "say why the access is revoked (a note); it is recorded as the reason for the deactivation");
  const std::string at = format_rfc3339(clock_());
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  if (auto s = lock_campaign(**tx, id); !s) return s.error();
  auto review = store::find_access_review(**tx, id);
  if (!review) return review.error();
  if (!*review) return make_error(ErrorCode::not_found, not_found(id));
  if (!(*review)->closed_at.empty())
    return make_error(ErrorCode::conflict, "access review " + std::to_string(id) + " is closed; start a new one");
  auto items = store::access_review_items(**tx, id);
  if (!items) return items.error();
  auto item = std::find_if(items->begin(), items->end(), [&](const auto& i) { return i.username == username; });
  if (item == items->end())
    return make_error(ErrorCode::not_found, "the account '" + username + "' is not in access review " +
                                                std::to_string(id) +
                                                "; accounts created after it started go into the next one");
  if (actor.user_id != 0 && actor.user_id == item->user_id)
    return make_error(ErrorCode::forbidden, "nobody reviews their own account; another reviewer must decide it");
  if (item->decision == "revoke")
    return make_error(ErrorCode::conflict, "the access of '" + username +
                                               "' was already revoked; reactivating the account goes through "
                                               "an administrator's request and a second approval");
  if (item->decision == decision)
    return make_error(ErrorCode::conflict, "'" + username + "' was already decided: " + decision);

  // Checked before anything is written: revoking must not leave the system without an administrator.
  std::optional<store::UserRecord> account;
  if (decision == "revoke") {
    auto u = store::find_user_by_id(**tx, item->user_id);
    if (!u) return u.error();
    if (*u && (*u)->status != "disabled" && (*u)->status != "deleted") account = **u;
    if (account && account->kind == "admin")
      if (auto s = keep_an_admin(**tx, account->id); !s) return s.error();
  }

  const std::string before = item->decision;
  item->decision = decision;
  item->decided_by = actor.id;
  item->decided_at = at;
  item->note = note;
  if (auto s = store::decide_access_review_item(**tx, *item); !s) return s.error();
  if (auto e = inst_.record(**tx, actor, "access_review." + decision, "access_review", std::to_string(id),
                            {{"username", {{"after", username}}},
                             {"user_id", {{"after", item->user_id}}},
                             {"decision", {{"before", opt(before)}, {"after", decision}}},
                             {"note", {{"after", note}}}});
      !e)
    return e.error();

  if (account) {
    // Takes effect at once, in this transaction: the account is disabled and its sessions end.
    const std::string was = account->status;
    account->status = "disabled";
    account->updated_at = at;
    if (auto s = store::update_user(**tx, *account); !s) return s.error();
    auto revoked = store::revoke_user_sessions(**tx, account->id, at, "access revoked in an access review");
    if (!revoked) return revoked.error();
    if (auto e = inst_.record(**tx, actor, "user.deactivate", "user", std::to_string(account->id),
                              {{"status", {{"before", was}, {"after", "disabled"}}},
                               {"sessions_revoked", {{"after", *revoked}}},
                               {"reason", {{"after", "access review " + std::to_string(id) + ": " + note}}}});
        !e)
      return e.error();
  }
  auto view = load(**tx, id);
  if (!view) return view.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  for (const auto& i : view->items)
    if (i.user_id == item->user_id) return i;
  return make_error(ErrorCode::internal, "the decided item disappeared");
}

Result<AccessReviewView> AccessReviewService::close(const Actor& actor, std::int64_t id) {
  if (auto s = authorize(actor, Permission::access_review); !s) return s.error();
  const std::string at = format_rfc3339(clock_());
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  if (auto s = lock_campaign(**tx, id); !s) return s.error();
  auto view = load(**tx, id);
  if (!view) return view.error();
  if (view->closed())
    return make_error(ErrorCode::conflict, "access review " + std::to_string(id) + " was already closed by " +
                                               view->closed_by_name + " at " + view->closed_at);
  std::vector<std::string> open;
  for (const auto& i : view->items)
    if (i.decision.empty()) open.push_back(i.username);
  if (!open.empty()) {
    std::string names =
        join(std::vector<std::string>(open.begin(), open.begin() + std::min<std::size_t>(open.size(), 5)), ", ");
    if (open.size() > 5) names += ", ...";
    return make_error(ErrorCode::conflict, std::to_string(open.size()) + " account(s) still need a decision (" + names +
                                               "); decide keep or revoke for each, then close");
  }
  if (auto s = store::close_access_review(**tx, id, actor.id, at); !s) return s.error();
  if (auto e = inst_.record(**tx, actor, "access_review.close", "access_review", std::to_string(id),
                            {{"status", {{"before", "open"}, {"after", "closed"}}},
                             {"accounts", {{"after", view->accounts}}},
                             {"kept", {{"after", view->kept}}},
                             {"revoked", {{"after", view->revoked}}}});
      !e)
    return e.error();
  auto closed = load(**tx, id);
  if (!closed) return closed.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return closed;
}

Result<ReportFile> AccessReviewService::report(const Actor& actor, std::int64_t id, ReportFormat format,
                                               const std::string& language) {
  // The report is the evidence for annex req. 54: the customer's auditor may fetch it too.
  if (auto s = authorize(actor, Permission::identity_reports); !s) return s.error();
  if (format == ReportFormat::json)
    return make_error(ErrorCode::invalid_argument,
                      "the access-review report is CSV or PDF; the JSON is the review itself");
  AccessReviewView r;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto v = load(**tx, id);
    if (!v) return v.error();
    r = std::move(*v);
  }
  const bool en = language == "en";
  const Words& w = en ? kEnglish : kSwedish;

  // The CSV has one field per column; the PDF folds them into five columns that fit A4
  // portrait (account and kind, last sign-in and the unused flag, decision, who and when).
  render::Table csv, pdf;
  for (const char* header : {w.col_account, w.col_kind, w.col_roles, w.col_last, w.col_unused, w.col_decision, w.col_by,
                             w.col_at, w.col_note})
    csv.columns.push_back({header});
  pdf.columns = {{w.col_account, 1.2}, {w.col_roles, 1.6}, {w.col_last, 1.1}, {w.col_decision, 1.3}, {w.col_note, 1.8}};
  std::set<std::string> reviewers;
  for (const auto& i : r.items) {
    const char* decision = i.decision == "keep" ? w.keep : i.decision == "revoke" ? w.revoke : w.undecided;
    const char* kind = i.kind == "admin" ? w.admin : w.business;
    csv.rows.push_back({i.username, kind, join(i.roles, ", "), i.last_login_at.empty() ? w.never : i.last_login_at,
                        i.unused ? w.yes : w.no, decision, i.decided_by_name, i.decided_at, i.note});
    std::string last = i.last_login_at.empty() ? w.never : pdf_time(i.last_login_at);
    if (i.unused) last += std::string("\n") + w.unused_flag;
    std::string decided = decision;
    if (!i.decision.empty()) decided += "\n" + i.decided_by_name + "\n" + pdf_time(i.decided_at);
    pdf.rows.push_back({i.username + "\n" + kind, join(i.roles, "\n"), last, decided, i.note});
    if (!i.decided_by_name.empty()) reviewers.insert(i.decided_by_name);
  }

  render::Document doc;
  doc.language = en ? render::Language::en : render::Language::sv;
  doc.title = r.title;
  doc.subtitle = replaced(w.subtitle, "{id}", std::to_string(r.id)) + " (" + (r.closed() ? w.closed : w.open) + ")";
  doc.metadata.period = r.created_at.substr(0, 10) + " – " + (r.closed() ? r.closed_at.substr(0, 10) : "");
  doc.metadata.generated_at = clock_();
  doc.metadata.generated_by = actor.username.empty() ? actor.id : actor.username;
  doc.metadata.report_id = "access-review-" + std::to_string(r.id);
  auto& extra = doc.metadata.extra;
  extra.push_back({w.status, r.closed() ? w.closed : w.open});
  auto one_line = [](std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
  };
  extra.push_back({w.started, one_line(pdf_time(r.created_at)) + " (" + r.created_by_name + ")"});
  if (r.closed()) extra.push_back({w.closed_label, one_line(pdf_time(r.closed_at)) + " (" + r.closed_by_name + ")"});
  extra.push_back({w.reviewers, reviewers.empty() ? "–" : join({reviewers.begin(), reviewers.end()}, ", ")});
  extra.push_back({w.accounts, std::to_string(r.accounts)});
  extra.push_back({w.kept, std::to_string(r.kept)});
  extra.push_back({w.revoked, std::to_string(r.revoked)});
  extra.push_back({w.unused, std::to_string(r.unused)});
  doc.blocks.push_back(render::Paragraph{
      replaced(w.intro, "{days}", std::to_string(inst_.config().identity.unused_account_after.count()))});
  doc.blocks.push_back(render::Heading{1, w.heading});
  doc.blocks.push_back(pdf);
  doc.footer_note = w.footer;
  const std::string stem = doc.metadata.report_id;
  return report_file(std::move(doc), csv, format, stem);
}

}  // namespace tillit::services
