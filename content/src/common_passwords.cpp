#include "tillit/content/common_passwords.h"

#include <optional>
#include <stdexcept>
#include <string_view>

namespace tillit::content {

namespace password_files {
std::optional<std::string_view> find(std::string_view name);
}

const CommonPasswords& builtin_common_passwords() {
  static const CommonPasswords list = [] {
    const auto text = password_files::find("password.lst");
    if (!text) throw std::logic_error("the built-in list of common passwords is missing from the build");
    return CommonPasswords(*text);
  }();
  return list;
}

}  // namespace tillit::content
