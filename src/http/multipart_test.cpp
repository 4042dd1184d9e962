#include "http/multipart.hpp"

#include <gtest/gtest.h>

namespace vertice::http {
namespace {

const std::string kType = "multipart/form-data; boundary=XyZ";
const std::string kBody =
    "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhola\r\n"
    "--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.xml\"\r\n"
    "Content-Type: text/xml\r\n\r\n<a/>\r\n"
    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n<b/>\r\n"
    "--XyZ--\r\n";

TEST(UploadedFilesTest, MultipartGivesItsFilePartsAndSkipsOtherFields) {
  auto files = UploadedFiles(kType, kBody, "documento.xml");
  ASSERT_TRUE(files) << files.error().message;
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].name, "a.xml");
  EXPECT_EQ((*files)[0].bytes, "<a/>");
  EXPECT_EQ((*files)[1].name, "parte-3");  // a "file" field without a file name
  EXPECT_EQ((*files)[1].bytes, "<b/>");
}

TEST(UploadedFilesTest, ARawBodyIsOneFileAndAnEmptyOneNone) {
  auto one = UploadedFiles("application/xml", "<x/>", "documento.xml");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].name, "documento.xml");
  auto none = UploadedFiles("application/xml", "", "documento.xml");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(UploadedFilesTest, AMalformedMultipartBodyIsRefused) {
  auto bad = UploadedFiles(kType, "--XyZ\r\nno headers end", "x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace vertice::http
