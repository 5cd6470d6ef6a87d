// tillit assess and tillit evidence: requirement assessments and evidence files, as the local
// operator. The rules are the services' (services/assessments.h, services/evidence.h). Files
// are streamed from and to disk, so evidence of any size up to evidence_max_mb goes through
// without being held in memory.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tillit/services/assessments.h"
#include "tillit/services/evidence.h"

namespace tillit::cli {
namespace {

using nlohmann::json;
using services::AssessmentService;
using services::EvidenceService;
namespace fs = std::filesystem;

int print(const json& j) {
  std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}

// Bad input is a usage error (exit 2), everything else a runtime failure.
int fail(const Error& e) { return e.code == ErrorCode::invalid_argument ? report_usage(e) : report(e); }

struct AssessListArgs {
  std::string data_dir, catalog = "annex", status, format = "table", lang = "sv";
  bool overdue = false;
};

int run_assess_list(const AssessListArgs& a) {
  if (a.format != "table" && a.format != "json")
    return report_usage(make_error(ErrorCode::invalid_argument, "--format must be table or json"));
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  auto list = AssessmentService(**inst).list(services::local_operator(), {a.catalog, a.status, a.overdue, a.lang});
  if (!list) return fail(list.error());
  if (a.format == "json") {
    json out = json::array();
    for (const auto& v : *list) out.push_back(services::to_json(v, false));
    return print(out);
  }
  std::cout << std::left << std::setw(12) << "REQUIREMENT" << std::setw(16) << "STATUS" << std::setw(10) << "EVIDENCE"
            << std::setw(14) << "DEVIATION" << std::setw(13) << "NEXT REVIEW" << "OWNER\n";
  for (const auto& v : *list) {
    const auto& as = v.assessment;
    std::cout << std::setw(12) << v.requirement_id << std::setw(16) << as.status << std::setw(10)
              << (v.has_current_evidence ? "yes" : "-") << std::setw(14)
              << (as.deviation_due.empty() ? "-" : as.deviation_due + (v.deviation_overdue ? "!" : "")) << std::setw(13)
              << (as.next_review.empty() ? "-" : as.next_review) << as.owner << "\n";
  }
  std::cout << list->size() << " requirements\n";
  return 0;
}

struct AssessSetArgs {
  std::string data_dir, reference;
  std::optional<std::string> status, owner, how_met, justification, deviation, deviation_due, next_review;
  std::vector<std::string> links;
  bool clear_links = false;
};

int run_assess_set(const AssessSetArgs& a) {
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  AssessmentService service(**inst);
  const auto actor = services::local_operator();
  auto current = service.get(actor, a.reference);
  if (!current) return fail(current.error());
  // Options left out keep their value.
  Assessment next = current->assessment;
  for (auto [option, field] : {std::pair{&a.status, &next.status}, std::pair{&a.owner, &next.owner},
                               std::pair{&a.how_met, &next.how_met}, std::pair{&a.justification, &next.justification},
                               std::pair{&a.deviation, &next.deviation}, std::pair{&a.deviation_due, &next.deviation_due},
                               std::pair{&a.next_review, &next.next_review}})
    if (*option) *field = **option;
  if (a.clear_links) next.links.clear();
  for (const auto& link : a.links) {
    const auto colon = link.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == link.size())
      return report_usage(make_error(ErrorCode::invalid_argument,
                                     "--link: '" + link + "' must be TYPE:ID, such as requirement:iso27001-2022:A.5.1"));
    next.links.push_back({link.substr(0, colon), link.substr(colon + 1)});
  }
  auto saved = service.set(actor, a.reference, next);
  return saved ? print(services::to_json(*saved, true)) : fail(saved.error());
}

// Reads a file piece by piece for the evidence service.
class FileSource {
 public:
  explicit FileSource(const fs::path& path) : in_(path, std::ios::binary) {}
  bool is_open() const { return in_.is_open(); }
  services::ByteSource source() {
    return [this](char* buffer, std::size_t capacity) -> Result<std::size_t> {
      in_.read(buffer, static_cast<std::streamsize>(capacity));
      if (in_.bad()) return make_error(ErrorCode::unavailable, "file: reading failed");
      return static_cast<std::size_t>(in_.gcount());
    };
  }

 private:
  std::ifstream in_;
};

struct EvidenceAddArgs {
  std::string data_dir, file, title, description, valid_until, media_type, file_name;
  std::vector<std::string> requirements;
};

Result<FileSource*> open_source(const std::string& file, std::unique_ptr<FileSource>& holder) {
  if (!fs::is_regular_file(file))
    return make_error(ErrorCode::invalid_argument, "--file: '" + file + "' is not a readable file");
  holder = std::make_unique<FileSource>(file);
  if (!holder->is_open()) return make_error(ErrorCode::invalid_argument, "--file: cannot open '" + file + "'");
  return holder.get();
}

int run_evidence_add(const EvidenceAddArgs& a) {
  std::unique_ptr<FileSource> holder;
  auto source = open_source(a.file, holder);
  if (!source) return report_usage(source.error());
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  services::NewEvidence e{a.title, a.description, a.valid_until, a.requirements,
                          {a.file_name.empty() ? fs::path(a.file).filename().string() : a.file_name, a.media_type}};
  auto added = EvidenceService(**inst).add(services::local_operator(), e, (*source)->source());
  return added ? print(services::to_json(*added, true)) : fail(added.error());
}

struct EvidenceVersionArgs {
  std::string data_dir, file, media_type, file_name;
  std::optional<std::string> valid_until;
  std::int64_t id = 0;
};

int run_evidence_version(const EvidenceVersionArgs& a) {
  std::unique_ptr<FileSource> holder;
  auto source = open_source(a.file, holder);
  if (!source) return report_usage(source.error());
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  auto added = EvidenceService(**inst).add_version(
      services::local_operator(), a.id,
      {a.file_name.empty() ? fs::path(a.file).filename().string() : a.file_name, a.media_type}, (*source)->source(),
      a.valid_until);
  return added ? print(services::to_json(*added, true)) : fail(added.error());
}

struct EvidenceGetArgs {
  std::string data_dir, out;
  std::int64_t id = 0, version = 0;
};

// Writes the verified content under a hidden name beside --out (mode 0600: evidence may be
// confidential) and renames it into place only when complete.
int run_evidence_get(const EvidenceGetArgs& a) {
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  EvidenceService service(**inst);
  if (a.out.empty()) {
    auto v = service.get(services::local_operator(), a.id);
    return v ? print(services::to_json(*v, true)) : fail(v.error());
  }
  const fs::path out(a.out);
  const fs::path partial = out.parent_path() / ("." + out.filename().string() + ".part");
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return report(make_error(ErrorCode::unavailable, "--out: cannot write '" + partial.string() + "'"));
  auto got = service.download(services::local_operator(), a.id, a.version, [fd](std::string_view bytes) -> Status {
    while (!bytes.empty()) {
      const auto n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0) return make_error(ErrorCode::unavailable, "--out: writing failed");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  });
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (!got || !synced) {
    fs::remove(partial, ec);
    return got ? report(make_error(ErrorCode::unavailable, "--out: writing failed")) : fail(got.error());
  }
  fs::rename(partial, out, ec);
  if (ec) return report(make_error(ErrorCode::unavailable, "--out: cannot rename into place: " + ec.message()));
  std::cout << "wrote " << out.string() << " (" << got->file_name << ", version " << got->version << ", "
            << got->size_bytes << " bytes, SHA-256 " << got->sha256 << ", verified)\n";
  return 0;
}

struct EvidenceLinkArgs {
  std::string data_dir, requirement, type, target;
  std::int64_t id = 0;
  bool remove = false;
};

int run_evidence_link(const EvidenceLinkArgs& a) {
  if (a.requirement.empty() == (a.type.empty() && a.target.empty()))
    return report_usage(make_error(ErrorCode::invalid_argument, "give either --requirement REF or --type KIND --target ID"));
  auto inst = open_installation(a.data_dir);
  if (!inst) return report(inst.error());
  const std::string type = a.requirement.empty() ? a.type : "requirement";
  const std::string target = a.requirement.empty() ? a.target : a.requirement;
  EvidenceService service(**inst);
  auto v = a.remove ? service.unlink(services::local_operator(), a.id, type, target)
                    : service.link(services::local_operator(), a.id, type, target);
  return v ? print(services::to_json(*v, true)) : fail(v.error());
}

}  // namespace

void add_assess_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("assess", "Requirement assessments: list, show, set");
  cmd->require_subcommand(1);

  auto list = std::make_shared<AssessListArgs>();
  auto* ls = cmd->add_subcommand("list", "Every requirement of a catalogue with its status");
  ls->add_option("--data", list->data_dir, "Data directory")->required();
  ls->add_option("--catalog", list->catalog, "Catalogue id (default annex)");
  ls->add_option("--status", list->status, "Only not_assessed, not_met, partly_met, met or not_applicable");
  ls->add_flag("--overdue", list->overdue, "Only requirements whose deviation is past its planned date");
  ls->add_option("--format", list->format, "table (default) or json");
  ls->add_option("--lang", list->lang, "sv (default) or en, for titles");
  ls->callback([list, &run] { run = [list] { return run_assess_list(*list); }; });

  auto show_args = std::make_shared<std::pair<std::string, std::string>>();
  auto* show = cmd->add_subcommand("show", "One requirement's assessment with its evidence and history, as JSON");
  show->add_option("REQUIREMENT", show_args->second, "K14, or CATALOG:ID such as iso27001-2022:A.5.1")->required();
  show->add_option("--data", show_args->first, "Data directory")->required();
  show->callback([show_args, &run] {
    run = [show_args] {
      auto inst = open_installation(show_args->first);
      if (!inst) return report(inst.error());
      auto v = AssessmentService(**inst).get(services::local_operator(), show_args->second);
      return v ? print(services::to_json(*v, true)) : fail(v.error());
    };
  });

  auto set_args = std::make_shared<AssessSetArgs>();
  auto* set = cmd->add_subcommand("set", "Change a requirement's assessment (options left out keep their value)");
  set->add_option("REQUIREMENT", set_args->reference, "K14, or CATALOG:ID")->required();
  set->add_option("--data", set_args->data_dir, "Data directory")->required();
  set->add_option("--status", set_args->status, "not_assessed, not_met, partly_met, met or not_applicable");
  set->add_option("--owner", set_args->owner, "Who answers for the requirement");
  set->add_option("--how-met", set_args->how_met, "How the requirement is met");
  set->add_option("--justification", set_args->justification, "Why it does not apply (needed for not_applicable)");
  set->add_option("--deviation", set_args->deviation, "What deviates ('' to clear)");
  set->add_option("--deviation-due", set_args->deviation_due, "YYYY-MM-DD the deviation is planned to be closed");
  set->add_option("--next-review", set_args->next_review, "YYYY-MM-DD of the next review");
  set->add_option("--link", set_args->links, "TYPE:ID of a control, policy or record (repeatable)");
  set->add_flag("--clear-links", set_args->clear_links, "Remove the links stored so far first");
  set->callback([set_args, &run] { run = [set_args] { return run_assess_set(*set_args); }; });
}

void add_evidence_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("evidence", "Evidence files: add, version, list, get, link");
  cmd->require_subcommand(1);

  auto add = std::make_shared<EvidenceAddArgs>();
  auto* a = cmd->add_subcommand("add", "Upload a file as new evidence (encrypted in the database)");
  a->add_option("--data", add->data_dir, "Data directory")->required();
  a->add_option("--file", add->file, "The file")->required();
  a->add_option("--title", add->title, "What the evidence shows")->required();
  a->add_option("--description", add->description, "More about it");
  a->add_option("--requirement", add->requirements, "Link to this requirement, K14 or CATALOG:ID (repeatable)");
  a->add_option("--valid-until", add->valid_until, "YYYY-MM-DD after which it no longer counts as current");
  a->add_option("--media-type", add->media_type, "Such as application/pdf");
  a->add_option("--name", add->file_name, "File name to keep (default: the file's own)");
  a->callback([add, &run] { run = [add] { return run_evidence_add(*add); }; });

  auto version = std::make_shared<EvidenceVersionArgs>();
  auto* v = cmd->add_subcommand("version", "Upload a new version of evidence ID (older versions are kept)");
  v->add_option("ID", version->id, "Evidence id")->required();
  v->add_option("--data", version->data_dir, "Data directory")->required();
  v->add_option("--file", version->file, "The file")->required();
  v->add_option("--valid-until", version->valid_until, "New validity end date YYYY-MM-DD ('' for none)");
  v->add_option("--media-type", version->media_type, "Such as application/pdf");
  v->add_option("--name", version->file_name, "File name to keep (default: the file's own)");
  v->callback([version, &run] { run = [version] { return run_evidence_version(*version); }; });

  auto list_dir = std::make_shared<std::string>();
  auto* ls = cmd->add_subcommand("list", "Evidence, newest first");
  ls->add_option("--data", *list_dir, "Data directory")->required();
  ls->callback([list_dir, &run] {
    run = [list_dir] {
      auto inst = open_installation(*list_dir);
      if (!inst) return report(inst.error());
      std::int64_t total = 0;
      auto list = EvidenceService(**inst).list(services::local_operator(), 1, 500, &total);
      if (!list) return fail(list.error());
      std::cout << std::left << std::setw(6) << "ID" << std::setw(9) << "VERSION" << std::setw(13) << "VALID UNTIL"
                << std::setw(9) << "CURRENT" << std::setw(66) << "SHA-256" << "TITLE\n";
      for (const auto& e : *list)
        std::cout << std::setw(6) << e.record.id << std::setw(9) << (e.latest ? e.latest->version : 0) << std::setw(13)
                  << (e.record.valid_until.empty() ? "-" : e.record.valid_until) << std::setw(9)
                  << (e.current ? "yes" : "no") << std::setw(66) << (e.latest ? e.latest->sha256 : "-")
                  << e.record.title << "\n";
      std::cout << list->size() << " of " << total << " pieces of evidence\n";
      return 0;
    };
  });

  auto get = std::make_shared<EvidenceGetArgs>();
  auto* g = cmd->add_subcommand("get", "Show evidence ID as JSON, or with --out download it (verified against its SHA-256)");
  g->add_option("ID", get->id, "Evidence id")->required();
  g->add_option("--data", get->data_dir, "Data directory")->required();
  g->add_option("--out", get->out, "Write the content to this file");
  g->add_option("--version", get->version, "Version number (default: the newest)");
  g->callback([get, &run] { run = [get] { return run_evidence_get(*get); }; });

  auto link = std::make_shared<EvidenceLinkArgs>();
  auto* l = cmd->add_subcommand("link", "Link evidence ID to a requirement or another record (--remove: unlink)");
  l->add_option("ID", link->id, "Evidence id")->required();
  l->add_option("--data", link->data_dir, "Data directory")->required();
  l->add_option("--requirement", link->requirement, "K14 or CATALOG:ID");
  l->add_option("--type", link->type, "risk, incident, duty, duty_completion, change, asset, supplier, policy, finding");
  l->add_option("--target", link->target, "The record's id");
  l->add_flag("--remove", link->remove, "Remove the link instead");
  l->callback([link, &run] { run = [link] { return run_evidence_link(*link); }; });
}

}  // namespace tillit::cli
