#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "tillit/content/catalog_loader.h"
#include "tillit/services/catalog_json.h"

namespace tillit::cli {
namespace {

using nlohmann::json;

// Catalogues come from the installation when --data is given, else the built-in ones only.
Result<std::vector<services::CatalogEntry>> load(const std::string& data_dir) {
  if (data_dir.empty()) {
    std::vector<services::CatalogEntry> out;
    for (const auto& c : content::builtin_catalogs()) out.push_back({c, true, {}, {}, {}});
    return out;
  }
  auto inst = open_installation(data_dir);
  if (!inst) return inst.error();
  return services::CatalogService(**inst).list(services::local_operator());
}

// One CSV cell. A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
// gets a leading apostrophe, so an imported catalogue cannot smuggle formulas into Excel.
std::string csv_field(std::string s) {
  if (!s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos) s.insert(0, "'");
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

json with_catalog(const std::string& catalog, const Requirement& r) {
  json j = services::to_json(r);
  j["catalog"] = catalog;
  return j;
}

}  // namespace

void add_catalog_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("catalog", "List, show and import requirement catalogues");
  cmd->require_subcommand(1);

  auto data_dir = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  auto lang = std::make_shared<std::string>("sv");
  auto catalog_filter = std::make_shared<std::string>();

  auto* list = cmd->add_subcommand("list", "Print the requirements of every catalogue (or of one with --catalog)");
  list->add_option("--data", *data_dir, "Data directory (adds imported catalogues to the built-in ones)");
  list->add_option("--format", *format, "Output format")->check(CLI::IsMember({"table", "json", "csv"}))->capture_default_str();
  list->add_option("--lang", *lang, "Language of titles")->check(CLI::IsMember({"sv", "en"}))->capture_default_str();
  list->add_option("--catalog", *catalog_filter, "Only this catalogue (annex, iso27001-2022, gdpr, ...)");
  list->callback([=, &run] {
    run = [=] {
      auto all = load(*data_dir);
      if (!all) return report(all.error());
      bool found = catalog_filter->empty();
      json items = json::array();
      if (*format == "csv") std::cout << "catalog,id,category,title,maps_to\n";
      for (const auto& e : *all) {
        if (!catalog_filter->empty() && e.catalog.id != *catalog_filter) continue;
        found = true;
        for (const auto& r : e.catalog.requirements) {
          if (*format == "json") {
            items.push_back(with_catalog(e.catalog.id, r));
          } else if (*format == "csv") {
            std::cout << csv_field(e.catalog.id) << ',' << csv_field(r.id) << ',' << csv_field(r.category.in(*lang)) << ','
                      << csv_field(r.title.in(*lang)) << ',' << csv_field(services::mappings_text(r)) << '\n';
          } else {
            std::cout << std::left << std::setw(16) << e.catalog.id << std::setw(8) << r.id << r.title.in(*lang) << '\n';
          }
        }
      }
      if (!found)
        return report(make_error(ErrorCode::not_found, "no catalogue '" + *catalog_filter + "'"));
      if (*format == "json") std::cout << items.dump(2) << '\n';
      return 0;
    };
  });

  auto id = std::make_shared<std::string>();
  auto* show = cmd->add_subcommand("show", "Show one requirement: text, category, mappings and recurring duties");
  show->add_option("ID", *id, "Requirement id (K14) or CATALOG:ID (iso27001-2022:A.8.8)")->required();
  show->add_option("--data", *data_dir, "Data directory (to reach imported catalogues)");
  show->add_option("--format", *format, "Output format")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  show->add_option("--lang", *lang, "Language")->check(CLI::IsMember({"sv", "en"}))->capture_default_str();
  show->callback([=, &run] {
    run = [=] {
      auto all = load(*data_dir);
      if (!all) return report(all.error());
      std::vector<const Catalog*> catalogs;
      for (const auto& e : *all) catalogs.push_back(&e.catalog);
      auto ref = resolve_requirement(catalogs, *id);
      if (!ref) return report(ref.error());
      const Catalog& catalog = *catalogs[ref->catalog_index];
      const Requirement* r = ref->requirement;
      if (*format == "json") {
        std::cout << with_catalog(catalog.id, *r).dump(2) << '\n';
        return 0;
      }
      std::cout << catalog.id << ":" << r->id << "  " << r->title.in(*lang) << "\n";
      if (!r->category.in(*lang).empty()) std::cout << "Category: " << r->category.in(*lang) << "\n";
      if (!r->text.in(*lang).empty()) std::cout << "\n" << r->text.in(*lang) << "\n";
      if (!r->maps_to.empty()) std::cout << "\nMaps to: " << services::mappings_text(*r) << "\n";
      for (const auto& d : r->duties) std::cout << "Duty: " << d.title.in(*lang) << " (" << format_period(d.every) << ")\n";
      return 0;
    };
  });

  auto file = std::make_shared<std::string>();
  auto* import = cmd->add_subcommand("import", "Load a catalogue file (format tillit-catalog/1, see content/README.md)");
  import->add_option("FILE", *file, "YAML catalogue file")->required()->check(CLI::ExistingFile);
  import->add_option("--data", *data_dir, "Data directory")->required();
  import->callback([=, &run] {
    run = [=] {
      std::ifstream in(*file, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) return report(make_error(ErrorCode::unavailable, "cannot read '" + *file + "'"));
      auto inst = open_installation(*data_dir);
      if (!inst) return report(inst.error());
      auto imported = services::CatalogService(**inst).import(services::local_operator(), text.str());
      if (!imported) {
        auto e = imported.error();
        e.message = *file + ": " + e.message;
        return report(e);
      }
      std::cout << "Imported catalogue '" << imported->catalog.id << "' with " << imported->catalog.requirements.size()
                << " requirements (sha256 " << imported->sha256 << ")\n";
      return 0;
    };
  });
}

}  // namespace tillit::cli
