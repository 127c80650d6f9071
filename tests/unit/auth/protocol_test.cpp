// The authd line protocol, both sides: the server's request parser and
// reply formatter (auth/protocol.hpp) and the client's request formatter and
// reply parser (common/authclient/wire.hpp), byte by byte and against each
// other.
#include <gtest/gtest.h>

#include <variant>

#include "auth/protocol.hpp"
#include "common/authclient/wire.hpp"

namespace proto = postern::auth::protocol;
namespace wire = postern::authclient::wire;

namespace {

proto::Request parse_ok(std::string_view line) {
  auto r = proto::parse_request(line);
  EXPECT_TRUE(std::holds_alternative<proto::Request>(r)) << "line: " << line;
  if (!std::holds_alternative<proto::Request>(r)) return proto::VersionRequest{};
  return std::get<proto::Request>(r);
}

bool rejected(std::string_view line) { return std::holds_alternative<proto::ParseError>(proto::parse_request(line)); }

}  // namespace

TEST(AuthProtocol, Version) {
  auto r = parse_ok("VERSION\t1");
  ASSERT_TRUE(std::holds_alternative<proto::VersionRequest>(r));
  EXPECT_EQ(std::get<proto::VersionRequest>(r).major, 1);
  EXPECT_TRUE(rejected("VERSION"));
  EXPECT_TRUE(rejected("VERSION\t"));
  EXPECT_TRUE(rejected("VERSION\tx"));
  EXPECT_TRUE(rejected("VERSION\t1\t2"));
  EXPECT_TRUE(rejected("VERSION\t1234"));
  EXPECT_TRUE(rejected("version\t1"));  // verbs are exact
}

TEST(AuthProtocol, AuthWithInitialResponse) {
  // base64("\0alice\0secret")
  auto r = parse_ok("AUTH\t7\tsmtp\tPLAIN\t192.0.2.1\t1\tAGFsaWNlAHNlY3JldA==");
  ASSERT_TRUE(std::holds_alternative<proto::AuthRequest>(r));
  auto& a = std::get<proto::AuthRequest>(r);
  EXPECT_EQ(a.id, "7");
  EXPECT_EQ(a.service, "smtp");
  EXPECT_EQ(a.mechanism, "PLAIN");
  EXPECT_EQ(a.remote_ip, "192.0.2.1");
  EXPECT_TRUE(a.secured);
  ASSERT_TRUE(a.initial.has_value());
  EXPECT_EQ(*a.initial, std::string("\0alice\0secret", 13));
}

TEST(AuthProtocol, AuthWithoutAndEmptyInitialResponse) {
  auto r = parse_ok("AUTH\ta-1\timap\tLOGIN\t2001:db8::1\t0");
  auto& a = std::get<proto::AuthRequest>(r);
  EXPECT_FALSE(a.initial.has_value());
  EXPECT_FALSE(a.secured);
  EXPECT_EQ(a.remote_ip, "2001:db8::1");
  auto e = parse_ok("AUTH\t1\tsmtp\tPLAIN\t-\t0\t=");
  auto& b = std::get<proto::AuthRequest>(e);
  ASSERT_TRUE(b.initial.has_value());
  EXPECT_EQ(*b.initial, "");
  EXPECT_EQ(b.remote_ip, "-");
}

TEST(AuthProtocol, AuthRejectsInexactLines) {
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tPLAIN\t192.0.2.1"));                 // too few
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tPLAIN\t192.0.2.1\t1\t=\textra"));    // too many
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tPLAIN\t192.0.2.1\t1\t"));            // empty field
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tPLAIN\t192.0.2.1\t2"));              // secured flag
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tplain\t192.0.2.1\t1"));              // mechanism case
  EXPECT_TRUE(rejected("AUTH\t1\tSMTP\tPLAIN\t192.0.2.1\t1"));              // service case
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tPLAIN\t999.0.2.1\t1"));              // not an address
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tPLAIN\tlocalhost\t1"));              // not an address
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tPLAIN\t192.0.2.1\t1\tAGFsaWNl*"));   // bad base64
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tPLAIN\t192.0.2.1\t1\tAGF"));         // bad length
  EXPECT_TRUE(rejected("AUTH\tid with space\tsmtp\tPLAIN\t192.0.2.1\t1"));  // id charset
  EXPECT_TRUE(rejected(std::string("AUTH\t") + std::string(33, 'a') + "\tsmtp\tPLAIN\t-\t1"));
  EXPECT_TRUE(rejected("AUTH\t1\tsmtp\tPLAIN\t192.0.2.1\t1\r"));            // CR is not allowed
  EXPECT_TRUE(rejected(std::string("AUTH\t1\tsmtp\tPLAIN\t-\t1\0", 22)));
  EXPECT_TRUE(rejected("AUTH 1 smtp PLAIN - 1"));                            // tabs, not spaces
}

TEST(AuthProtocol, ContAndCancel) {
  auto r = parse_ok("CONT\t3\tYWxpY2U=");
  auto& c = std::get<proto::ContRequest>(r);
  EXPECT_EQ(c.id, "3");
  EXPECT_EQ(c.response, "alice");
  EXPECT_FALSE(c.cancel);
  auto x = parse_ok("CONT\t3\t*");
  EXPECT_TRUE(std::get<proto::ContRequest>(x).cancel);
  auto e = parse_ok("CONT\t3\t=");
  EXPECT_EQ(std::get<proto::ContRequest>(e).response, "");
  EXPECT_TRUE(rejected("CONT\t3"));
  EXPECT_TRUE(rejected("CONT\t3\t"));
  EXPECT_TRUE(rejected("CONT\t3\t!!!!"));
  EXPECT_TRUE(rejected("CONT\t3\tYWxpY2U=\tx"));
}

TEST(AuthProtocol, Lookup) {
  auto r = parse_ok("LOOKUP\t9\talice@example.org");
  auto& l = std::get<proto::LookupRequest>(r);
  EXPECT_EQ(l.id, "9");
  EXPECT_EQ(l.name, "alice@example.org");
  EXPECT_TRUE(rejected("LOOKUP\t9"));
  EXPECT_TRUE(rejected("LOOKUP\t9\talice bob"));
  EXPECT_TRUE(rejected("LOOKUP\t9\t" + std::string(321, 'a')));
}

TEST(AuthProtocol, UnknownVerbAndEmpty) {
  EXPECT_TRUE(rejected(""));
  EXPECT_TRUE(rejected("HELLO\t1"));
  EXPECT_TRUE(rejected("\tVERSION\t1"));
}

TEST(AuthProtocol, LineBufferByteByByte) {
  proto::LineBuffer lb;
  std::string input = "VERSION\t1\nLOOKUP\t1\talice\n";
  std::vector<std::string> got;
  for (char ch : input) {
    ASSERT_TRUE(lb.feed(std::string_view(&ch, 1)));
    std::string line;
    while (lb.next(&line) == proto::LineBuffer::Status::line) got.push_back(line);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "VERSION\t1");
  EXPECT_EQ(got[1], "LOOKUP\t1\talice");
  EXPECT_EQ(lb.pending(), 0u);
}

TEST(AuthProtocol, LineBufferCap) {
  // Exactly the cap (16383 bytes + LF) is fine; one more byte is not.
  proto::LineBuffer ok;
  std::string line(proto::kMaxLine - 1, 'a');
  ASSERT_TRUE(ok.feed(line + "\n"));
  std::string out;
  EXPECT_EQ(ok.next(&out), proto::LineBuffer::Status::line);
  EXPECT_EQ(out.size(), proto::kMaxLine - 1);

  proto::LineBuffer bad;
  EXPECT_FALSE(bad.feed(std::string(proto::kMaxLine, 'a')));  // no LF can fit any more
  EXPECT_EQ(bad.next(&out), proto::LineBuffer::Status::error);

  proto::LineBuffer slow;  // the same, arriving in pieces
  for (size_t i = 0; i + 1 < proto::kMaxLine; i += 1000) ASSERT_TRUE(slow.feed(std::string(std::min<size_t>(1000, proto::kMaxLine - 1 - i), 'b')));
  EXPECT_FALSE(slow.feed("b"));
}

TEST(AuthProtocol, ReplyFormats) {
  EXPECT_EQ(proto::format_version(), "VERSION\t1\n");
  EXPECT_EQ(proto::format_ok("7", "alice", "/var/lib/postern/mail/alice"),
            "OK\t7\tuser=alice\thome=/var/lib/postern/mail/alice\n");
  EXPECT_EQ(proto::format_ok("7", "alice", ""), "OK\t7\tuser=alice\n");
  EXPECT_EQ(proto::format_fail("7", proto::FailKind::auth, "wrong password"), "FAIL\t7\tauth\twrong password\n");
  EXPECT_EQ(proto::format_fail("7", proto::FailKind::temp, "a\tb\nc"), "FAIL\t7\ttemp\ta?b?c\n");
  EXPECT_EQ(proto::format_fail("7", proto::FailKind::temp, ""), "FAIL\t7\ttemp\tfailed\n");
  EXPECT_EQ(proto::format_cont("7", ""), "CONT\t7\t=\n");
  EXPECT_EQ(proto::format_cont("7", "Username:"), "CONT\t7\tVXNlcm5hbWU6\n");
  EXPECT_EQ(proto::format_user("8", "bob", "/m/bob"), "USER\t8\tuser=bob\thome=/m/bob\n");
  EXPECT_EQ(proto::format_notfound("8"), "NOTFOUND\t8\n");
}

// The client's requests parse on the server, the server's replies on the client.
TEST(AuthProtocol, ClientAndServerAgree) {
  auto req = wire::format_auth("5", "imap", "PLAIN", "198.51.100.7", true, std::string("AGFsaWNlAHNlY3JldA=="));
  ASSERT_TRUE(req);
  EXPECT_EQ(*req, "AUTH\t5\timap\tPLAIN\t198.51.100.7\t1\tAGFsaWNlAHNlY3JldA==\n");
  auto r = parse_ok(std::string_view(*req).substr(0, req->size() - 1));
  EXPECT_EQ(*std::get<proto::AuthRequest>(r).initial, std::string("\0alice\0secret", 13));

  auto noip = wire::format_auth("5", "smtp", "LOGIN", "not-an-ip", false, std::nullopt);
  EXPECT_EQ(*noip, "AUTH\t5\tsmtp\tLOGIN\t-\t0\n");
  EXPECT_FALSE(wire::format_auth("5", "smtp", "LOGIN", "-", false, std::string("%%%%")));
  EXPECT_EQ(*wire::format_cont("5", ""), "CONT\t5\t=\n");
  EXPECT_EQ(*wire::format_cont("5", "*"), "CONT\t5\t*\n");
  EXPECT_FALSE(wire::format_cont("5", "a b"));
  EXPECT_EQ(*wire::format_lookup("6", "bob@example.org"), "LOOKUP\t6\tbob@example.org\n");
  EXPECT_FALSE(wire::format_lookup("6", "bob\texample"));
  EXPECT_EQ(wire::format_version(), proto::format_version());

  auto strip = [](std::string s) { return s.substr(0, s.size() - 1); };
  auto ok = wire::parse_reply(strip(proto::format_ok("5", "alice", "/m/alice")));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->kind, wire::Reply::Kind::ok);
  EXPECT_EQ(ok->user, "alice");
  EXPECT_EQ(ok->home, "/m/alice");
  auto cont = wire::parse_reply(strip(proto::format_cont("5", "")));
  EXPECT_EQ(cont->kind, wire::Reply::Kind::cont);
  EXPECT_EQ(cont->challenge, "");
  auto cont2 = wire::parse_reply(strip(proto::format_cont("5", "Password:")));
  EXPECT_EQ(cont2->challenge, "UGFzc3dvcmQ6");
  auto f = wire::parse_reply(strip(proto::format_fail("5", proto::FailKind::temp, "busy")));
  EXPECT_EQ(f->kind, wire::Reply::Kind::fail_temp);
  EXPECT_EQ(f->reason, "busy");
  auto nf = wire::parse_reply(strip(proto::format_notfound("5")));
  EXPECT_EQ(nf->kind, wire::Reply::Kind::notfound);
  auto v = wire::parse_reply(strip(proto::format_version()));
  EXPECT_EQ(v->kind, wire::Reply::Kind::version);
  EXPECT_EQ(v->version, 1);
}

TEST(AuthProtocol, ClientRejectsMalformedReplies) {
  EXPECT_FALSE(wire::parse_reply("OK\t5"));               // no user=
  EXPECT_FALSE(wire::parse_reply("OK\t5\tuser"));         // not key=value
  EXPECT_FALSE(wire::parse_reply("FAIL\t5\tmaybe\tx"));   // kind
  EXPECT_FALSE(wire::parse_reply("FAIL\t5\tauth"));       // no reason
  EXPECT_FALSE(wire::parse_reply("CONT\t5\t%%"));         // base64
  EXPECT_FALSE(wire::parse_reply("NOTFOUND\t5\tx"));
  EXPECT_FALSE(wire::parse_reply("WHAT\t5"));
  EXPECT_FALSE(wire::parse_reply(""));
  // Unknown key=value fields are for later versions.
  auto r = wire::parse_reply("USER\t5\tuser=bob\tquota=10");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user, "bob");
}
