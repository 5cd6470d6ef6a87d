// Pieces the identity services share: turning an account into an Actor, sealing fields
// under the installation's field key, and the throttle bookkeeping.
#pragma once

#include <string>

#include "tillit/services/actor.h"
#include "tillit/services/installation.h"
#include "tillit/store/identity_repository.h"

namespace tillit::services::identity {

std::string user_actor_id(std::int64_t user_id);

// The actor a signed-in account acts as: its roles as stored now.
Result<Actor> actor_for(store::Transaction& tx, const store::UserRecord& user, const std::string& address);

// AES-256-GCM under the field key, bound to `purpose` (e.g. "totp/42") so a sealed value
// cannot be moved to another row or column.
std::string seal(const Installation& inst, std::string_view plaintext, const std::string& purpose);
Result<std::string> unseal(const Installation& inst, const std::string& sealed, const std::string& purpose);

// A setup code as it is hashed and compared: uppercase, without the dashes and spaces people
// type or leave out.
std::string canonical_setup_code(std::string_view typed);

// A random secret as URL-safe text (no padding): session ids, CSRF tokens, API tokens.
std::string random_token(std::size_t bytes = 32);

}  // namespace tillit::services::identity
