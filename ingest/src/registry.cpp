#include "registry.h"

#include "cyclonedx_json/cyclonedx_json.h"
#include "cyclonedx_xml/cyclonedx_xml.h"
#include "grype/grype.h"
#include "nessus/nessus.h"
#include "openvas/openvas.h"
#include "osv/osv.h"
#include "sarif/sarif.h"
#include "trivy/trivy.h"

namespace tillit::ingest {

const std::vector<const Format*>& registered_formats() {
  static const std::vector<const Format*> kFormats = {
      &trivy_format(),   &grype_format(),  &sarif_format(),          &openvas_format(),
      &nessus_format(),  &osv_format(),    &cyclonedx_json_format(), &cyclonedx_xml_format(),
  };
  return kFormats;
}

const Format* find_format(std::string_view name) {
  for (const Format* format : registered_formats()) {
    if (format->name() == name) return format;
  }
  return nullptr;
}

}  // namespace tillit::ingest
