// The .tbk archive format: see tillit/services/backup.h for the layout and why.
#include "backup_archive.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "tillit/core/version.h"

namespace tillit::services::backup_format {
namespace {

constexpr std::string_view kMagic = "TILLITBK";
constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kKeyIdSize = 8;
constexpr std::size_t kHeaderSize = 8 + 4 + kKeyIdSize + kSaltSize;
// nonce + record type + at most kMaxRecord bytes (or a manifest) + tag; a length field
// larger than this cannot be genuine, so it is refused before anything is allocated.
constexpr std::size_t kMaxSealed = 12 + 1 + (16u << 20) + 16;

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
std::uint32_t get_u32(std::string_view in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  return v;
}

std::string raw_key_id(const crypto::SecretBytes& key) {
  return std::string(crypto::hkdf_sha256(key, "tillit/backup-key-id/1", kKeyIdSize).view());
}

crypto::SecretBytes chunk_key(const crypto::SecretBytes& key, std::string_view salt) {
  return crypto::hkdf_sha256(key, "tillit/backup-chunk-key/1" + std::string(salt));
}

// The associated data that binds a chunk to this archive, its position and its finality.
std::string chunk_associated(const std::string& header, std::uint64_t index, bool final) {
  std::string ad = header;
  put_u64(ad, index);
  ad.push_back(final ? '\1' : '\0');
  return ad;
}

Error io_error(const std::filesystem::path& path, std::string_view what) {
  return make_error(ErrorCode::unavailable, std::string(what) + " '" + path.string() + "': " + std::strerror(errno));
}

}  // namespace

std::string key_id(const crypto::SecretBytes& backup_key) { return crypto::to_hex(raw_key_id(backup_key)); }

bool valid_part_name(std::string_view name) {
  if (name == "database/tillit.db" || name == "database/dump.jsonl") return true;
  if (name.rfind("files/", 0) != 0 || name.size() > 1024) return false;
  std::string_view rest = name.substr(6);
  // Only what a backup takes from the data directory; never keys/ or the database file.
  if (rest != "tillit.yaml" && rest != "audit-signing-key.pub" && rest.rfind("tls/", 0) != 0) return false;
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view component = rest.substr(0, slash);
    if (component.empty() || component == "." || component == "..") return false;
    for (char c : component)
      if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7f) return false;
    if (slash == std::string_view::npos) return true;
    rest = rest.substr(slash + 1);
  }
}

nlohmann::json manifest_to_json(const BackupManifest& m) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : m.parts) parts.push_back({{"name", p.name}, {"size", p.size}, {"sha256", p.sha256}, {"mode", p.mode}});
  nlohmann::json rows = nlohmann::json::object();
  for (const auto& [table, count] : m.rows) rows[table] = count;
  nlohmann::json table_order = nlohmann::json::array();
  for (const auto& r : m.rows) table_order.push_back(r.first);
  return {{"format", "tillit-backup"},
          {"format_version", m.format_version},
          {"tillit_version", m.tillit_version},
          {"installation_id", m.installation_id},
          {"created_at", m.created_at},
          {"schema_version", m.schema_version},
          {"backend", m.backend},
          {"database_check", m.database_check},
          {"parts", parts},
          {"tables", table_order},
          {"rows", rows},
          {"audit", {{"events", m.audit_events}, {"head", m.audit_head}}}};
}

Result<BackupManifest> manifest_from_json(std::string_view text) {
  auto bad = [](const std::string& what) {
    return make_error(ErrorCode::integrity, "the archive's manifest is unusable (" + what +
                                                "); it was not written by a compatible Tillit");
  };
  try {
    const auto j = nlohmann::json::parse(text);
    if (j.value("format", "") != "tillit-backup") return bad("not a Tillit backup manifest");
    BackupManifest m;
    m.format_version = j.at("format_version").get<int>();
    if (m.format_version != static_cast<int>(kFormatVersion))
      return bad("format version " + std::to_string(m.format_version));
    m.tillit_version = j.at("tillit_version").get<std::string>();
    m.installation_id = j.at("installation_id").get<std::string>();
    m.created_at = j.at("created_at").get<std::string>();
    m.schema_version = j.at("schema_version").get<int>();
    m.backend = j.at("backend").get<std::string>();
    m.database_check = j.at("database_check").get<std::string>();
    for (const auto& p : j.at("parts"))
      m.parts.push_back({p.at("name").get<std::string>(), p.at("size").get<std::uint64_t>(),
                         p.at("sha256").get<std::string>(), p.at("mode").get<unsigned>()});
    for (const auto& t : j.at("tables")) {
      const auto table = t.get<std::string>();
      m.rows.emplace_back(table, j.at("rows").at(table).get<std::int64_t>());
    }
    m.audit_events = j.at("audit").at("events").get<std::int64_t>();
    m.audit_head = j.at("audit").at("head").get<std::string>();
    return m;
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
}

// ---- writer ---------------------------------------------------------------------------------

ArchiveWriter::ArchiveWriter(int fd, std::filesystem::path path, const crypto::SecretBytes& backup_key)
    : fd_(fd), path_(std::move(path)) {
  const auto salt = crypto::random_bytes(kSaltSize);
  header_ = std::string(kMagic);
  put_u32(header_, kFormatVersion);
  header_ += raw_key_id(backup_key);
  header_ += crypto::as_chars(salt);
  chunk_key_ = chunk_key(backup_key, crypto::as_chars(salt));
}

Status ArchiveWriter::write_raw(std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path_, "cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  file_hash_.update(bytes);
  bytes_ += bytes.size();
  return {};
}

Status ArchiveWriter::write_header() {
  if (header_written_) return {};
  header_written_ = true;
  return write_raw(header_);
}

Status ArchiveWriter::seal_record(char type, std::string_view payload, bool final) {
  if (auto s = write_header(); !s) return s;
  std::string plain;
  plain.reserve(payload.size() + 1);
  plain.push_back(type);
  plain += payload;
  const auto sealed = crypto::aes256gcm_seal(chunk_key_, plain, chunk_associated(header_, index_++, final));
  std::string frame;
  put_u32(frame, static_cast<std::uint32_t>(sealed.size()));
  if (auto s = write_raw(frame); !s) return s;
  return write_raw(crypto::as_chars(sealed));
}

Status ArchiveWriter::begin_part(const std::string& name, unsigned mode) {
  current_ = BackupPart{name, 0, {}, mode};
  part_hash_.emplace();
  return seal_record('B', nlohmann::json{{"name", name}, {"mode", mode}}.dump(), false);
}

Status ArchiveWriter::flush_data() {
  if (pending_.empty()) return {};
  auto s = seal_record('D', pending_, false);
  pending_.clear();
  return s;
}

Status ArchiveWriter::write(std::string_view data) {
  part_hash_->update(data);
  current_.size += data.size();
  while (!data.empty()) {
    const std::size_t take = std::min(kMaxRecord - pending_.size(), data.size());
    pending_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (pending_.size() == kMaxRecord)
      if (auto s = flush_data(); !s) return s;
  }
  return {};
}

Status ArchiveWriter::end_part() {
  if (auto s = flush_data(); !s) return s;
  current_.sha256 = crypto::to_hex(part_hash_->finish());
  part_hash_.reset();
  parts_.push_back(current_);
  return seal_record('E', {}, false);
}

Status ArchiveWriter::finish(BackupManifest manifest) {
  manifest.format_version = static_cast<int>(kFormatVersion);
  manifest.tillit_version = kVersion;
  manifest.parts = parts_;
  return seal_record('M', manifest_to_json(manifest).dump(), true);
}

std::string ArchiveWriter::sha256() { return crypto::to_hex(file_hash_.finish()); }

// ---- reader ---------------------------------------------------------------------------------

Result<BackupManifest> read_archive(const std::filesystem::path& archive, const crypto::SecretBytes& backup_key,
                                    const PartSink& sink) {
  const std::string file = "'" + archive.string() + "'";
  const int fd = ::open(archive.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(archive, "cannot open");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  // Reads exactly `n` bytes; fewer means the file ended. Returns how many were read.
  auto read_exact = [&](std::string& out, std::size_t n) -> Result<std::size_t> {
    out.resize(n);
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::read(fd, out.data() + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        return io_error(archive, "cannot read");
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    out.resize(got);
    return got;
  };
  auto truncated = [&](const std::string& where) {
    return make_error(ErrorCode::integrity, file + " is truncated (" + where +
                                                "): it is not a complete backup; use another copy");
  };

  std::string header;
  if (auto n = read_exact(header, kHeaderSize); !n) return n.error();
  if (header.size() < kMagic.size() || header.substr(0, kMagic.size()) != kMagic)
    return make_error(ErrorCode::integrity, file + " is not a Tillit backup (.tbk) archive");
  if (header.size() < kHeaderSize) return truncated("in the header");
  const std::uint32_t version = get_u32(std::string_view(header).substr(8, 4));
  if (version != kFormatVersion)
    return make_error(ErrorCode::integrity, file + " has archive format version " + std::to_string(version) +
                                                "; this Tillit reads version " + std::to_string(kFormatVersion));
  if (header.substr(12, kKeyIdSize) != raw_key_id(backup_key))
    return make_error(ErrorCode::integrity,
                      file + " was made with another backup key (key id " + crypto::to_hex(header.substr(12, kKeyIdSize)) +
                          ", the key given has id " + key_id(backup_key) +
                          "); give the backup key of the installation that made it (its keys/backup.key)");
  const auto key = chunk_key(backup_key, std::string_view(header).substr(12 + kKeyIdSize));

  struct Seen {
    std::uint64_t size = 0;
    std::string sha256;
  };
  std::map<std::string, Seen> seen;
  std::vector<std::string> order;
  std::optional<std::string> current;
  std::optional<crypto::Sha256> hash;
  std::optional<BackupManifest> manifest;

  std::string frame, sealed;
  for (std::uint64_t index = 0;; ++index) {
    auto n = read_exact(frame, 4);
    if (!n) return n.error();
    if (*n == 0) {
      if (manifest) return *manifest;  // reached only after the final chunk, below
      return truncated("it ends after chunk " + std::to_string(index) + " without the final manifest");
    }
    if (manifest)
      return make_error(ErrorCode::integrity, file + " has data after its final chunk: it was altered; use another copy");
    if (*n < 4) return truncated("in the length of chunk " + std::to_string(index));
    const std::uint32_t length = get_u32(frame);
    if (length > kMaxSealed || length < 12 + 1 + 16)
      return make_error(ErrorCode::integrity, file + ": chunk " + std::to_string(index) +
                                                  " has an impossible length; the archive was altered or damaged");
    auto m = read_exact(sealed, length);
    if (!m) return m.error();
    if (*m < length) return truncated("in chunk " + std::to_string(index));

    // A chunk opens under exactly one of the two flags; which one tells whether it is final.
    bool final = false;
    auto plain = crypto::aes256gcm_open(key, sealed, chunk_associated(header, index, false));
    if (!plain) {
      plain = crypto::aes256gcm_open(key, sealed, chunk_associated(header, index, true));
      final = static_cast<bool>(plain);
    }
    if (!plain)
      return make_error(ErrorCode::integrity, file + ": chunk " + std::to_string(index) +
                                                  " fails authentication: the archive was altered, damaged or "
                                                  "reordered; use another copy");
    const std::string_view record = plain->view();
    if (record.empty()) return make_error(ErrorCode::integrity, file + ": chunk " + std::to_string(index) + " is empty");
    const char type = record[0];
    const std::string_view payload = record.substr(1);
    auto malformed = [&](const std::string& what) {
      return make_error(ErrorCode::integrity, file + ": chunk " + std::to_string(index) + " " + what);
    };
    if (final != (type == 'M')) return malformed("is out of place (the manifest must be the final chunk)");
    switch (type) {
      case 'B': {
        if (current) return malformed("begins a part inside another");
        std::string name;
        unsigned mode = 0;
        try {
          const auto j = nlohmann::json::parse(payload);
          name = j.at("name").get<std::string>();
          mode = j.at("mode").get<unsigned>() & 0777u;
        } catch (const nlohmann::json::exception&) {
          return malformed("has an unreadable part header");
        }
        if (!valid_part_name(name)) return malformed("names a part '" + name + "' that no backup holds");
        if (seen.count(name)) return malformed("repeats the part '" + name + "'");
        current = name;
        hash.emplace();
        seen[name] = {};
        order.push_back(name);
        if (sink.begin)
          if (auto s = sink.begin(name, mode); !s) return s.error();
        break;
      }
      case 'D':
        if (!current) return malformed("holds data outside any part");
        hash->update(payload);
        seen[*current].size += payload.size();
        if (sink.data)
          if (auto s = sink.data(payload); !s) return s.error();
        break;
      case 'E':
        if (!current) return malformed("ends a part that was not begun");
        seen[*current].sha256 = crypto::to_hex(hash->finish());
        hash.reset();
        current.reset();
        if (sink.end)
          if (auto s = sink.end(); !s) return s.error();
        break;
      case 'M': {
        if (current) return malformed("ends the archive inside the part '" + *current + "'");
        auto parsed = manifest_from_json(payload);
        if (!parsed) return parsed.error();
        // Every part the manifest lists, with its size and hash, and nothing else.
        std::set<std::string> listed;
        for (const auto& p : parsed->parts) {
          listed.insert(p.name);
          auto it = seen.find(p.name);
          if (it == seen.end())
            return make_error(ErrorCode::integrity, file + " lacks the part '" + p.name + "' its manifest lists");
          if (it->second.size != p.size || it->second.sha256 != p.sha256)
            return make_error(ErrorCode::integrity, file + ": the part '" + p.name +
                                                        "' does not match its SHA-256 or size in the manifest");
        }
        for (const auto& name : order)
          if (!listed.count(name))
            return make_error(ErrorCode::integrity, file + " holds a part '" + name + "' its manifest does not list");
        manifest = std::move(*parsed);
        break;
      }
      default:
        return malformed("has an unknown record type");
    }
  }
}

}  // namespace tillit::services::backup_format
