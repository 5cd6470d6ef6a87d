#include "tillit/services/integrity.h"

#include <sstream>

#include "tillit/store/repositories.h"

namespace tillit::services {

Result<IntegrityReport> check_integrity(Installation& inst, const Actor& actor) {
  IntegrityReport report;
  report.checked_at = format_rfc3339(now_utc());
  report.backend = inst.db().backend();
  if (auto tx = inst.db().begin(store::Access::read)) {
    if (auto record = store::load_installation(**tx); record && *record) report.installation_id = (*record)->installation_id;
  }
  auto db = inst.db().integrity_check();
  if (!db) {
    report.database_check = "not run: " + db.error().message;
    report.problems.push_back("database check failed to run: " + db.error().message);
  } else {
    report.database_check = *db;
    if (*db != "ok") report.problems.push_back("database: " + *db);
  }
  auto chain = verify_audit_log(inst, actor);
  if (!chain) {
    report.audit.failure = chain.error().message;
    report.problems.push_back("audit check failed to run: " + chain.error().message);
  } else {
    report.audit = *chain;
    if (!chain->intact) report.problems.push_back("audit log: " + chain->failure);
  }
  // The check itself goes on record: the evidence that integrity is verified regularly.
  if (auto tx = inst.db().begin(store::Access::write)) {
    nlohmann::json changes = {{"result", {{"after", report.ok() ? "ok" : "problems"}}}};
    if (!report.ok()) changes["problems"] = {{"after", report.problems}};
    if (inst.record(**tx, actor, report.ok() ? "integrity.verify" : "integrity.alert", "installation",
                    report.installation_id, changes))
      (void)(*tx)->commit();
  }
  return report;
}

nlohmann::json integrity_report_json(const IntegrityReport& r) {
  return {{"format", "tillit-integrity-report/1"},
          {"installation_id", r.installation_id},
          {"checked_at", r.checked_at},
          {"backend", r.backend},
          {"result", r.ok() ? "ok" : "problems"},
          {"database", {{"check", r.database_check}}},
          {"audit",
           {{"intact", r.audit.intact}, {"events", r.audit.events}, {"head", r.audit.head_hash}, {"failure", r.audit.failure}}},
          {"problems", r.problems}};
}

std::string integrity_report_text(const IntegrityReport& r) {
  std::ostringstream out;
  out << "Installation " << r.installation_id << ", checked " << r.checked_at << " (" << r.backend << ")\n"
      << "  database:    " << r.database_check << "\n"
      << "  audit chain: "
      << (r.audit.intact ? "intact, " + std::to_string(r.audit.events) + " events, head " + r.audit.head_hash
                         : "BROKEN: " + r.audit.failure)
      << "\n";
  if (r.ok()) out << "OK: no problems found\n";
  else {
    out << "FAILED: " << r.problems.size() << " problem(s):\n";
    for (const auto& p : r.problems) out << "  - " << p << "\n";
  }
  return out.str();
}

std::string signed_integrity_report(const Installation& inst, const IntegrityReport& report) {
  const std::string body = integrity_report_json(report).dump();
  const auto signature = crypto::ed25519_sign(inst.signing_key(), body);
  nlohmann::json out = {{"report", integrity_report_json(report)},
                        {"signed_by", crypto::key_fingerprint(crypto::as_chars(inst.signing_key().public_key))},
                        {"signature", crypto::to_base64(crypto::as_chars(signature))}};
  return out.dump() + "\n";
}

Result<nlohmann::json> verify_signed_integrity_report(std::string_view text, std::string_view public_key_pem,
                                                       std::string_view expected_fingerprint) {
  auto key = crypto::ed25519_public_key_from_pem(public_key_pem);
  if (!key) return key.error();
  if (crypto::key_fingerprint(crypto::as_chars(*key)) != expected_fingerprint)
    return make_error(ErrorCode::integrity, "the public key does not have the expected fingerprint");
  try {
    const auto j = nlohmann::json::parse(text);
    const auto signature = crypto::from_base64(j.at("signature").get<std::string>());
    // The signed bytes are the compact dump of the report; nlohmann sorts keys, so parsing
    // and dumping again reproduces them exactly.
    const std::string body = j.at("report").dump();
    if (!signature || !crypto::ed25519_verify(crypto::as_chars(*key), body, crypto::as_chars(*signature)))
      return make_error(ErrorCode::integrity, "the report's signature does not verify: it was altered or signed by another key");
    return j.at("report");
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::integrity, std::string("the report is not readable: ") + e.what());
  }
}

}  // namespace tillit::services
