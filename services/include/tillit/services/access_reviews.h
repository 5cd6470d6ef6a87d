// Access-review campaigns (annex req. 54): the supplier regularly checks that every account
// still needs the access it has.
//
// A campaign starts with a snapshot of every account that is not deleted (user name, kind,
// roles, status, last sign-in) and flags the accounts nobody has used: never signed in, or
// not within identity.unused_account_after. Reviewers then attest each account: keep, or
// revoke. A revocation takes effect at once: the account is deactivated and its sessions
// end in the same transaction (its API tokens stop working because the account is no longer
// active). Nobody decides about their own account. A campaign closes only when every account
// is decided, and its report (CSV and PDF, tied together by the CSV's SHA-256 printed in the
// PDF) is the evidence for the customer.
//
// Every change is audited in its own transaction: access_review.start (with the snapshot,
// statuses included), access_review.keep, access_review.revoke (+ user.deactivate),
// access_review.close.
//
// Thread safety: a thin handle over the Installation; make one per request.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tillit/services/actor.h"
#include "tillit/services/identity_reports.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"

namespace tillit::services {

struct AccessReviewItemView {
  std::int64_t user_id = 0;
  std::string username;
  std::string kind;                // "admin" or "business", as at the start
  std::vector<std::string> roles;  // as at the start
  std::string last_login_at;       // as at the start; empty: never signed in
  bool unused = false;
  std::string account_status;  // the account's status now ("disabled" after a revocation)
  std::string decision;        // "", "keep" or "revoke"
  std::string decided_by;      // actor id
  std::string decided_by_name;
  std::string decided_at;
  std::string note;
};

struct AccessReviewView {
  std::int64_t id = 0;
  std::string title;
  std::string created_by;
  std::string created_by_name;
  std::string created_at;
  std::string closed_by;
  std::string closed_by_name;
  std::string closed_at;
  std::size_t accounts = 0, decided = 0, kept = 0, revoked = 0, unused = 0;
  std::vector<AccessReviewItemView> items;  // filled by start, show, close; empty in list
  bool closed() const { return !closed_at.empty(); }
};

nlohmann::json to_json(const AccessReviewItemView& item);
// With "items" only when `with_items`.
nlohmann::json to_json(const AccessReviewView& review, bool with_items);

class AccessReviewService {
 public:
  explicit AccessReviewService(Installation& inst, TimeSource clock = now_utc)
      : inst_(inst), clock_(std::move(clock)) {}

  Result<AccessReviewView> start(const Actor& actor, const std::string& title);
  Result<std::vector<AccessReviewView>> list(const Actor& actor);  // newest first
  Result<AccessReviewView> show(const Actor& actor, std::int64_t id);
  // `decision` "keep" or "revoke"; a revocation needs a note (it is the reason recorded for
  // the deactivation). A kept account may later be revoked in the same campaign; a
  // revocation is final (reactivation goes through the four-eyes request).
  Result<AccessReviewItemView> decide(const Actor& actor, std::int64_t id, const std::string& username,
                                      const std::string& decision, const std::string& note);
  Result<AccessReviewView> close(const Actor& actor, std::int64_t id);
  // CSV or PDF (json is refused); `language` "sv" or "en".
  Result<ReportFile> report(const Actor& actor, std::int64_t id, ReportFormat format, const std::string& language);

 private:
  Installation& inst_;
  TimeSource clock_;
};

}  // namespace tillit::services
