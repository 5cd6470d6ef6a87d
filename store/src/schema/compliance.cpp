// Schema for requirement assessments and evidence (migration 6).
#include "schema_part.h"

namespace tillit::store::schema {

const Part& compliance_part() {
  static const Part part{
      .migrations = {},
      .tables = {},
      .generated_id_tables = {},
  };
  return part;
}

}  // namespace tillit::store::schema
