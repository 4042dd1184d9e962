#include "core/text.hpp"

#include <gtest/gtest.h>

namespace vertice {

TEST(TextTest, Utf8AcceptsSpanishAndRejectsBrokenSequences) {
  EXPECT_TRUE(IsValidUtf8("Distribuciones Ñandú, S.A. — 100 €"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xFF"));
  // Whatever the position of a bad byte relative to the eight-byte ASCII stride.
  for (size_t at = 0; at < 20; ++at) {
    std::string text(20, 'a');
    text[at] = '\xFF';
    EXPECT_FALSE(IsValidUtf8(text)) << at;
    text.replace(at, 1, "\xC3\xB1");
    EXPECT_TRUE(IsValidUtf8(text)) << at;
    text.resize(at + 1);  // ñ cut after its first byte
    EXPECT_FALSE(IsValidUtf8(text)) << at;
  }
}

TEST(TextTest, StorableTextPercentDecodingAndLatin1) {
  EXPECT_TRUE(IsStorableText("Ñandú €"));
  EXPECT_FALSE(IsStorableText(std::string("a\0b", 3)));
  EXPECT_FALSE(IsStorableText("\xFF"));
  EXPECT_EQ(PercentDecode("a%20b%C3%B1+c"), "a b\xC3\xB1+c");
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("%FF%00%zz%4"), std::string("\xFF\0%zz%4", 7));
  EXPECT_EQ(ToValidUtf8("a\xFF\xC3\xB1\xC3"), "a\xEF\xBF\xBD\xC3\xB1\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("ok ñ"), "ok ñ");
  EXPECT_EQ(Latin1ToUtf8("Espa\xF1ol \x80"), "Espa\xC3\xB1ol \xE2\x82\xAC");
}

TEST(TextTest, CompanySlugs) {
  EXPECT_TRUE(IsValidSlug("acme"));
  EXPECT_TRUE(IsValidSlug("acme-norte2"));
  EXPECT_FALSE(IsValidSlug("Acme"));
  EXPECT_FALSE(IsValidSlug("a"));
  EXPECT_FALSE(IsValidSlug("acme-"));
  EXPECT_FALSE(IsValidSlug("1acme"));
  EXPECT_FALSE(IsValidSlug("acme'; DROP TABLE companies;--"));
}

TEST(TextTest, EmailsAndRequestIdsAndUuids) {
  EXPECT_TRUE(IsPlausibleEmail("ceo@acme.mx"));
  EXPECT_FALSE(IsPlausibleEmail("ceo@acme"));
  EXPECT_FALSE(IsPlausibleEmail("c eo@acme.mx"));
  EXPECT_FALSE(IsPlausibleEmail("a@b@acme.mx"));
  EXPECT_TRUE(IsValidRequestId("req-123_abc.9"));
  EXPECT_FALSE(IsValidRequestId("bad id"));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'a')));
  EXPECT_TRUE(IsUuid("0b5a1c9e-3f1d-4c2a-9e55-1d2c3b4a5f60"));
  EXPECT_FALSE(IsUuid("0b5a1c9e3f1d4c2a9e551d2c3b4a5f60"));
}

}  // namespace vertice
