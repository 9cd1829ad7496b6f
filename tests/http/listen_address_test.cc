#include "server/http/listen_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace kms {
namespace {

TEST(ListenAddressTest, ParsesIpv4) {
  auto address = ParseListenAddress("127.0.0.1", 8443);
  ASSERT_TRUE(address.ok());
  EXPECT_FALSE(address->ipv6);
  EXPECT_EQ(address->length, sizeof(sockaddr_in));
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address->get());
  EXPECT_EQ(v4->sin_family, AF_INET);
  EXPECT_EQ(ntohs(v4->sin_port), 8443);
  EXPECT_EQ(ntohl(v4->sin_addr.s_addr), 0x7f000001u);
}

TEST(ListenAddressTest, LocalhostMeansLoopback) {
  auto address = ParseListenAddress("localhost", 0);
  ASSERT_TRUE(address.ok());
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address->get());
  EXPECT_EQ(ntohl(v4->sin_addr.s_addr), 0x7f000001u);
  EXPECT_EQ(v4->sin_port, 0);
}

TEST(ListenAddressTest, ParsesIpv6WithAndWithoutBrackets) {
  for (const char* text : {"::1", "[::1]"}) {
    auto address = ParseListenAddress(text, 443);
    ASSERT_TRUE(address.ok()) << text;
    EXPECT_TRUE(address->ipv6);
    EXPECT_EQ(address->length, sizeof(sockaddr_in6));
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address->get());
    EXPECT_EQ(v6->sin6_family, AF_INET6);
    EXPECT_EQ(ntohs(v6->sin6_port), 443);
    EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr));
  }
}

TEST(ListenAddressTest, RejectsNamesAndBadPorts) {
  EXPECT_EQ(ParseListenAddress("example.com", 80).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseListenAddress("", 80).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseListenAddress("256.0.0.1", 80).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseListenAddress("127.0.0.1", -1).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseListenAddress("127.0.0.1", 65536).status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kms
