#include "tillit/core/sign_in_policy.h"

#include <algorithm>

namespace tillit {

using namespace std::chrono;

std::chrono::seconds sign_in_delay(std::int64_t failures, unsigned lockout_threshold) {
  if (failures <= 0) return seconds{0};
  const std::int64_t threshold = std::max(1u, lockout_threshold);
  if (failures < threshold) return seconds{std::int64_t{1} << std::min<std::int64_t>(failures - 1, 10)};
  const std::int64_t doublings = std::min<std::int64_t>(failures - threshold, 10);
  return std::min<seconds>(minutes{15} * (std::int64_t{1} << doublings), hours{24});
}

std::chrono::seconds address_sign_in_delay(std::int64_t failures, unsigned lockout_threshold) {
  if (!is_lockout(failures, lockout_threshold)) return seconds{0};
  return sign_in_delay(failures, lockout_threshold);
}

bool is_lockout(std::int64_t failures, unsigned lockout_threshold) {
  return failures >= static_cast<std::int64_t>(std::max(1u, lockout_threshold));
}

bool session_lapsed(Timestamp created_at, Timestamp last_seen_at, Timestamp now, minutes idle, minutes absolute) {
  return now - last_seen_at >= idle || now - created_at >= absolute;
}

}  // namespace tillit
