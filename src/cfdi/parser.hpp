// Reads a CFDI 3.2 / 3.3 / 4.0 from its bytes with pugixml, matching elements by namespace URI
// (never by prefix) and tolerating what real files carry: a UTF-8 BOM, CRLF, single quotes,
// several Complemento nodes, unknown complements and Addenda with broken namespaces (ignored).
// Documents with a DTD are refused (no entity expansion of any kind).
#pragma once

#include <expected>
#include <string_view>

#include "cfdi/document.hpp"
#include "cfdi/findings.hpp"

namespace vertice::cfdi {

namespace ns {
inline constexpr std::string_view kCfd3 = "http://www.sat.gob.mx/cfd/3";
inline constexpr std::string_view kCfd4 = "http://www.sat.gob.mx/cfd/4";
inline constexpr std::string_view kTfd = "http://www.sat.gob.mx/TimbreFiscalDigital";
inline constexpr std::string_view kPagos10 = "http://www.sat.gob.mx/Pagos";
inline constexpr std::string_view kPagos20 = "http://www.sat.gob.mx/Pagos20";
inline constexpr std::string_view kNomina12 = "http://www.sat.gob.mx/nomina12";
inline constexpr std::string_view kImpLocal = "http://www.sat.gob.mx/implocal";
inline constexpr std::string_view kRetenciones1 = "http://www.sat.gob.mx/esquemas/retencionpago/1";
inline constexpr std::string_view kRetenciones2 = "http://www.sat.gob.mx/esquemas/retencionpago/2";
}  // namespace ns

// A document that cannot be read at all fails with one finding (malformed_xml, not_a_cfdi,
// wrong_namespace, missing_uuid, invalid_uuid_format, invalid_value); everything else is for Validate.
std::expected<Document, Finding> Parse(std::string_view bytes);

}  // namespace vertice::cfdi
