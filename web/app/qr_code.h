// QR codes as inline SVG (libqrencode), for enrolling an authenticator app. Inline SVG is
// markup, not script, so the strict Content-Security-Policy needs no exception.
#pragma once

#include <string>
#include <string_view>

namespace tillit::web {

// An <svg> element drawing `text` as a QR code (error correction M), with `label` as its
// accessible name. Empty when the text is too long for a QR code.
std::string qr_code_svg(std::string_view text, std::string_view label);

}  // namespace tillit::web
