#include <gtest/gtest.h>

#include "url.hpp"

namespace signalr::detail {
namespace {

TEST(UrlTest, ParsesTheParts) {
    auto url = parseUrl("HTTPS://Example.COM:8443/a/b?x=1&y=2#frag").value();
    EXPECT_EQ(url.scheme, "https");
    EXPECT_EQ(url.host, "example.com");
    EXPECT_EQ(url.port, 8443);
    EXPECT_EQ(url.path, "/a/b");
    EXPECT_EQ(url.query, "x=1&y=2");
    EXPECT_EQ(url.toString(), "https://example.com:8443/a/b?x=1&y=2");
}

TEST(UrlTest, DefaultsPortAndPath) {
    auto url = parseUrl("http://host").value();
    EXPECT_EQ(url.port, 80);
    EXPECT_EQ(url.path, "/");
    EXPECT_EQ(parseUrl("wss://host").value().port, 443);
}

TEST(UrlTest, HandlesIpv6) {
    auto url = parseUrl("http://[::1]:5000/hub").value();
    EXPECT_EQ(url.host, "::1");
    EXPECT_EQ(url.port, 5000);
    EXPECT_EQ(url.toString(), "http://[::1]:5000/hub");
}

TEST(UrlTest, RejectsBadUrls) {
    for (const char* bad :
         {"", "host/path", "ftp://x/", "http://", "http://h:0/", "http://h:99999/",
          "http://h:12ab/", "http://user@h/", "http://[::1/"}) {
        EXPECT_FALSE(parseUrl(bad).ok()) << bad;
    }
}

TEST(UrlTest, AppendsPathSegmentsWithOneSlash) {
    EXPECT_EQ(appendPath(parseUrl("http://h/hub").value(), "negotiate").toString(),
              "http://h/hub/negotiate");
    EXPECT_EQ(appendPath(parseUrl("http://h/hub/").value(), "negotiate").toString(),
              "http://h/hub/negotiate");
}

TEST(UrlTest, AppendsEncodedQueryParameters) {
    auto url = appendQuery(parseUrl("http://h/hub?a=1").value(), "access_token", "x y/z+");
    EXPECT_EQ(url.query, "a=1&access_token=x%20y%2Fz%2B");
    EXPECT_EQ(toWebSocketUrl(url).scheme, "ws");
    EXPECT_EQ(toWebSocketUrl(parseUrl("https://h/").value()).scheme, "wss");
}

TEST(UrlTest, RedactsAccessTokens) {
    EXPECT_EQ(redactUrl("ws://h/hub?id=1&access_token=secret&x=2"),
              "ws://h/hub?id=1&access_token=***&x=2");
    EXPECT_EQ(redactUrl("ws://h/hub?access_token=secret"), "ws://h/hub?access_token=***");
    EXPECT_EQ(redactUrl("ws://h/hub?my_access_token=keep"), "ws://h/hub?my_access_token=keep");
}

} // namespace
} // namespace signalr::detail
