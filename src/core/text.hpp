// Small string checks shared by every layer (identifiers, slugs, e-mails, UTF-8).
#pragma once

#include <string>
#include <string_view>

namespace vertice {

bool IsValidUtf8(std::string_view s);
// Company slug: 2..63 chars of [a-z0-9-], starting with a letter ("acme").
bool IsValidSlug(std::string_view s);
// Pragmatic e-mail check: one '@', non-empty local part, a dot in the domain, no spaces.
bool IsPlausibleEmail(std::string_view s);
std::string ToLowerAscii(std::string_view s);
// A Spanish letter encoded in UTF-8 as 0xC3 `second` (á, É, ñ, ü, ç…) folded to its ASCII upper
// case ('A', 'E', 'N', 'U', 'C'); 0 for anything else.
char FoldAccentUpper(unsigned char second);
std::string ToUpperAscii(std::string_view s);
// Accepts a client-sent request id of 1..128 chars of [A-Za-z0-9._-].
bool IsValidRequestId(std::string_view s);

}  // namespace vertice

namespace vertice {
// Canonical 8-4-4-4-12 hex UUID.
bool IsUuid(std::string_view s);
}  // namespace vertice
