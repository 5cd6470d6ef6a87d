// Schema for recurring duties (migration 7).
#include "schema_part.h"

namespace tillit::store::schema {

const Part& duties_part() {
  static const Part part{
      .migrations = {},
      .tables = {},
      .generated_id_tables = {},
  };
  return part;
}

}  // namespace tillit::store::schema
