// The compliance report and the Statement of Applicability end to end: `tillit report
// compliance|soa` writes the files, the PDF read back with pdftotext (poppler-utils) holds
// every annex requirement number, Swedish letters and page numbers, the CSV parses with one
// record per requirement, and over HTTPS the customer's auditor fetches every format, the
// JSON lists every requirement and the OSCAL document validates against NIST's schema
// (tests/fixtures/oscal/, with Ajv from tests/oscal-validator/).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "process.h"
#include "test_database.h"
#include "web_session.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tillit::testing::run_command;
using tillit::testing::WebSession;

namespace {

bool have(const char* tool) { return run_command({"/bin/sh", "-c", std::string("command -v ") + tool}).exit_code == 0; }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// The annex's requirement ids, read from the catalogue the binary embeds.
std::vector<std::string> annex_ids() {
  auto r = run_command({TILLIT_BINARY, "catalog", "list", "--catalog", "annex", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> ids;
  auto j = json::parse(r.out, nullptr, false);
  const json& items = j.is_object() && j.contains("items") ? j["items"] : j;
  for (const auto& req : items) ids.push_back(req["id"]);
  return ids;
}

// RFC 4180 records (quoted fields may hold commas, quotes and line breaks).
std::vector<std::vector<std::string>> parse_csv(std::string text) {
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    auto& field = records.back().back();
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().emplace_back();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      records.emplace_back(1);
    } else {
      field += c;
    }
  }
  if (records.back().size() == 1 && records.back()[0].empty()) records.pop_back();
  return records;
}

class ComplianceReportIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (tillit::testing::postgresql_unavailable()) return;
    dir_ = fs::temp_directory_path() / ("tillit-compliance-report-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    std::vector<std::string> init_args{TILLIT_BINARY, "init", "--data", dir_.string()};
    if (const auto url = tillit::testing::fresh_database_url(); !url.empty())
      init_args.insert(init_args.end(), {"--database", url});
    auto init = run_command(init_args);
    ASSERT_EQ(init.exit_code, 0) << init.err;
    server_ = new tillit::testing::ServerProcess(
        {TILLIT_BINARY, "serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
    std::smatch m;
    const std::string line = server_->first_line();
    ASSERT_TRUE(std::regex_search(line, m, std::regex("listening on https://127\\.0\\.0\\.1:([0-9]+)/"))) << line;
    auto account = tillit::testing::create_account(dir_, "revisor", {"auditor"});
    auditor_ = new WebSession(static_cast<unsigned short>(std::stoi(m[1])));
    ASSERT_EQ(tillit::testing::first_sign_in(*auditor_, account), "");
  }
  static void TearDownTestSuite() {
    delete auditor_;
    auditor_ = nullptr;
    delete server_;
    server_ = nullptr;
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { TILLIT_SKIP_WITHOUT_DATABASE(); }

  static tillit::testing::CommandResult report(const std::vector<std::string>& args) {
    std::vector<std::string> argv{TILLIT_BINARY, "report"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--data", dir_.string()});
    return run_command(argv);
  }

  static inline fs::path dir_;
  static inline tillit::testing::ServerProcess* server_ = nullptr;
  static inline WebSession* auditor_ = nullptr;
};

}  // namespace

TEST_F(ComplianceReportIntegration, PdfHoldsEveryRequirementNumberSwedishLettersAndPageNumbers) {
  if (!have("pdftotext")) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed: bash scripts/setup.sh --test";
  const fs::path pdf = dir_ / "compliance.pdf";
  auto r = report({"compliance", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "pdf", "--out", pdf.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fs::status(pdf).permissions() & fs::perms::others_read, fs::perms::none);
  auto text = run_command({"pdftotext", "-layout", pdf.string(), "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const auto ids = annex_ids();
  ASSERT_GE(ids.size(), 54u);
  for (const auto& id : ids) {
    // As a whole token: "K1" must not be satisfied by "K10".
    const std::regex token("(^|[^A-Za-z0-9-])" + id + "($|[^0-9])");
    EXPECT_TRUE(std::regex_search(text.out, token)) << id << " is missing from the PDF";
  }
  for (const char* swedish : {"Efterlevnadsrapport", "Åtskillnad", "säkerhetsbilagan", "Granskningsloggens huvud"})
    EXPECT_NE(text.out.find(swedish), std::string::npos) << swedish;
  EXPECT_NE(text.out.find("Sida 1 av"), std::string::npos);
}

TEST_F(ComplianceReportIntegration, CsvParsesWithOneRecordPerRequirement) {
  auto r = report({"compliance", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "csv", "--lang", "en"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto records = parse_csv(r.out);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0][0], "Section");
  EXPECT_EQ(records[0][1], "Requirement");
  std::set<std::string> seen;
  for (std::size_t i = 1; i < records.size(); ++i) {
    ASSERT_EQ(records[i].size(), records[0].size()) << "record " << i;
    if (records[i][0] == "requirement") {
      seen.insert(records[i][1]);
      EXPECT_EQ(records[i][4], "not assessed");
    }
  }
  const auto ids = annex_ids();
  EXPECT_EQ(seen, std::set<std::string>(ids.begin(), ids.end()));
}

TEST_F(ComplianceReportIntegration, SoaListsEveryAnnexAControl) {
  auto csv = report({"soa", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto records = parse_csv(csv.out);
  ASSERT_EQ(records.size(), 94u);  // the header and the 93 controls
  EXPECT_EQ(records[1][0], "A.5.1");
  auto bad = report({"soa", "--format", "html"});
  EXPECT_EQ(bad.exit_code, 2);  // usage: the SoA is pdf or csv
}

TEST_F(ComplianceReportIntegration, TheAuditorFetchesEveryFormatOverHttps) {
  const std::string base = "/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31&format=";
  auto j = auditor_->get(base + "json");
  ASSERT_EQ(j.status, 200) << j.body;
  auto report_json = json::parse(j.body, nullptr, false);
  ASSERT_TRUE(report_json.is_object());
  EXPECT_EQ(report_json["requirements"].size(), annex_ids().size());
  EXPECT_GT(report_json["audit_head"]["seq"].get<int>(), 0);
  EXPECT_EQ(report_json["generated_by"], "revisor");

  const std::pair<const char*, const char*> formats[] = {
      {"pdf", "application/pdf"}, {"html", "text/html; charset=utf-8"}, {"csv", "text/csv; charset=utf-8"}};
  for (const auto& [format, type] : formats) {
    auto r = auditor_->get(base + format);
    ASSERT_EQ(r.status, 200) << format << ": " << r.body;
    EXPECT_EQ(r.header("Content-Type").value_or(""), type);
    EXPECT_NE(r.header("Content-Disposition").value_or("").find("compliance-annex-2026-01-01-2026-12-31."),
              std::string::npos);
  }
  for (const char* format : {"pdf", "csv"}) EXPECT_EQ(auditor_->get(std::string("/api/v1/reports/soa?format=") + format).status, 200);

  auto bad = auditor_->get("/api/v1/reports/compliance?from=2026-12-31&to=2026-01-01&format=pdf");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("swap"), std::string::npos);
  EXPECT_EQ(auditor_->get("/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31&format=docx").status, 400);

  auto page = auditor_->get("/reports");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("/api/v1/reports/compliance"), std::string::npos);
}

TEST_F(ComplianceReportIntegration, OscalValidatesAgainstNistSchema) {
  const fs::path validator = fs::path(TILLIT_SOURCE_DIR) / "tests/oscal-validator";
  if (!fs::exists(validator / "node_modules/ajv") || !have("node"))
    GTEST_SKIP() << "Ajv is not installed: bash scripts/setup.sh --test";
  auto r = auditor_->get("/api/v1/reports/compliance?from=2026-01-01&to=2026-12-31&format=oscal");
  ASSERT_EQ(r.status, 200) << r.body;
  const fs::path doc = dir_ / "assessment-results.json";
  std::ofstream(doc, std::ios::binary) << r.body;
  auto check = run_command({"node", (validator / "validate.mjs").string(),
                            (fs::path(TILLIT_SOURCE_DIR) / "tests/fixtures/oscal/oscal_assessment-results_schema.json").string(),
                            doc.string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // Every requirement is a finding, each object has its own UUID.
  auto j = json::parse(r.body);
  const auto& result = j["assessment-results"]["results"][0];
  EXPECT_EQ(result["findings"].size(), annex_ids().size());
  EXPECT_NE(j["assessment-results"]["uuid"], result["uuid"]);
}
