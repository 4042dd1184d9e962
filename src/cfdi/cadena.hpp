// The cadena original of a CFDI's issuer seal, built as SAT's XSLT builds it (cadenaoriginal_3_2,
// _3_3 and _4_0 with the complements Vértice reads: Pagos 1.0 and 2.0, Nómina 1.2, Impuestos
// locales). Nodes come in the XSLT's order (which follows the schema's), each node's attributes in
// the order the XSLT lists them; an absent attribute is skipped, a present one is written as
// "|value" with normalize-space applied (leading/trailing blanks dropped, inner runs of space, tab,
// CR and LF collapsed to one space); the whole is framed "||…||". The TimbreFiscalDigital is not
// part of it (it has its own cadena, for SelloSAT) and neither is the Addenda.
// A complement the XSLT would include but Vértice does not model makes the cadena unknown: its
// local name is reported instead, so the seal is "not verifiable", never wrongly "invalid".
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>

namespace vertice::cfdi {

struct Cadena {
  std::string text;         // "||4.0|A|…||"; empty when unsupported is set
  std::string unsupported;  // local name of the first element the cadena cannot cover
};

// root: the cfdi:Comprobante element; cfd: its namespace URI; version: "3.2", "3.3" or "4.0".
Cadena BuildCadena(const pugi::xml_node& root, std::string_view cfd, std::string_view version);

}  // namespace vertice::cfdi
