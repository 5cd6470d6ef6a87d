#include "identity_support.h"

namespace tillit::services::identity {

std::string user_actor_id(std::int64_t user_id) { return "user:" + std::to_string(user_id); }

Result<Actor> actor_for(store::Transaction& tx, const store::UserRecord& user, const std::string& address) {
  auto names = store::roles_of(tx, user.id);
  if (!names) return names.error();
  Actor a;
  a.id = user_actor_id(user.id);
  a.kind = ActorKind::user;
  a.user_id = user.id;
  a.username = user.username;
  a.client_address = address;
  for (const auto& n : *names)
    if (auto r = role_from_string(n)) a.roles.push_back(*r);
  return a;
}

std::string seal(const Installation& inst, std::string_view plaintext, const std::string& purpose) {
  const auto sealed = crypto::aes256gcm_seal(inst.field_key(), plaintext, "tillit/field/" + purpose);
  return crypto::to_base64(crypto::as_chars(sealed));
}

Result<std::string> unseal(const Installation& inst, const std::string& sealed, const std::string& purpose) {
  auto bytes = crypto::from_base64(sealed);
  if (!bytes) return make_error(ErrorCode::integrity, "a sealed field (" + purpose + ") is corrupt");
  auto opened = crypto::aes256gcm_open(inst.field_key(), crypto::as_chars(*bytes), "tillit/field/" + purpose);
  if (!opened) return make_error(ErrorCode::integrity, "a sealed field (" + purpose + ") failed its integrity check");
  return std::string(opened->view());
}

std::string canonical_setup_code(std::string_view typed) {
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ' || c == '\t') continue;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

std::string random_token(std::size_t bytes) { return crypto::to_hex(crypto::as_chars(crypto::random_bytes(bytes))); }

}  // namespace tillit::services::identity
