#include <string>

#include <gtest/gtest.h>

#include "base64.hpp"

namespace signalr::detail {
namespace {

Bytes bytesOf(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

// RFC 4648, section 10.
TEST(Base64Test, EncodesRfcVectors) {
    EXPECT_EQ(base64Encode(bytesOf("")), "");
    EXPECT_EQ(base64Encode(bytesOf("f")), "Zg==");
    EXPECT_EQ(base64Encode(bytesOf("fo")), "Zm8=");
    EXPECT_EQ(base64Encode(bytesOf("foo")), "Zm9v");
    EXPECT_EQ(base64Encode(bytesOf("foob")), "Zm9vYg==");
    EXPECT_EQ(base64Encode(bytesOf("fooba")), "Zm9vYmE=");
    EXPECT_EQ(base64Encode(bytesOf("foobar")), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfcVectors) {
    EXPECT_EQ(base64Decode(""), Bytes{});
    EXPECT_EQ(base64Decode("Zg=="), bytesOf("f"));
    EXPECT_EQ(base64Decode("Zm8="), bytesOf("fo"));
    EXPECT_EQ(base64Decode("Zm9v"), bytesOf("foo"));
    EXPECT_EQ(base64Decode("Zm9vYg=="), bytesOf("foob"));
    EXPECT_EQ(base64Decode("Zm9vYmE="), bytesOf("fooba"));
    EXPECT_EQ(base64Decode("Zm9vYmFy"), bytesOf("foobar"));
}

TEST(Base64Test, DecodesWithoutPadding) {
    EXPECT_EQ(base64Decode("Zg"), bytesOf("f"));
    EXPECT_EQ(base64Decode("Zm8"), bytesOf("fo"));
    EXPECT_EQ(base64Decode("Zm9vYg"), bytesOf("foob"));
}

TEST(Base64Test, UsesTheStandardAlphabet) {
    EXPECT_EQ(base64Encode(Bytes{0xFB, 0xFF, 0xBF}), "+/+/");
    EXPECT_EQ(base64Decode("+/+/"), (Bytes{0xFB, 0xFF, 0xBF}));
    // The URL-safe alphabet is not accepted.
    EXPECT_EQ(base64Decode("-_-_"), std::nullopt);
}

TEST(Base64Test, RejectsInvalidInput) {
    EXPECT_EQ(base64Decode("Zm9v!"), std::nullopt);
    EXPECT_EQ(base64Decode("Zm 9v"), std::nullopt);
    EXPECT_EQ(base64Decode("Zm9v\n"), std::nullopt);
    EXPECT_EQ(base64Decode("Z"), std::nullopt);
    EXPECT_EQ(base64Decode("Zm9vY"), std::nullopt);
    EXPECT_EQ(base64Decode("Zg=="
                           "Zg=="),
              std::nullopt);
    EXPECT_EQ(base64Decode("Zg="), std::nullopt);
    EXPECT_EQ(base64Decode("Z==="), std::nullopt);
    EXPECT_EQ(base64Decode("===="), std::nullopt);
    EXPECT_EQ(base64Decode("=Zg="), std::nullopt);
    EXPECT_EQ(base64Decode(std::string_view("Zg\0=", 4)), std::nullopt);
    EXPECT_EQ(base64Decode("Zm9v\xC3\xA9"), std::nullopt);
}

TEST(Base64Test, RoundTripsEveryByteValueAndLength) {
    Bytes all;
    for (int i = 0; i < 256; ++i) {
        all.push_back(static_cast<std::uint8_t>(i));
    }
    for (std::size_t length = 0; length <= all.size(); ++length) {
        const Bytes input(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(length));
        const auto encoded = base64Encode(input);
        EXPECT_EQ(encoded.size() % 4, 0u);
        EXPECT_EQ(base64Decode(encoded), input) << length;
    }
}

} // namespace
} // namespace signalr::detail
