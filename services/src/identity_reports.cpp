#include "tillit/services/identity_reports.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "tillit/crypto/crypto.h"
#include "tillit/render/csv.h"
#include "tillit/render/pdf.h"
#include "tillit/store/identity_repository.h"

namespace tillit::services {

namespace {

using json = nlohmann::json;

json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

// A date alone means midnight UTC at its start; as the end of a period, the whole day.
Result<Timestamp> period_bound(const std::string& text, const char* name, bool end) {
  auto t = parse_rfc3339(text);
  if (!t) return make_error(ErrorCode::invalid_argument, std::string("'") + name + "': " + t.error().message);
  if (end && text.size() == 10) return *t + std::chrono::days(1) - std::chrono::milliseconds(1);
  return *t;
}

// Words the report adds itself, in its language.
struct Words {
  const char* title;
  const char* intro;
  const char* legend;
  const char* at_start;
  const char* changes;
  const char* at_end;
  const char* none;
  const char *col_section, *col_at, *col_account, *col_role, *col_event, *col_requested, *col_approved, *col_request,
      *col_since;
  const char *holds, *granted, *removed;
};

// clang-format off
constexpr Words kSwedish{
    "Privilegierade roller",
    "Redovisning av privilegierade behörighetsroller enligt säkerhetsbilagans krav 24 och 40: vilka konton som "
    "innehade en privilegierad roll när perioden började, varje tilldelning och borttagning under perioden med "
    "vem som begärde och vem som godkände den, och vilka som innehade en sådan roll när perioden slutade.",
    "Privilegierade roller: admin (systemadministratör: konton och konfiguration) och security_manager "
    "(säkerhetsansvarig). Ändringar av dem kräver en andra administratörs godkännande. \"cli\" är den lokala "
    "operatören på servern (kommandoraden).",
    "Vid periodens början",
    "Ändringar under perioden",
    "Vid periodens slut",
    "Inga.",
    "Avsnitt", "Tidpunkt", "Konto", "Roll", "Händelse", "Begärd av", "Godkänd av", "Begäran", "Sedan",
    "innehar", "tilldelad", "borttagen",
};

constexpr Words kEnglish{
    "Privileged roles",
    "Account of the privileged roles under requirements 24 and 40 of the security annex: which accounts held a "
    "privileged role when the period began, every grant and removal within the period with who requested and who "
    "approved it, and which accounts held such a role when the period ended.",
    "Privileged roles: admin (system administrator: accounts and configuration) and security_manager. Changes to "
    "them need a second administrator's approval. \"cli\" is the local operator on the server (command line).",
    "At the start of the period",
    "Changes within the period",
    "At the end of the period",
    "None.",
    "Section", "Time", "Account", "Role", "Event", "Requested by", "Approved by", "Request", "Since",
    "holds", "granted", "removed",
};
// clang-format on

std::string request_text(const std::optional<std::int64_t>& id) { return id ? std::to_string(*id) : ""; }

// The CSV: one table, a section column first, times as stored.
render::Table csv_table(const Words& w) {
  render::Table t;
  for (const char* header : {w.col_section, w.col_at, w.col_account, w.col_role, w.col_event, w.col_requested,
                             w.col_approved, w.col_request})
    t.columns.push_back({header});
  return t;
}

// The PDF: one table per section, sized for A4 portrait (shares of the width, see render/).
render::Table pdf_table(const Words& w, bool changes) {
  render::Table t;
  if (changes) {
    t.columns = {{w.col_at, 1.2}, {w.col_account, 1.0}, {w.col_role, 1.5}, {w.col_event, 1.0}};
  } else {
    t.columns = {{w.col_account, 1.2}, {w.col_role, 1.6}, {w.col_since, 1.2}};
  }
  t.columns.push_back({w.col_requested, 1.1});
  t.columns.push_back({w.col_approved, 1.1});
  t.columns.push_back({w.col_request, 0.9, render::Align::right});
  return t;
}

}  // namespace

Result<ReportFormat> report_format_from_string(std::string_view text, bool json_allowed) {
  if (text == "csv") return ReportFormat::csv;
  if (text == "pdf") return ReportFormat::pdf;
  if (text == "json" && json_allowed) return ReportFormat::json;
  return make_error(ErrorCode::invalid_argument, std::string("unknown report format '") +
                                                     std::string(text.substr(0, 20)) + "'; choose " +
                                                     (json_allowed ? "json, csv or pdf" : "csv or pdf"));
}

Result<std::string> report_language_from_string(std::string_view text) {
  if (text.empty() || text == "sv") return std::string("sv");
  if (text == "en") return std::string("en");
  return make_error(ErrorCode::invalid_argument, "a report's language is 'sv' or 'en'");
}

std::string pdf_time(const std::string& at) {
  if (at.size() < 19 || at[10] != 'T') return at;
  return at.substr(0, 10) + "\n" + at.substr(11, 8) + " UTC";
}

Result<ReportFile> report_file(render::Document doc, const render::Table& table, ReportFormat format,
                               const std::string& stem) {
  // The BOM makes Excel read the file as UTF-8; the default comma separator keeps it RFC 4180.
  const std::string csv = render::render_csv(table, {.byte_order_mark = true});
  const std::string digest = crypto::to_hex(crypto::sha256(csv));
  if (format == ReportFormat::csv) return ReportFile{csv, "text/csv; charset=utf-8", stem + ".csv", digest};
  if (format != ReportFormat::pdf) return make_error(ErrorCode::invalid_argument, "this report is CSV or PDF");
  doc.metadata.data_sha256 = digest;
  auto pdf = render::render_pdf(doc);
  if (!pdf) return pdf.error();
  return ReportFile{std::move(*pdf), "application/pdf", stem + ".pdf", digest};
}

std::string ActorNames::operator()(const std::string& actor_id) {
  if (actor_id.empty()) return "";
  if (auto it = known_.find(actor_id); it != known_.end()) return it->second;
  std::string name = actor_id;
  const auto colon = actor_id.find(':');
  if (colon != std::string::npos) {
    const std::string prefix = actor_id.substr(0, colon);
    std::int64_t id = 0;
    const char* digits = actor_id.data() + colon + 1;
    if (std::from_chars(digits, actor_id.data() + actor_id.size(), id).ec != std::errc{}) id = 0;
    if (prefix == "user" && id > 0) {
      if (auto u = store::find_user_by_id(tx_, id); u && *u) name = (*u)->username;
    } else if (prefix == "token" && id > 0) {
      if (auto t = store::find_api_token(tx_, id); t && *t)
        if (auto u = store::find_user_by_id(tx_, (*t)->user_id); u && *u)
          name = (*u)->username + " (API token " + std::to_string(id) + ")";
    }
  }
  known_[actor_id] = name;
  return name;
}

json to_json(const PrivilegedRolesReport& r) {
  auto holding = [](const PrivilegedHolding& h) {
    return json{{"username", h.username},
                {"role", h.role},
                {"since", h.since},
                {"requested_by", opt(h.requested_by)},
                {"requested_by_name", opt(h.requested_by_name)},
                {"approved_by", opt(h.approved_by)},
                {"approved_by_name", opt(h.approved_by_name)},
                {"request_id", opt(h.request_id)}};
  };
  json start = json::array(), changes = json::array(), end = json::array();
  for (const auto& h : r.at_start) start.push_back(holding(h));
  for (const auto& h : r.at_end) end.push_back(holding(h));
  for (const auto& c : r.changes)
    changes.push_back({{"at", c.at},
                       {"username", c.username},
                       {"role", c.role},
                       {"change", c.change},
                       {"requested_by", opt(c.requested_by)},
                       {"requested_by_name", opt(c.requested_by_name)},
                       {"approved_by", opt(c.approved_by)},
                       {"approved_by_name", opt(c.approved_by_name)},
                       {"request_id", opt(c.request_id)}});
  json roles = json::array();
  for (Role role : all_roles())
    if (is_privileged(role)) roles.push_back(to_string(role));
  return {{"from", r.from},    {"to", r.to},         {"privileged_roles", roles},
          {"at_start", start}, {"changes", changes}, {"at_end", end}};
}

Result<PrivilegedRolesReport> IdentityReportService::privileged_roles(const Actor& actor, const std::string& from,
                                                                      const std::string& to) {
  if (auto s = authorize(actor, Permission::identity_reports); !s) return s.error();
  auto begin = period_bound(from, "from", false);
  if (!begin) return begin.error();
  auto end = period_bound(to, "to", true);
  if (!end) return end.error();
  if (*end < *begin)
    return make_error(ErrorCode::invalid_argument, "the period ends before it begins; swap 'from' and 'to'");
  PrivilegedRolesReport report{format_rfc3339(*begin), format_rfc3339(*end), {}, {}, {}};

  auto tx = inst_.db().begin(store::Access::read);
  if (!tx) return tx.error();
  auto history = store::role_history(**tx, report.to);
  if (!history) return history.error();
  ActorNames names(**tx);

  // Replays the history: who holds which privileged role, keyed by (user name, role) so the
  // lists come out sorted. Stored times are all RFC 3339 UTC with milliseconds, so they
  // compare as text.
  std::map<std::pair<std::string, std::string>, PrivilegedHolding> held;
  auto snapshot = [&] {
    std::vector<PrivilegedHolding> out;
    for (const auto& [key, h] : held) out.push_back(h);
    return out;
  };
  bool started = false;
  for (const auto& c : *history) {
    const auto role = role_from_string(c.role);
    if (!role || !is_privileged(*role)) continue;
    if (!started && c.at >= report.from) {
      report.at_start = snapshot();
      started = true;
    }
    const std::string requested = names(c.requested_by), approved = names(c.approved_by);
    if (started)
      report.changes.push_back(
          {c.at, c.username, c.role, c.change, c.requested_by, c.approved_by, requested, approved, c.request_id});
    if (c.change == "granted")
      held[{c.username, c.role}] = {c.username,    c.role,    c.at,     c.requested_by,
                                    c.approved_by, requested, approved, c.request_id};
    else
      held.erase({c.username, c.role});
  }
  if (!started) report.at_start = snapshot();
  report.at_end = snapshot();
  return report;
}

Result<ReportFile> IdentityReportService::privileged_roles_file(const Actor& actor, const std::string& from,
                                                                const std::string& to, ReportFormat format,
                                                                const std::string& language) {
  auto report = privileged_roles(actor, from, to);
  if (!report) return report.error();
  const std::string stem = "privileged-roles-" + report->from.substr(0, 10) + "-" + report->to.substr(0, 10);
  if (format == ReportFormat::json)
    return ReportFile{to_json(*report).dump(2) + "\n", "application/json", stem + ".json", ""};
  const bool en = language == "en";
  const Words& w = en ? kEnglish : kSwedish;

  // One table with a section column for the CSV; the PDF shows the same rows section by section.
  render::Table csv = csv_table(w);
  render::Table start = pdf_table(w, false), changes = pdf_table(w, true), end = pdf_table(w, false);
  auto holding = [&](const char* section, const PrivilegedHolding& h, render::Table& pdf) {
    csv.rows.push_back({section, h.since, h.username, h.role, w.holds, h.requested_by_name, h.approved_by_name,
                        request_text(h.request_id)});
    pdf.rows.push_back(
        {h.username, h.role, pdf_time(h.since), h.requested_by_name, h.approved_by_name, request_text(h.request_id)});
  };
  for (const auto& h : report->at_start) holding(w.at_start, h, start);
  for (const auto& c : report->changes) {
    const char* event = c.change == "granted" ? w.granted : w.removed;
    csv.rows.push_back({w.changes, c.at, c.username, c.role, event, c.requested_by_name, c.approved_by_name,
                        request_text(c.request_id)});
    changes.rows.push_back({pdf_time(c.at), c.username, c.role, event, c.requested_by_name, c.approved_by_name,
                            request_text(c.request_id)});
  }
  for (const auto& h : report->at_end) holding(w.at_end, h, end);
  const std::pair<const char*, const render::Table*> sections[] = {
      {w.at_start, &start}, {w.changes, &changes}, {w.at_end, &end}};

  render::Document doc;
  doc.language = en ? render::Language::en : render::Language::sv;
  doc.title = w.title;
  doc.subtitle = report->from.substr(0, 10) + " – " + report->to.substr(0, 10);
  doc.metadata.period = report->from + " – " + report->to;
  doc.metadata.generated_at = clock_();
  doc.metadata.generated_by = actor.username.empty() ? actor.id : actor.username;
  doc.metadata.report_id = stem;
  doc.blocks.push_back(render::Paragraph{w.intro});
  doc.blocks.push_back(render::Paragraph{w.legend});
  for (const auto& [section, table] : sections) {
    doc.blocks.push_back(render::Heading{1, section});
    if (table->rows.empty())
      doc.blocks.push_back(render::Paragraph{w.none});
    else
      doc.blocks.push_back(*table);
  }
  return report_file(std::move(doc), csv, format, stem);
}

}  // namespace tillit::services
