// Self-signed TLS certificate for a fresh installation, so that Tillit serves HTTPS from
// its first start. Operators replace it with a certificate from their own CA (and reload it
// with SIGHUP); the self-signed one is only a safe default.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tillit::crypto {

struct CertificateAndKey {
  std::string certificate_pem;
  std::string private_key_pem;  // PKCS#8, unencrypted: written only to a 0600 file
};

// ECDSA P-256, SHA-256, valid for `valid_days` from now, with the given DNS names and IP
// addresses as subjectAltName entries (the first DNS name is also the common name).
CertificateAndKey generate_self_signed_certificate(const std::vector<std::string>& dns_names,
                                                   const std::vector<std::string>& ip_addresses, int valid_days);

// The end of the first certificate's validity in a PEM file's text (seconds since the Unix
// epoch); nullopt when the text holds no readable certificate.
std::optional<std::chrono::sys_seconds> certificate_not_after(const std::string& pem);

}  // namespace tillit::crypto
