// DATA section reader (RFC 5321 4.1.1.4, 4.5.2, 2.3.8): every case is fed
// whole, one byte at a time and in random splits; the result must not depend
// on how the bytes arrived.
#include <gtest/gtest.h>

#include <random>

#include "smtp/data_reader.hpp"

using namespace postern::smtp;

namespace {

struct Outcome {
  DataReader::Status status;
  DataReader::Error error;
  std::string message;
  size_t consumed;
  bool operator==(const Outcome&) const = default;
};

Outcome run(std::string_view in, const std::vector<size_t>& cuts, uint64_t max_size, size_t max_line) {
  DataReader r(max_size, max_line);
  size_t pos = 0, total = 0;
  std::vector<size_t> c = cuts;
  c.push_back(in.size());
  for (size_t cut : c) {
    if (cut < pos) continue;
    size_t used = 0;
    r.feed(in.substr(pos, cut - pos), &used);
    total += used;
    pos = cut;
    if (r.status() != DataReader::Status::need_more) break;
  }
  return {r.status(), r.error(), r.message(), total};
}

// Runs whole, byte by byte, and with 50 random splittings; all must agree.
Outcome check(std::string_view in, uint64_t max_size = 1 << 20, size_t max_line = 1000) {
  Outcome whole = run(in, {}, max_size, max_line);
  std::vector<size_t> bytes;
  for (size_t i = 1; i < in.size(); ++i) bytes.push_back(i);
  EXPECT_EQ(run(in, bytes, max_size, max_line), whole) << "byte by byte";
  std::mt19937 rng(42);
  for (int k = 0; k < 50; ++k) {
    std::vector<size_t> cuts;
    size_t p = 0;
    while (in.size() > 0 && p < in.size()) {
      p += 1 + rng() % 7;
      cuts.push_back(p);
    }
    EXPECT_EQ(run(in, cuts, max_size, max_line), whole) << "random split " << k;
  }
  return whole;
}

}  // namespace

TEST(SmtpData, SimpleMessage) {
  auto o = check("Subject: hi\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(o.status, DataReader::Status::done);
  EXPECT_EQ(o.message, "Subject: hi\r\n\r\nbody\r\n");
}

TEST(SmtpData, EmptyMessage) {
  auto o = check(".\r\n");
  EXPECT_EQ(o.status, DataReader::Status::done);
  EXPECT_EQ(o.message, "");
}

TEST(SmtpData, DotUnstuffing) {
  auto o = check("..leading\r\n...\r\n.x\r\nmid.dle\r\n.\r\n");
  EXPECT_EQ(o.status, DataReader::Status::done);
  EXPECT_EQ(o.message, ".leading\r\n..\r\nx\r\nmid.dle\r\n");
}

TEST(SmtpData, StopsAtTerminatorLeavingPipelinedCommands) {
  std::string in = "a\r\n.\r\nQUIT\r\n";
  auto o = check(in);
  EXPECT_EQ(o.status, DataReader::Status::done);
  EXPECT_EQ(o.consumed, in.size() - 6);
}

TEST(SmtpData, NeedsMoreWithoutTerminator) {
  EXPECT_EQ(check("a\r\n.").status, DataReader::Status::need_more);
  EXPECT_EQ(check("a\r\n.\r").status, DataReader::Status::need_more);
  EXPECT_EQ(check("a.\r\n").status, DataReader::Status::need_more);
}

TEST(SmtpData, BareLfRejectedAndNeverEndsData) {
  // Smuggling attempt: "<LF>.<CR><LF>" must not end the data; the real end
  // comes later and everything in between is part of the rejected message.
  std::string in = "x\n.\r\nMAIL FROM:<evil@example.org>\r\n.\r\nNEXT";
  auto o = check(in);
  EXPECT_EQ(o.status, DataReader::Status::error);
  EXPECT_EQ(o.error, DataReader::Error::bare_lf);
  EXPECT_EQ(o.message, "");
  EXPECT_EQ(o.consumed, in.size() - 4);
}

TEST(SmtpData, BareCrRejected) {
  auto o = check("x\r.\r\nmore\r\n.\r\n");
  EXPECT_EQ(o.status, DataReader::Status::error);
  EXPECT_EQ(o.error, DataReader::Error::bare_cr);
  // "<CR><LF>.<CR>x": the CR after the dot is bare.
  EXPECT_EQ(check("a\r\n.\rb\r\n.\r\n").error, DataReader::Error::bare_cr);
  EXPECT_EQ(check("a\r\r\n.\r\n").error, DataReader::Error::bare_cr);
  EXPECT_EQ(check("a\n\r\n.\r\n").error, DataReader::Error::bare_lf);
}

TEST(SmtpData, DotLfDoesNotTerminate) {
  auto o = check("a\r\n.\nb\r\n.\r\n");
  EXPECT_EQ(o.status, DataReader::Status::error);
  EXPECT_EQ(o.error, DataReader::Error::bare_lf);
}

TEST(SmtpData, TooBigIsReadToTheEnd) {
  std::string body(100, 'x');
  auto o = check(body + "\r\n" + body + "\r\n.\r\nQUIT\r\n", 150);
  EXPECT_EQ(o.status, DataReader::Status::error);
  EXPECT_EQ(o.error, DataReader::Error::too_big);
  EXPECT_EQ(o.message, "");
  DataReader r(150, 1000);
  r.feed(body + "\r\n" + body + "\r\n.\r\n");
  EXPECT_EQ(r.error_reply().to_wire(), "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
}

TEST(SmtpData, ExactSizeLimitAccepted) {
  auto o = check("1234567\r\n.\r\n", 9);
  EXPECT_EQ(o.status, DataReader::Status::done);
  EXPECT_EQ(o.message, "1234567\r\n");
  EXPECT_EQ(check("12345678\r\n.\r\n", 9).error, DataReader::Error::too_big);
}

TEST(SmtpData, LongLinesUpToTheBound) {
  std::string line(2000, 'y');
  EXPECT_EQ(check(line + "\r\n.\r\n", 1 << 20, 2000).status, DataReader::Status::done);
  auto o = check(line + "y\r\n.\r\n", 1 << 20, 2000);
  EXPECT_EQ(o.status, DataReader::Status::error);
  EXPECT_EQ(o.error, DataReader::Error::line_too_long);
}

TEST(SmtpData, NoFurtherInputAfterDone) {
  DataReader r(100, 100);
  size_t used = 0;
  EXPECT_EQ(r.feed(".\r\n", &used), DataReader::Status::done);
  EXPECT_EQ(r.feed("more", &used), DataReader::Status::done);
  EXPECT_EQ(used, 0u);
}

TEST(SmtpData, EightBitAndNulPassThrough) {
  std::string in("caf\xC3\xA9 \0 x\r\n.\r\n", 14);
  auto o = check(in);
  EXPECT_EQ(o.status, DataReader::Status::done);
  EXPECT_EQ(o.message, std::string("caf\xC3\xA9 \0 x\r\n", 11));
}

TEST(SmtpData, CheckLinesForChunkedMessages) {
  EXPECT_EQ(DataReader::check_lines("a\r\nb\r\n", 10), DataReader::Error::none);
  EXPECT_EQ(DataReader::check_lines("", 10), DataReader::Error::none);
  EXPECT_EQ(DataReader::check_lines("a\nb\r\n", 10), DataReader::Error::bare_lf);
  EXPECT_EQ(DataReader::check_lines("a\rb\r\n", 10), DataReader::Error::bare_cr);
  EXPECT_EQ(DataReader::check_lines("a\r", 10), DataReader::Error::bare_cr);
  EXPECT_EQ(DataReader::check_lines("12345678901\r\n", 10), DataReader::Error::line_too_long);
}
