// Framing between authd and its PAM worker processes.
#include <gtest/gtest.h>

#include "auth/worker_frame.hpp"

namespace frame = postern::auth::frame;

TEST(AuthWorkerFrame, RoundTripByteByByte) {
  auto a = frame::encode({"A", "smtp", "alice", "secret", "192.0.2.1"});
  auto b = frame::encode({"L", "bob"});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->substr(0, 4), std::string("\0\0\0\x1d", 4));  // 29 payload bytes
  std::string all = *a + *b;
  frame::Reader r;
  std::vector<std::vector<std::string>> got;
  for (char c : all) {
    r.feed(std::string_view(&c, 1));
    std::vector<std::string> f;
    while (r.next(&f) == frame::Reader::Status::frame) got.push_back(f);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (std::vector<std::string>{"A", "smtp", "alice", "secret", "192.0.2.1"}));
  EXPECT_EQ(got[1], (std::vector<std::string>{"L", "bob"}));
}

TEST(AuthWorkerFrame, Bounds) {
  EXPECT_FALSE(frame::encode({std::string("a\0b", 3)}));
  EXPECT_FALSE(frame::encode({std::string(frame::kMaxFrame + 1, 'x')}));
  frame::Reader r;
  r.feed(std::string("\x00\x01\x00\x00", 4));  // 65536 > kMaxFrame
  std::vector<std::string> f;
  EXPECT_EQ(r.next(&f), frame::Reader::Status::error);
  frame::Reader e;
  e.feed(std::string("\0\0\0\0", 4));  // empty payload: one empty field
  ASSERT_EQ(e.next(&f), frame::Reader::Status::frame);
  EXPECT_EQ(f, (std::vector<std::string>{""}));
}
