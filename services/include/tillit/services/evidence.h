// Evidence: files that show a requirement is met (or support a risk, an incident, a duty, a
// change), kept in the database, encrypted, with every version.
//
// Storage. Each upload is a version. Its content is split into chunks of 1 MiB of plaintext,
// each sealed with AES-256-GCM under a fresh random data key for that version; the associated
// data binds the version id and the chunk index, so chunks cannot be reordered or moved to
// another file. The data key is sealed under the installation's field key, bound to the
// version id. The SHA-256 of the plaintext is computed while streaming and recorded. Storing
// in the database makes an upload one transaction (nothing half-written), and backups,
// `tillit migrate` and every server on a shared PostgreSQL see the same files.
//
// Upload reads from a pull-style source, so neither the CLI nor the web layer holds the file
// whole: the size limit (evidence_max_mb, default 100) is enforced while reading, and an
// empty file is refused. Download makes two passes: the first decrypts everything and checks
// the SHA-256 without keeping the plaintext, so a tampered file is refused (ErrorCode::integrity)
// before a byte is handed out; the second streams it to the sink.
//
// Evidence is current until its validity end date (inclusive); none means no end.
//
// Thread safety: a thin handle over the Installation; make one per request.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tillit/services/actor.h"
#include "tillit/services/installation.h"
#include "tillit/services/sign_in.h"
#include "tillit/store/compliance_repository.h"

namespace tillit::services {

// Fills up to `capacity` bytes of `buffer` and returns how many; 0 at the end of the content.
using ByteSource = std::function<Result<std::size_t>(char* buffer, std::size_t capacity)>;
// Receives the content piece by piece.
using ByteSink = std::function<Status(std::string_view bytes)>;

inline constexpr std::size_t kEvidenceChunkBytes = 1 << 20;

struct EvidenceFile {
  std::string file_name;   // shown and offered on download; no path, no control characters
  std::string media_type;  // "" for application/octet-stream
};

struct NewEvidence {
  std::string title;
  std::string description;
  std::string valid_until;                // YYYY-MM-DD or "" for no end
  std::vector<std::string> requirements;  // "CATALOG:ID" or bare annex ids to link at once
  EvidenceFile file;
};

struct EvidenceChange {  // an absent member keeps its value
  std::optional<std::string> title, description, valid_until;
};

struct EvidenceView {
  store::EvidenceRecord record;
  bool current = false;
  std::optional<store::EvidenceVersionRecord> latest;
  std::vector<store::EvidenceVersionRecord> versions;  // newest first; filled by get
  std::vector<store::EvidenceLinkRecord> links;        // filled by get
};
// `detail`: the versions and links as well.
nlohmann::json to_json(const EvidenceView& v, bool detail);
nlohmann::json to_json(const store::EvidenceVersionRecord& v);

// Link targets: a requirement ("annex:K14") or another record by kind and id.
const std::vector<std::string>& evidence_link_types();  // requirement, risk, incident, duty,
                                                        // duty_completion, change, asset,
                                                        // supplier, policy, finding

class EvidenceService {
 public:
  explicit EvidenceService(Installation& inst, TimeSource clock = now_utc);

  Result<EvidenceView> add(const Actor& actor, const NewEvidence& e, const ByteSource& content);
  // A new version of evidence `id`; the older ones are kept. `valid_until` given: changed too.
  Result<EvidenceView> add_version(const Actor& actor, std::int64_t id, const EvidenceFile& file,
                                   const ByteSource& content, std::optional<std::string> valid_until = std::nullopt);
  Result<EvidenceView> update(const Actor& actor, std::int64_t id, const EvidenceChange& change);

  Result<std::vector<EvidenceView>> list(const Actor& actor, std::int64_t page, std::int64_t per_page,
                                         std::int64_t* total = nullptr);
  Result<EvidenceView> get(const Actor& actor, std::int64_t id);

  // `target_type` "requirement": `target_id` is resolved ("K14" -> "annex:K14") and must exist.
  Result<EvidenceView> link(const Actor& actor, std::int64_t id, const std::string& target_type,
                            const std::string& target_id);
  Result<EvidenceView> unlink(const Actor& actor, std::int64_t id, const std::string& target_type,
                              const std::string& target_id);

  // Checks version `version` (0: the newest) against its SHA-256, then hands its content to
  // `sink`. A mismatch or a chunk that fails authentication: ErrorCode::integrity, and `sink`
  // is never called. Every download is audited.
  Result<store::EvidenceVersionRecord> download(const Actor& actor, std::int64_t id, std::int64_t version,
                                                const ByteSink& sink);

 private:
  Result<std::int64_t> store_version(store::Transaction& tx, const Actor& actor, std::int64_t evidence_id,
                                     const EvidenceFile& file, const ByteSource& content,
                                     store::EvidenceVersionRecord& out);
  Installation& inst_;
  TimeSource clock_;
};

}  // namespace tillit::services
