// Small string checks shared by every layer (identifiers, slugs, e-mails, UTF-8).
#pragma once

#include <string>
#include <string_view>

namespace vertice {

bool IsValidUtf8(std::string_view s);
// `s` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD (for text
// echoed back to a client, e.g. a file's own words in an error message).
std::string ToValidUtf8(std::string_view s);
// Text PostgreSQL can store: valid UTF-8 without NUL bytes (a text value cannot hold U+0000).
bool IsStorableText(std::string_view s);
// Latin-1 (Windows-1252 for 0x80–0x9F) to UTF-8.
std::string Latin1ToUtf8(std::string_view bytes);
// Percent-decodes a URL component ("%C3%B1" → "ñ"; with plus_as_space, '+' → ' '). A '%' not
// followed by two hex digits stays as it is.
std::string PercentDecode(std::string_view s, bool plus_as_space = false);
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
// A row id in a path or cursor: 1–18 decimal digits (fits bigint).
bool IsRowId(std::string_view id);
}  // namespace vertice
