// Schema for registers (migration 9).
#include "schema_part.h"

namespace tillit::store::schema {

const Part& registers_part() {
  static const Part part{
      .migrations = {},
      .tables = {},
      .generated_id_tables = {},
  };
  return part;
}

}  // namespace tillit::store::schema
