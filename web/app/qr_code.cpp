#include "qr_code.h"

#include <qrencode.h>

#include <memory>

namespace tillit::web {

namespace {
std::string escape_attribute(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}
}  // namespace

std::string qr_code_svg(std::string_view text, std::string_view label) {
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M),
                                                       &QRcode_free);
  if (!code) return {};
  const int width = code->width;
  const int quiet = 4;  // the quiet zone scanners need around the symbol
  const int size = width + 2 * quiet;
  std::string path;
  for (int y = 0; y < width; ++y)
    for (int x = 0; x < width; ++x)
      if (code->data[y * width + x] & 1)
        path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr-code\" role=\"img\" aria-label=\"" +
         escape_attribute(label) + "\" viewBox=\"0 0 " + std::to_string(size) + " " + std::to_string(size) +
         "\" width=\"" + std::to_string(size * 5) + "\" height=\"" + std::to_string(size * 5) +
         "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" +
         path + "\"/></svg>";
}

}  // namespace tillit::web
