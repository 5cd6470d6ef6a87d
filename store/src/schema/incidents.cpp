// Schema for outgoing mail and incidents (migration 8).
#include "schema_part.h"

namespace tillit::store::schema {

const Part& incidents_part() {
  static const Part part{
      .migrations = {},
      .tables = {},
      .generated_id_tables = {},
  };
  return part;
}

}  // namespace tillit::store::schema
