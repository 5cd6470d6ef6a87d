// One feature's share of the schema: its migrations and the tables they create. The
// foundation's migrations (1-5) live in migrations.cpp; each later feature keeps its own
// part in this folder, and migrations.cpp joins them in version order.
#pragma once

#include <vector>

namespace tillit::store::schema {

struct Migration {
  int version;
  const char* name;
  std::vector<const char*> statements;
  // Where the dialects cannot share a statement: PostgreSQL's version (used instead of
  // `statements` when not empty). {{serial_pk}} stands for a generated integer key.
  std::vector<const char*> postgresql_statements = {};
};

struct Part {
  std::vector<Migration> migrations;
  std::vector<const char*> tables;               // parents before children
  std::vector<const char*> generated_id_tables;  // tables whose id the database generates
};

const Part& compliance_part();  // requirement assessments, evidence (version 6)
const Part& duties_part();      // recurring duties and their completions (version 7)
const Part& incidents_part();   // outgoing mail, incidents, notices, breaches, alerts (version 8)
const Part& patches_part();     // security updates per asset (version 9)

}  // namespace tillit::store::schema
