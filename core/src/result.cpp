#include "tillit/core/result.h"

namespace tillit {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::unauthenticated: return "unauthenticated";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::integrity: return "integrity";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

}  // namespace tillit
