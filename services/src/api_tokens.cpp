// API tokens: "tillit_" + 64 hex digits (256 random bits). Only the SHA-256 is stored; with
// that much randomness a slow hash adds nothing, and lookups stay one index probe.
#include <sstream>

#include "identity_support.h"
#include "tillit/services/sign_in.h"

namespace tillit::services {

namespace {

constexpr std::string_view kTokenPrefix = "tillit_";

std::string token_hash(std::string_view token) { return crypto::to_hex(crypto::sha256(token)); }

std::string join(const std::vector<Permission>& ps) {
  std::string out;
  for (auto p : ps) out += std::string(out.empty() ? "" : " ") + to_string(p);
  return out;
}

}  // namespace

Result<IssuedToken> SignInService::create_token(const Actor& actor, std::int64_t for_user_id, const std::string& name,
                                                const std::vector<Permission>& permissions, std::chrono::days lifetime) {
  const auto& settings = inst_.config().identity;
  if (name.empty() || name.size() > 100)
    return make_error(ErrorCode::invalid_argument, "give the token a name of 1-100 characters, e.g. 'CI scanner import'");
  if (permissions.empty())
    return make_error(ErrorCode::invalid_argument, "a token needs at least one permission (least privilege: only what "
                                                   "the automation needs)");
  if (lifetime.count() < 1 || lifetime > settings.api_token_max_lifetime)
    return make_error(ErrorCode::invalid_argument, "a token lives from 1 to " +
                                                       std::to_string(settings.api_token_max_lifetime.count()) +
                                                       " days");
  // People create tokens for themselves; the local operator (CLI) may create them for anyone.
  if (actor.kind != ActorKind::local_operator && actor.user_id != for_user_id)
    return make_error(ErrorCode::forbidden, "you can create API tokens only for your own account");
  if (actor.kind == ActorKind::token)
    return make_error(ErrorCode::forbidden, "an API token cannot create further tokens; sign in to do this");

  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto user = store::find_user_by_id(**tx, for_user_id);
  if (!user) return user.error();
  if (!*user || (*user)->status != "active")
    return make_error(ErrorCode::not_found, "no active account with id " + std::to_string(for_user_id));
  // A token never holds more than its owner's roles allow.
  auto owner = identity::actor_for(**tx, **user, actor.client_address);
  if (!owner) return owner.error();
  for (auto p : permissions)
    if (auto s = authorize(*owner, p); !s)
      return make_error(ErrorCode::forbidden, std::string("the account cannot give a token '") + to_string(p) +
                                                  "': " + s.error().message);

  const Timestamp now = clock_();
  IssuedToken issued;
  issued.token = std::string(kTokenPrefix) + identity::random_token();
  issued.expires_at = format_rfc3339(now + lifetime);
  store::ApiTokenRecord r{0, for_user_id, name, token_hash(issued.token), join(permissions), format_rfc3339(now),
                          issued.expires_at, "", ""};
  auto id = store::insert_api_token(**tx, r);
  if (!id) return id.error();
  issued.id = *id;
  if (auto e = inst_.record(**tx, actor, "token.create", "api_token", std::to_string(*id),
                            {{"user_id", {{"after", for_user_id}}}, {"name", {{"after", name}}},
                             {"permissions", {{"after", r.permissions}}}, {"expires_at", {{"after", issued.expires_at}}}});
      !e)
    return e.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return issued;
}

Status SignInService::revoke_token(const Actor& actor, std::int64_t token_id) {
  auto tx = inst_.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto t = store::find_api_token(**tx, token_id);
  if (!t) return t.error();
  if (!*t) return make_error(ErrorCode::not_found, "no API token with id " + std::to_string(token_id));
  const bool own = actor.kind == ActorKind::user && actor.user_id == (*t)->user_id;
  // Administrators revoke anyone's token (e.g. one that leaked); people revoke their own.
  if (!own && actor.kind != ActorKind::local_operator && !actor.has_role(Role::admin))
    return make_error(ErrorCode::forbidden, "you can revoke only your own API tokens");
  if (!(*t)->revoked_at.empty()) return {};
  if (auto s = store::revoke_api_token(**tx, token_id, format_rfc3339(clock_())); !s) return s;
  if (auto e = inst_.record(**tx, actor, "token.revoke", "api_token", std::to_string(token_id),
                            {{"revoked", {{"before", false}, {"after", true}}}});
      !e)
    return e.error();
  return (*tx)->commit();
}

Result<Actor> SignInService::authenticate_token(std::string_view token, const std::string& address) {
  const auto refused = make_error(ErrorCode::unauthenticated,
                                  "the API token is unknown, expired or revoked; create a new one");
  if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return refused;
  std::optional<store::ApiTokenRecord> record;
  Actor actor;
  {
    auto tx = inst_.db().begin(store::Access::read);
    if (!tx) return tx.error();
    auto t = store::find_api_token_by_hash(**tx, token_hash(token));
    if (!t) return t.error();
    if (!*t || !(*t)->revoked_at.empty()) return refused;
    auto expires = parse_rfc3339((*t)->expires_at);
    if (!expires || clock_() >= *expires) return refused;
    auto user = store::find_user_by_id(**tx, (*t)->user_id);
    if (!user) return user.error();
    if (!*user || (*user)->status != "active") return refused;
    auto a = identity::actor_for(**tx, **user, address);
    if (!a) return a.error();
    actor = std::move(*a);
    record = **t;
  }
  actor.id = "token:" + std::to_string(record->id);
  actor.kind = ActorKind::token;
  std::set<Permission> scope;
  std::istringstream names(record->permissions);
  for (std::string n; names >> n;)
    if (auto p = permission_from_string(n)) scope.insert(*p);
  actor.token_scope = std::move(scope);
  auto last = parse_rfc3339(record->last_used_at);
  if (!last || clock_() - *last >= std::chrono::minutes(1)) {
    auto tx = inst_.db().begin(store::Access::write);
    if (!tx) return tx.error();
    if (auto s = store::touch_api_token(**tx, record->id, format_rfc3339(clock_())); !s) return s.error();
    if (auto s = (*tx)->commit(); !s) return s.error();
  }
  return actor;
}

}  // namespace tillit::services
