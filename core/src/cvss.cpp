// CVSS entry point: version dispatch, the shared METRIC:VALUE parser, severity bands, and the
// v2 base score (v2 is read for display only; see cvss.h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

#include "cvss_vector.h"

namespace tillit {
namespace cvss_detail {
namespace {

// User text quoted in messages, cut so that a garbage vector cannot make a huge message.
std::string shown(std::string_view text) {
  constexpr std::size_t kMax = 40;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

// "N, A, L or P"
std::string value_list(const MetricSpec& spec) {
  std::vector<std::string_view> values;
  for (auto v : spec.values)
    if (!v.empty()) values.push_back(v);
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += i + 1 == values.size() ? " or " : ", ";
    out += values[i];
  }
  return out;
}

int value_index(const MetricSpec& spec, std::string_view value) {
  for (std::size_t i = 0; i < spec.values.size(); ++i)
    if (!spec.values[i].empty() && spec.values[i] == value) return static_cast<int>(i);
  return kAbsent;
}

Result<CvssScore> score_cvss2(std::string_view body);

}  // namespace

Result<MetricChoice> parse_metrics(std::string_view body, std::span<const MetricSpec> specs,
                                   std::string_view version_label) {
  MetricChoice choice(specs.size(), kAbsent);
  if (!body.empty()) {
    std::size_t start = 0;
    while (true) {
      const auto slash = body.find('/', start);
      const auto field = body.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
      if (field.empty())
        return make_error(ErrorCode::invalid_argument,
                          "the vector has an empty metric (two '/' in a row, or a '/' at the end)");
      const auto colon = field.find(':');
      if (colon == std::string_view::npos)
        return make_error(ErrorCode::invalid_argument, "'" + shown(field) + "' is not a METRIC:VALUE pair");
      const auto key = field.substr(0, colon);
      const auto value = field.substr(colon + 1);
      std::size_t metric = 0;
      while (metric < specs.size() && specs[metric].key != key) ++metric;
      if (metric == specs.size())
        return make_error(ErrorCode::invalid_argument,
                          "unknown metric '" + shown(key) + "' in a " + std::string(version_label) + " vector");
      const auto& spec = specs[metric];
      if (choice[metric] != kAbsent)
        return make_error(ErrorCode::invalid_argument, "metric '" + std::string(spec.key) + "' appears twice");
      const int index = value_index(spec, value);
      if (index == kAbsent)
        return make_error(ErrorCode::invalid_argument, "'" + shown(field) + "' is not a valid value for " +
                                                           std::string(spec.key) + " (use " + value_list(spec) + ")");
      choice[metric] = index;
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
  }
  for (std::size_t metric = 0; metric < specs.size(); ++metric)
    if (specs[metric].mandatory && choice[metric] == kAbsent)
      return make_error(ErrorCode::invalid_argument, "metric '" + std::string(specs[metric].key) + "' is missing");
  return choice;
}

std::string normalized_vector(std::string_view prefix, std::span<const MetricSpec> specs, const MetricChoice& choice) {
  std::string out(prefix);
  bool first = true;
  for (std::size_t metric = 0; metric < specs.size(); ++metric) {
    if (choice[metric] == kAbsent) continue;
    const auto value = specs[metric].values[static_cast<std::size_t>(choice[metric])];
    if (value == specs[metric].not_defined) continue;
    if (!first) out += '/';
    first = false;
    out += specs[metric].key;
    out += ':';
    out += value;
  }
  return out;
}

bool any_defined(std::span<const MetricSpec> specs, const MetricChoice& choice, std::size_t first, std::size_t last) {
  for (std::size_t metric = first; metric < last; ++metric)
    if (choice[metric] != kAbsent &&
        specs[metric].values[static_cast<std::size_t>(choice[metric])] != specs[metric].not_defined)
      return true;
  return false;
}

namespace {

// ---- CVSS v2 (base score only) ----------------------------------------------------------

constexpr std::size_t kV2BaseCount = 6;  // AV AC Au C I A come first
constexpr MetricSpec kV2Metrics[] = {
    {"AV", {"L", "A", "N"}, true, ""},
    {"AC", {"H", "M", "L"}, true, ""},
    {"Au", {"M", "S", "N"}, true, ""},
    {"C", {"N", "P", "C"}, true, ""},
    {"I", {"N", "P", "C"}, true, ""},
    {"A", {"N", "P", "C"}, true, ""},
    {"E", {"U", "POC", "F", "H", "ND"}, false, "ND"},
    {"RL", {"OF", "TF", "W", "U", "ND"}, false, "ND"},
    {"RC", {"UC", "UR", "C", "ND"}, false, "ND"},
    {"CDP", {"N", "L", "LM", "MH", "H", "ND"}, false, "ND"},
    {"TD", {"N", "L", "M", "H", "ND"}, false, "ND"},
    {"CR", {"L", "M", "H", "ND"}, false, "ND"},
    {"IR", {"L", "M", "H", "ND"}, false, "ND"},
    {"AR", {"L", "M", "H", "ND"}, false, "ND"},
};
static_assert(std::size(kV2Metrics) > kV2BaseCount);

Result<CvssScore> score_cvss2(std::string_view body) {
  auto parsed = parse_metrics(body, kV2Metrics, "CVSS 2.0");
  if (!parsed) return parsed.error();
  const auto& c = *parsed;
  constexpr double kAccessVector[] = {0.395, 0.646, 1.0};
  constexpr double kAccessComplexity[] = {0.35, 0.61, 0.71};
  constexpr double kAuthentication[] = {0.45, 0.56, 0.704};
  constexpr double kImpact[] = {0.0, 0.275, 0.660};
  const double impact = 10.41 * (1 - (1 - kImpact[c[3]]) * (1 - kImpact[c[4]]) * (1 - kImpact[c[5]]));
  const double exploitability = 20 * kAccessVector[c[0]] * kAccessComplexity[c[1]] * kAuthentication[c[2]];
  const double f_impact = impact == 0 ? 0 : 1.176;
  const double base = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact;
  // v2 rounds to one decimal (half up); the guard absorbs representation noise just below .x5.
  const int tenths = std::max(0, static_cast<int>(std::floor(base * 10 + 0.5 + 1e-9)));
  CvssScore out;
  out.version = "2.0";
  out.base = tenths;
  out.score = tenths;
  out.severity = cvss_severity(tenths);
  out.vector = normalized_vector("", kV2Metrics, c);
  return out;
}

}  // namespace
}  // namespace cvss_detail

const char* to_string(CvssSeverity severity) {
  switch (severity) {
    case CvssSeverity::none: return "none";
    case CvssSeverity::low: return "low";
    case CvssSeverity::medium: return "medium";
    case CvssSeverity::high: return "high";
    case CvssSeverity::critical: return "critical";
  }
  return "none";
}

CvssSeverity cvss_severity(int tenths) {
  if (tenths <= 0) return CvssSeverity::none;
  if (tenths < 40) return CvssSeverity::low;
  if (tenths < 70) return CvssSeverity::medium;
  if (tenths < 90) return CvssSeverity::high;
  return CvssSeverity::critical;
}

std::string format_cvss_tenths(int tenths) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d.%d", tenths / 10, tenths % 10);
  return buf;
}

Result<CvssScore> score_cvss(std::string_view vector) {
  using namespace cvss_detail;
  if (vector.empty()) return make_error(ErrorCode::invalid_argument, "the CVSS vector is empty");
  constexpr std::string_view kCvssTag = "CVSS:";
  if (vector.starts_with(kCvssTag)) {
    const auto slash = vector.find('/');
    const auto prefix = vector.substr(0, slash);
    const auto body = slash == std::string_view::npos ? std::string_view() : vector.substr(slash + 1);
    const auto version = prefix.substr(kCvssTag.size());
    if (version == "3.0" || version == "3.1") return score_cvss3(version, body);
    if (version == "4.0") return score_cvss4(body);
    return make_error(ErrorCode::invalid_argument, "unsupported CVSS version prefix '" + shown(prefix) +
                                                       "' (use CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/)");
  }
  // v2 vectors carry no prefix; they are recognised by their Authentication metric.
  if (vector.starts_with("Au:") || vector.find("/Au:") != std::string_view::npos) return score_cvss2(vector);
  return make_error(ErrorCode::invalid_argument,
                    "unsupported CVSS version prefix: a vector starts with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/ "
                    "(or is a v2 vector such as AV:N/AC:L/Au:N/C:P/I:P/A:P)");
}

}  // namespace tillit
