#include "sample_reports.h"

#include <cstdio>

namespace tillit::render::testing {

Timestamp report_time() { return parse_rfc3339("2026-01-15T10:30:00Z").value(); }

Table account_table(std::size_t rows) {
  Table table;
  table.columns = {{"Användare"}, {"Namn"}, {"Roll"}, {"Beslut"}, {"Granskad av"}};
  for (std::size_t i = 1; i <= rows; ++i) {
    char user[32];
    std::snprintf(user, sizeof user, "anv-%05zu", i);
    table.rows.push_back({user, "Åsa Öberg-Ärlig " + std::to_string(i), "Läsbehörighet ≥ nivå 2",
                          i % 7 == 0 ? "Tas bort – ej längre anställd" : "Behålls – godkänd", "Säkerhetschef"});
  }
  return table;
}

Document access_review(std::size_t rows, Language language) {
  Document d;
  d.language = language;
  d.title = "Åtkomstgranskning kvartal 1";
  d.subtitle = "Behörigheter i ärendesystemet";
  d.metadata.organisation = "Leverantören AB";
  d.metadata.period = "2026-01-01 – 2026-03-31";
  d.metadata.generated_at = report_time();
  d.metadata.generated_by = "säkerhetschef@leverantoren.se";
  d.metadata.report_id = "RPT-2026-0001";
  d.metadata.data_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  d.footer_note = "Klassificering: Begränsad delning. Utlämnas endast till den upphandlande myndigheten.";
  d.blocks.push_back(Heading{1, "Sammanfattning"});
  d.blocks.push_back(Paragraph{"Granskningen omfattar alla konton med åtkomst till kundens information. "
                               "Behörigheter som inte längre behövs tas bort inom fem arbetsdagar."});
  d.blocks.push_back(KeyValueList{{{"Granskade konton", std::to_string(rows)}, {"Avvikelser", "Inga"}}});
  d.blocks.push_back(Heading{2, "Konton"});
  d.blocks.push_back(account_table(rows));
  return d;
}

}  // namespace tillit::render::testing
