// Small text helpers every format needs: case-insensitive comparison, trimming, CVE and CWE
// ids in their many spellings, package URLs, comma lists, CVSS vectors in tool wrappings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tillit::ingest {

std::string_view trim(std::string_view text);
bool equals_ci(std::string_view a, std::string_view b);
bool starts_with_ci(std::string_view text, std::string_view prefix);
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);

// "CVE-2021-44228" (any case): CVE-, four digits, -, at least four digits.
bool is_cve(std::string_view id);

// A CVE or GHSA id at the start of `text` ("CVE-2008-0732-geronimo..." -> "CVE-2008-0732"),
// else empty. Grype's SARIF names its rules this way.
std::string_view leading_vulnerability_id(std::string_view text);

// "CWE-79" from "CWE-79", "cwe-079", "79", "CWE-79: Improper ...", "external/cwe/cwe-079";
// empty when `text` names no CWE.
std::string normalize_cwe(std::string_view text);

// pkg:type/namespace/name@version?qualifiers#subpath (the package-url specification).
// Pieces are views into the input, still percent-encoded; all empty when it is not a purl.
struct Purl {
  std::string_view type;
  std::string_view namespace_;
  std::string_view name;
  std::string_view version;
};
Purl parse_purl(std::string_view purl);
std::string percent_decode(std::string_view text);

// Appends the trimmed, non-empty pieces of `text` split at `separator`.
void split_into(std::string_view text, char separator, std::vector<std::string>& out);
// Appends pieces split at any whitespace.
void split_whitespace_into(std::string_view text, std::vector<std::string>& out);

// Appends `value` (trimmed) unless it is empty or already there.
void add_unique(std::vector<std::string>& values, std::string_view value);

// A positive whole number ("12", "12.0"), else 0: line numbers, which are display only.
int to_line_number(std::string_view text);

// A CVSS vector without the wrappings tools put around it: surrounding blanks and
// parentheses ("(AV:N/...)", NVD's v2 style) and Nessus's "CVSS2#" prefix.
std::string_view clean_cvss_vector(std::string_view vector);

}  // namespace tillit::ingest
