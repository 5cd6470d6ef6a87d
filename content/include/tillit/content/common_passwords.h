// The denylist of commonly used passwords shipped with the product: Openwall's public-domain
// password.lst (John the Ripper's list, from Debian's john-data), compiled into the binary.
#pragma once

#include "tillit/core/password_policy.h"

namespace tillit::content {

// Parsed once on first use; pass it to check_password through PasswordContext.
const CommonPasswords& builtin_common_passwords();

}  // namespace tillit::content
