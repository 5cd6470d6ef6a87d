// Schema for data-subject rights (migration 10).
#include "schema_part.h"

namespace tillit::store::schema {

const Part& privacy_part() {
  static const Part part{
      .migrations = {},
      .tables = {},
      .generated_id_tables = {},
  };
  return part;
}

}  // namespace tillit::store::schema
