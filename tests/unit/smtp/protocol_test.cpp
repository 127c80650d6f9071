// SMTP state machine without sockets: command order (RFC 5321 4.1.4), relay
// refusal (3.6.2), recipient lookup, SIZE/BODY/SMTPUTF8 parameters, limits,
// STARTTLS state reset (RFC 3207 4.2) and submission rules (RFC 4954).
#include <gtest/gtest.h>

#include <map>

#include "smtp/protocol.hpp"

using namespace postern::smtp;

namespace {

struct Driver {
  explicit Driver(Mode mode = Mode::mx, bool tls_available = false, int max_errors = 100)
      : p(make(mode, tls_available, max_errors)) {}
  static ProtocolOptions make(Mode mode, bool tls, int max_errors) {
    ProtocolOptions o;
    o.mode = mode;
    o.hostname = "mx.example.org";
    o.max_message_size = 1000;
    o.max_recipients = 2;
    o.tls_available = tls;
    o.max_errors = max_errors;
    o.is_our_domain = [](std::string_view d) { return d == "example.org" || d == "example.net"; };
    return o;
  }
  // Sends a line; lookups are answered from `users` (a "temp" key fails temporarily).
  std::string send(std::string_view line) {
    Action a = p.on_line(line);
    return finish(a);
  }
  std::string finish(Action a) {
    last = a.kind;
    if (a.kind == ActionKind::lookup) {
      looked_up.push_back(a.lookup_key);
      if (a.lookup_key == "temp") return finish(p.on_lookup_result(std::nullopt, true));
      auto it = users.find(a.lookup_key);
      return finish(p.on_lookup_result(it == users.end() ? std::nullopt : std::optional(it->second), false));
    }
    if (a.kind == ActionKind::auth) {
      mechanism = a.mechanism;
      initial = a.initial;
    }
    return a.reply.to_wire();
  }
  Protocol p;
  std::map<std::string, std::string> users{{"alice", "alice"}, {"bob", "bob"}, {"postmaster", "root"}};
  std::vector<std::string> looked_up;
  ActionKind last = ActionKind::reply;
  std::string mechanism;
  std::optional<std::string> initial;
};

}  // namespace

TEST(SmtpProtocol, GreetingAndEhlo) {
  Driver d;
  EXPECT_EQ(d.p.greeting().to_wire(), "220 mx.example.org ESMTP Postern\r\n");
  EXPECT_EQ(d.send("EHLO client.example"),
            "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n");
  EXPECT_EQ(d.p.envelope().helo, "client.example");
}

TEST(SmtpProtocol, HappyPath) {
  Driver d;
  d.send("EHLO c");
  EXPECT_EQ(d.send("MAIL FROM:<x@remote.example>"), "250 2.1.0 Sender OK\r\n");
  EXPECT_EQ(d.send("RCPT TO:<Alice+lists@Example.ORG>"), "250 2.1.5 Recipient OK\r\n");
  EXPECT_EQ(d.looked_up.back(), "alice");
  EXPECT_EQ(d.send("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  EXPECT_EQ(d.last, ActionKind::data);
  ASSERT_EQ(d.p.envelope().rcpts.size(), 1u);
  EXPECT_EQ(d.p.envelope().rcpts[0].user, "alice");
  EXPECT_EQ(d.p.envelope().rcpts[0].address, "Alice+lists@Example.ORG");
  d.p.data_done();
  EXPECT_EQ(d.p.state(), State::ready);
  EXPECT_EQ(d.send("MAIL FROM:<>"), "250 2.1.0 Sender OK\r\n");
}

TEST(SmtpProtocol, BadSequence) {
  Driver d;
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example>"), "503 5.5.1 Send EHLO/HELO first\r\n");
  d.send("HELO c");
  EXPECT_EQ(d.send("RCPT TO:<alice@example.org>"), "503 5.5.1 Need MAIL command first\r\n");
  EXPECT_EQ(d.send("DATA"), "503 5.5.1 Need MAIL command first\r\n");
  d.send("MAIL FROM:<a@b.example>");
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example>"), "503 5.5.1 Nested MAIL command\r\n");
  EXPECT_EQ(d.send("DATA"), "554 5.5.1 No valid recipients\r\n");
}

TEST(SmtpProtocol, RelayDeniedAndUnknownUser) {
  Driver d;
  d.send("EHLO c");
  d.send("MAIL FROM:<a@b.example>");
  EXPECT_EQ(d.send("RCPT TO:<someone@elsewhere.example>"), "550 5.7.1 Relaying denied\r\n");
  EXPECT_EQ(d.send("RCPT TO:<alice@[192.0.2.1]>"), "550 5.7.1 Relaying denied\r\n");
  EXPECT_EQ(d.send("RCPT TO:<nobody@example.org>"),
            "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown\r\n");
  EXPECT_EQ(d.send("RCPT TO:<temp@example.org>"), "451 4.3.0 Temporary lookup failure, try again later\r\n");
  EXPECT_EQ(d.p.state(), State::mail);
  EXPECT_EQ(d.send("RCPT TO:<Postmaster>"), "250 2.1.5 Recipient OK\r\n");
}

TEST(SmtpProtocol, TooManyRecipients) {
  Driver d;
  d.send("EHLO c");
  d.send("MAIL FROM:<a@b.example>");
  d.send("RCPT TO:<alice@example.org>");
  d.send("RCPT TO:<bob@example.org>");
  EXPECT_EQ(d.send("RCPT TO:<alice@example.net>"), "452 4.5.3 Too many recipients\r\n");
  EXPECT_EQ(d.p.envelope().rcpts.size(), 2u);
}

TEST(SmtpProtocol, MailParameters) {
  Driver d;
  d.send("EHLO c");
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example> SIZE=1001"),
            "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example> SIZE=99999999999999999999999"), "501 5.5.4 Bad SIZE value\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example> BODY=BINARYMIME"), "501 5.5.4 Unsupported BODY type\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example> FOO=1"), "555 5.5.4 Unsupported parameter FOO\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example> SIZE=1000 BODY=8bitmime"), "250 2.1.0 Sender OK\r\n");
  EXPECT_TRUE(d.p.envelope().body_8bit);
  EXPECT_EQ(d.p.envelope().declared_size, 1000u);
  EXPECT_EQ(d.send("RCPT TO:<alice@example.org> NOTIFY=NEVER"), "555 5.5.4 Unsupported parameter NOTIFY\r\n");
}

TEST(SmtpProtocol, Smtputf8RequiredForUtf8Addresses) {
  Driver d;
  d.users["jörg"] = "joerg";
  d.send("EHLO c");
  EXPECT_EQ(d.send("MAIL FROM:<j\xC3\xB6rg@b.example>"), "553 5.6.7 Non-ASCII address needs SMTPUTF8\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example>"), "250 2.1.0 Sender OK\r\n");
  EXPECT_EQ(d.send("RCPT TO:<j\xC3\xB6rg@example.org>"), "553 5.6.7 Non-ASCII address needs SMTPUTF8\r\n");
  d.send("RSET");
  EXPECT_EQ(d.send("MAIL FROM:<j\xC3\xB6rg@b.example> SMTPUTF8"), "250 2.1.0 Sender OK\r\n");
  EXPECT_EQ(d.send("RCPT TO:<j\xC3\xB6rg@example.org>"), "250 2.1.5 Recipient OK\r\n");
}

TEST(SmtpProtocol, HeloHasNoParameters) {
  Driver d;
  d.send("HELO c");
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example> SIZE=10"), "555 5.5.4 Parameters need EHLO\r\n");
}

TEST(SmtpProtocol, RsetVrfyNoopHelpQuit) {
  Driver d;
  d.send("EHLO c");
  d.send("MAIL FROM:<a@b.example>");
  d.send("RCPT TO:<alice@example.org>");
  EXPECT_EQ(d.send("RSET"), "250 2.0.0 OK\r\n");
  EXPECT_EQ(d.p.state(), State::ready);
  EXPECT_TRUE(d.p.envelope().rcpts.empty());
  EXPECT_EQ(d.send("VRFY alice"), "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery\r\n");
  EXPECT_EQ(d.send("NOOP"), "250 2.0.0 OK\r\n");
  EXPECT_EQ(d.send("HELP").substr(0, 10), "214 2.0.0 ");
  EXPECT_EQ(d.send("QUIT"), "221 2.0.0 mx.example.org closing connection\r\n");
  EXPECT_EQ(d.last, ActionKind::quit);
}

TEST(SmtpProtocol, TooManyErrorsCloses) {
  Driver d(Mode::mx, false, 5);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(d.send("BOGUS"), "500 5.5.2 Command not recognized\r\n");
  EXPECT_EQ(d.send("BOGUS"), "421 4.7.0 mx.example.org Too many errors, closing connection\r\n");
  EXPECT_EQ(d.last, ActionKind::close);
}

TEST(SmtpProtocol, LineProblems) {
  Driver d;
  EXPECT_EQ(d.p.on_line_too_long().reply.to_wire(), "500 5.5.2 Line too long\r\n");
  EXPECT_EQ(d.p.on_bare_lf().reply.code, 500);
  EXPECT_EQ(d.p.timeout_reply().to_wire(), "421 4.4.2 mx.example.org Timeout, closing connection\r\n");
}

TEST(SmtpProtocol, StarttlsResetsState) {
  Driver d(Mode::mx, true);
  EXPECT_NE(d.send("EHLO c").find("250 STARTTLS\r\n"), std::string::npos);
  d.send("MAIL FROM:<a@b.example>");
  EXPECT_EQ(d.send("STARTTLS"), "503 5.5.1 STARTTLS not allowed during a mail transaction\r\n");
  d.send("RSET");
  EXPECT_EQ(d.send("STARTTLS"), "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_EQ(d.last, ActionKind::starttls);
  d.p.on_tls_started();
  EXPECT_EQ(d.p.state(), State::init);
  EXPECT_EQ(d.send("MAIL FROM:<a@b.example>"), "503 5.5.1 Send EHLO/HELO first\r\n");
  EXPECT_EQ(d.send("EHLO c").find("STARTTLS"), std::string::npos);
  EXPECT_EQ(d.send("STARTTLS"), "503 5.5.1 TLS already active\r\n");
}

TEST(SmtpProtocol, StarttlsWithoutCertificate) {
  Driver d;
  d.send("EHLO c");
  EXPECT_EQ(d.send("STARTTLS"), "454 4.7.0 TLS not available\r\n");
}

TEST(SmtpProtocol, NoAuthOnMxPort) {
  Driver d(Mode::mx, true);
  d.send("EHLO c");
  EXPECT_EQ(d.send("AUTH PLAIN"), "503 5.5.1 Authentication not enabled on this port\r\n");
}

TEST(SmtpProtocol, SubmissionNeedsTlsThenAuth) {
  Driver d(Mode::submission, true);
  auto ehlo = d.send("EHLO c");
  EXPECT_EQ(ehlo.find("AUTH"), std::string::npos);  // not before TLS
  EXPECT_EQ(d.send("AUTH PLAIN AGFsaWNlAHNlY3JldA=="), "530 5.7.0 Must issue a STARTTLS command first\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<alice@example.org>"), "530 5.7.0 Must issue a STARTTLS command first\r\n");
  d.send("STARTTLS");
  d.p.on_tls_started();
  EXPECT_NE(d.send("EHLO c").find("250 AUTH PLAIN LOGIN\r\n"), std::string::npos);
  EXPECT_EQ(d.send("MAIL FROM:<alice@example.org>"), "530 5.7.0 Authentication required\r\n");
  EXPECT_EQ(d.send("AUTH CRAM-MD5"), "504 5.5.4 Unrecognized authentication type\r\n");
  d.send("AUTH plain =");
  EXPECT_EQ(d.last, ActionKind::auth);
  EXPECT_EQ(d.mechanism, "PLAIN");
  EXPECT_EQ(d.initial, "");
  EXPECT_EQ(d.p.on_auth_result(AuthOutcome::fail, "").reply.to_wire(),
            "535 5.7.8 Authentication credentials invalid\r\n");
  EXPECT_EQ(d.p.on_auth_result(AuthOutcome::temp, "").reply.to_wire(), "454 4.7.0 Temporary authentication failure\r\n");
  EXPECT_EQ(d.p.on_auth_result(AuthOutcome::ok, "alice").reply.to_wire(), "235 2.7.0 Authentication successful\r\n");
  EXPECT_EQ(d.send("AUTH LOGIN"), "503 5.5.1 Already authenticated\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<bob@example.org>"), "553 5.7.1 Sender address not owned by user alice\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<alice@elsewhere.example>"), "553 5.7.1 Sender address not owned by user alice\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<Alice+news@example.net>"), "250 2.1.0 Sender OK\r\n");
  EXPECT_EQ(d.send("RCPT TO:<friend@remote.example>"), "554 5.3.3 Remote delivery not available yet\r\n");
  EXPECT_EQ(d.send("RCPT TO:<bob@example.org>"), "250 2.1.5 Recipient OK\r\n");
}

TEST(SmtpProtocol, AuthNotDuringTransaction) {
  Driver d(Mode::submission, true);
  d.p.on_tls_started();
  d.send("EHLO c");
  d.p.on_auth_result(AuthOutcome::ok, "alice");
  d.send("MAIL FROM:<alice@example.org>");
  EXPECT_EQ(d.send("AUTH PLAIN"), "503 5.5.1 AUTH not allowed during a mail transaction\r\n");
}

TEST(SmtpProtocol, Bdat) {
  Driver d;
  d.send("EHLO c");
  Action a = d.p.on_line("BDAT 10");
  EXPECT_EQ(a.kind, ActionKind::bdat);  // no transaction: the chunk is read, then refused
  EXPECT_EQ(a.chunk_size, 10u);
  EXPECT_EQ(a.reply.to_wire(), "503 5.5.1 Need MAIL command first\r\n");
  d.send("MAIL FROM:<a@b.example>");
  a = d.p.on_line("BDAT 5");
  EXPECT_EQ(a.kind, ActionKind::bdat);
  EXPECT_EQ(a.reply.to_wire(), "554 5.5.1 No valid recipients\r\n");
  d.send("RCPT TO:<alice@example.org>");
  a = d.p.on_line("BDAT 5");
  EXPECT_EQ(a.kind, ActionKind::bdat);
  EXPECT_EQ(a.reply.code, 0);
  EXPECT_TRUE(a.first_chunk);
  EXPECT_FALSE(a.last);
  a = d.p.on_line("bdat 0 last");
  EXPECT_EQ(a.reply.code, 0);
  EXPECT_FALSE(a.first_chunk);
  EXPECT_TRUE(a.last);
  EXPECT_EQ(d.send("DATA"), "503 5.5.1 DATA not allowed after BDAT\r\n");
  d.p.data_done();
  EXPECT_EQ(d.p.state(), State::ready);
}

TEST(SmtpProtocol, BdatSyntaxErrorCloses) {
  Driver d;
  d.send("EHLO c");
  for (auto line : {"BDAT", "BDAT x", "BDAT 1 FIRST", "BDAT -1", "BDAT 99999999999999999999"}) {
    Action a = d.p.on_line(line);
    EXPECT_EQ(a.kind, ActionKind::close) << line;
    EXPECT_EQ(a.reply.code, 501) << line;
  }
}

namespace {
Driver pickup(std::string user, bool trusted = false) {
  Driver d(Mode::pickup, true);  // a certificate exists, yet pickup never offers TLS
  ProtocolOptions o = Driver::make(Mode::pickup, true, 100);
  o.local_user = std::move(user);
  o.trusted = trusted;
  o.default_domain = "example.org";
  d.p = Protocol(o);
  return d;
}
}  // namespace

TEST(SmtpProtocol, PickupIsTheLocalUserWithoutTlsOrAuth) {
  Driver d = pickup("alice");
  EXPECT_EQ(d.p.auth_user(), "alice");
  auto ehlo = d.send("EHLO localhost");
  EXPECT_EQ(ehlo.find("STARTTLS"), std::string::npos);
  EXPECT_EQ(ehlo.find("AUTH"), std::string::npos);
  EXPECT_EQ(d.send("STARTTLS"), "502 5.5.1 STARTTLS not available on the local socket\r\n");
  EXPECT_EQ(d.send("AUTH PLAIN"), "503 5.5.1 Authentication not enabled on this port\r\n");
}

TEST(SmtpProtocol, PickupSenderRules) {
  Driver d = pickup("alice");
  d.send("EHLO localhost");
  EXPECT_EQ(d.send("MAIL FROM:<> SIZE=100"), "250 2.1.0 Sender <alice@example.org> OK\r\n");
  EXPECT_EQ(d.p.envelope().sender(), "alice@example.org");
  d.send("RSET");
  EXPECT_EQ(d.send("MAIL FROM:"), "250 2.1.0 Sender <alice@example.org> OK\r\n");
  d.send("RSET");
  EXPECT_EQ(d.send("MAIL"), "250 2.1.0 Sender <alice@example.org> OK\r\n");
  d.send("RSET");
  EXPECT_EQ(d.send("MAIL FROM:<alice> BODY=8BITMIME"), "250 2.1.0 Sender <alice@example.org> OK\r\n");
  EXPECT_TRUE(d.p.envelope().body_8bit);
  d.send("RSET");
  EXPECT_EQ(d.send("MAIL FROM:<ALICE+x@MX.example.org>"), "250 2.1.0 Sender <ALICE+x@MX.example.org> OK\r\n");
  d.send("RSET");
  EXPECT_EQ(d.send("MAIL FROM:<bob@example.org>"), "553 5.7.1 Sender address not owned by user alice\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<alice@[127.0.0.1]>"), "553 5.7.1 Sender address not owned by user alice\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<alice@remote.example>"), "553 5.7.1 Sender address not owned by user alice\r\n");
  EXPECT_EQ(d.send("MAIL FROM:<a\"b>"), "501 5.1.7 Bad address syntax\r\n");  // not rewritten

  Driver root = pickup("root", true);
  root.send("EHLO localhost");
  EXPECT_EQ(root.send("MAIL FROM:<anyone@remote.example>"), "250 2.1.0 Sender <anyone@remote.example> OK\r\n");
}

TEST(SmtpProtocol, PickupRecipients) {
  Driver d = pickup("alice");
  d.send("EHLO localhost");
  d.send("MAIL FROM:<>");
  EXPECT_EQ(d.send("RCPT TO:<bob>"), "250 2.1.5 Recipient OK\r\n");
  EXPECT_EQ(d.p.envelope().rcpts.back().address, "bob@example.org");
  EXPECT_EQ(d.send("RCPT TO:<nobody>"), "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown\r\n");
  EXPECT_EQ(d.send("RCPT TO:<x@remote.example>"), "554 5.3.3 Remote delivery not available yet\r\n");
  EXPECT_EQ(d.send("RCPT TO:<bob> NOTIFY=NEVER"), "555 5.5.4 Unsupported parameter NOTIFY\r\n");
  EXPECT_EQ(d.send("RCPT TO:<Postmaster>"), "250 2.1.5 Recipient OK\r\n");
  EXPECT_EQ(d.p.envelope().rcpts.back().address, "postmaster");
}

TEST(SmtpProtocol, PickupWithoutUserRefusesMail) {
  Driver d = pickup("");
  d.send("EHLO localhost");
  EXPECT_EQ(d.send("MAIL FROM:<>"), "530 5.7.0 Authentication required\r\n");
}
