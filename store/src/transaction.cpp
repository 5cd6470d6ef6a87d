// Row accessors and the Transaction helpers every back end shares.
#include "tillit/store/database.h"

#include <stdexcept>

namespace tillit::store {

std::int64_t Row::integer(std::size_t i) const {
  const auto& v = columns_.at(i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return std::stoll(*s);
  return 0;
}

double Row::real(std::size_t i) const {
  const auto& v = columns_.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) return std::stod(*s);
  return 0;
}

std::string Row::text(std::size_t i) const {
  const auto& v = columns_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return {};
}

Status Transaction::exec(std::string_view sql, const Params& params) {
  return for_each(sql, params, [](const Row&) { return true; });
}

Result<std::vector<Row>> Transaction::query(std::string_view sql, const Params& params) {
  std::vector<Row> rows;
  auto status = for_each(sql, params, [&](const Row& r) {
    rows.push_back(r);
    return true;
  });
  if (!status) return status.error();
  return rows;
}

}  // namespace tillit::store
