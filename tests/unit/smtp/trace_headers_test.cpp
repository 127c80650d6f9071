// Trace fields added at final delivery (RFC 5321 4.4, RFC 3848, RFC 6531 3.7.3).
#include <gtest/gtest.h>

#include "smtp/trace_headers.hpp"

using namespace postern::smtp;

TEST(SmtpTrace, DateIsRfc5322) { EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000"); }

TEST(SmtpTrace, WithProtocol) {
  TraceInfo t;
  EXPECT_EQ(with_protocol(t), "ESMTP");
  t.tls = "TLSv1.3 TLS_AES_128_GCM_SHA256";
  EXPECT_EQ(with_protocol(t), "ESMTPS");
  t.authenticated = true;
  EXPECT_EQ(with_protocol(t), "ESMTPSA");
  t.smtputf8 = true;
  EXPECT_EQ(with_protocol(t), "UTF8SMTPSA");
  t.esmtp = false;
  EXPECT_EQ(with_protocol(t), "SMTP");
}

TEST(SmtpTrace, ReceivedHeader) {
  TraceInfo t;
  t.helo = "client.example";
  t.remote_ip = "192.0.2.7";
  t.hostname = "mx.example.org";
  t.id = "c1.1";
  t.for_rcpt = "alice@example.org";
  t.when = 86400;
  EXPECT_EQ(received_header(t),
            "Received: from client.example ([192.0.2.7])\r\n"
            "\tby mx.example.org (Postern) with ESMTP id c1.1\r\n"
            "\tfor <alice@example.org>; Fri, 02 Jan 1970 00:00:00 +0000\r\n");
  t.for_rcpt.clear();
  EXPECT_EQ(received_header(t).find("for <"), std::string::npos);
}

TEST(SmtpTrace, ReturnPath) {
  Envelope e;
  e.from.null = true;
  EXPECT_EQ(return_path_header(e), "Return-Path: <>\r\n");
  e.from.null = false;
  e.from.addr = Address{"bob", "example.net"};
  EXPECT_EQ(return_path_header(e), "Return-Path: <bob@example.net>\r\n");
}
