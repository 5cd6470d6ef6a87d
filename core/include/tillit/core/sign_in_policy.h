// How long a subject (an account or a client address) must wait after failed sign-ins, and
// when a session has lapsed. Pure: the caller supplies the counts and the clock.
#pragma once

#include <chrono>
#include <cstdint>

#include "tillit/core/time.h"

namespace tillit {

// The wait after `failures` failed sign-ins in a row. Below the threshold the delays grow
// (1 s, 2 s, 4 s, ...) so that guessing is slow but a typo costs nothing noticeable; from the
// threshold on the subject is locked out for 15 minutes, doubling with each further failure
// up to a day. Zero failures: no wait.
std::chrono::seconds sign_in_delay(std::int64_t failures, unsigned lockout_threshold);

// The wait for a client address: none below its (higher) threshold, so one mistyped password
// in a shared office does not slow everybody down; then the same lockout as for an account.
std::chrono::seconds address_sign_in_delay(std::int64_t failures, unsigned lockout_threshold);

// True once the delay is long enough to be called a lockout (and audited as one).
bool is_lockout(std::int64_t failures, unsigned lockout_threshold);

// A session lapses after `idle` without use or `absolute` after it began, whichever is first.
bool session_lapsed(Timestamp created_at, Timestamp last_seen_at, Timestamp now, std::chrono::minutes idle,
                    std::chrono::minutes absolute);

}  // namespace tillit
