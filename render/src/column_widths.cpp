#include "column_widths.h"

#include <algorithm>
#include <numeric>

namespace tillit::render::detail {
namespace {

// A column narrower than this is unreadable; words are broken instead.
constexpr double minimum_column_width = 24;

std::vector<double> scaled(const std::vector<double>& weights, double total_width) {
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> widths;
  for (double w : weights) widths.push_back(sum > 0 ? total_width * w / sum : total_width / weights.size());
  return widths;
}

std::vector<double> from_hints(const std::vector<ColumnNeed>& needs, double total_width) {
  double hinted_sum = 0;
  int hinted = 0;
  for (const auto& need : needs)
    if (need.hint > 0) hinted_sum += need.hint, ++hinted;
  const double average = hinted_sum / hinted;
  std::vector<double> weights;
  for (const auto& need : needs) weights.push_back(need.hint > 0 ? need.hint : average);
  return scaled(weights, total_width);
}

// When even the longest words do not fit, the columns with long words share what the
// others leave: every column gets its minimum up to a common cap, the cap chosen so the
// widths fill the table. A narrow column (an id, a score) keeps its room, and only the
// columns that must break words anyway are narrowed.
std::vector<double> capped(const std::vector<double>& minimum, double total_width) {
  std::vector<double> sorted = minimum;
  std::sort(sorted.begin(), sorted.end());
  double remaining = total_width;
  std::size_t left = sorted.size();
  double cap = 0;
  for (double width : sorted) {
    cap = remaining / static_cast<double>(left);
    if (width > cap) break;
    remaining -= width;
    --left;
  }
  std::vector<double> widths;
  for (double width : minimum) widths.push_back(std::min(width, cap));
  return widths;
}

}  // namespace

std::vector<double> column_widths(const std::vector<ColumnNeed>& needs, double total_width, double padding) {
  if (needs.empty()) return {};
  if (std::any_of(needs.begin(), needs.end(), [](const ColumnNeed& n) { return n.hint > 0; }))
    return from_hints(needs, total_width);

  std::vector<double> minimum, natural;
  for (const auto& need : needs) {
    const double min_width = std::clamp(need.widest_word + padding, minimum_column_width, total_width);
    minimum.push_back(min_width);
    natural.push_back(std::max(need.widest_line + padding, min_width));
  }
  const double minimum_sum = std::accumulate(minimum.begin(), minimum.end(), 0.0);
  const double natural_sum = std::accumulate(natural.begin(), natural.end(), 0.0);
  if (natural_sum <= total_width) return scaled(natural, total_width);
  if (minimum_sum >= total_width) return capped(minimum, total_width);

  const double spare = total_width - minimum_sum;
  const double wanted = natural_sum - minimum_sum;
  std::vector<double> widths;
  for (std::size_t i = 0; i < needs.size(); ++i) widths.push_back(minimum[i] + spare * (natural[i] - minimum[i]) / wanted);
  return widths;
}

}  // namespace tillit::render::detail
