"""The thinnest real path through Postern: a message sent with swaks over
SMTP lands in the store and is read back byte for byte with curl (IMAP) and
with Python's imaplib over TLS; a wrong password is refused after the
penalty delay; an unknown recipient is refused at RCPT with 550 5.1.1."""

import imaplib
import os
import smtplib
import ssl
import subprocess
import time
import unittest

from harness import BIN, Postern

MESSAGE = (b"From: Bob <bob@example.net>\r\n"
           b"To: Alice <alice@example.test>\r\n"
           b"Subject: integration test\r\n"
           b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
           b"Message-ID: <it-1@example.net>\r\n"
           b"\r\n"
           b"Hello Alice,\r\n"
           b".leading dot survives dot-stuffing\r\n"
           b"\r\n"
           b"-- \r\nBob\r\n")


# Mail authentication needs DNS, which this test does not have; it has its
# own end-to-end test (test_mailauth.py) with a DNS server on loopback.
NO_MAILAUTH = "[mailauth]\nverify = false\n"


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class EndToEnd(unittest.TestCase):
    def test_swaks_to_curl_and_imaplib(self):
        with Postern(extra_toml=NO_MAILAUTH) as p:
            msgfile = os.path.join(p.dir, "message.eml")
            with open(msgfile, "wb") as f:
                # swaks ends the data with CRLF "." CRLF itself
                f.write(MESSAGE[:-2])
            r = subprocess.run(["swaks", "--server", f"127.0.0.1:{p.ports['mx']}", "--helo", "client.example.net",
                                "--from", "bob@example.net", "--to", "alice@example.test",
                                "--data", msgfile], capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertRegex(r.stdout, r"<-\s+250 2\.0\.0")

            # curl over plain IMAP on loopback (allowed for loopback by default)
            c = subprocess.run(["curl", "-s", "--url", f"imap://127.0.0.1:{p.ports['imap']}/INBOX;UID=1",
                                "--user", "alice:correct horse battery staple"],
                               capture_output=True, timeout=60)
            self.assertEqual(c.returncode, 0, c.stderr)
            via_curl = c.stdout

            # imaplib over implicit TLS
            m = imaplib.IMAP4_SSL("127.0.0.1", p.ports["imaps"], ssl_context=tls_context())
            m.login("alice", "correct horse battery staple")
            typ, data = m.select("INBOX")
            self.assertEqual(typ, "OK")
            self.assertEqual(data[0], b"1")
            typ, data = m.uid("FETCH", "1", "(BODY.PEEK[] RFC822.SIZE)")
            self.assertEqual(typ, "OK")
            via_imaplib = data[0][1]
            m.logout()

            self.assertEqual(via_curl, via_imaplib)
            # The stored message is what was sent, after our trace headers.
            self.assertTrue(via_imaplib.endswith(MESSAGE), via_imaplib[-400:])
            self.assertTrue(via_imaplib.startswith(b"Return-Path: <bob@example.net>\r\n"), via_imaplib[:200])
            self.assertIn(b"Received: from client.example.net", via_imaplib)

    def test_wrong_password_is_refused_after_the_delay(self):
        with Postern(extra_toml=NO_MAILAUTH) as p:
            m = imaplib.IMAP4_SSL("127.0.0.1", p.ports["imaps"], ssl_context=tls_context())
            start = time.monotonic()
            with self.assertRaises(imaplib.IMAP4.error):
                m.login("alice", "Tr0ub4dor&3")
            elapsed = time.monotonic() - start
            # failure_delay_base is 1s in the harness configuration
            self.assertGreaterEqual(elapsed, 0.9)
            # the right password still works afterwards
            m.login("alice", "correct horse battery staple")
            m.logout()
            self.assertNotIn("Tr0ub4dor", p.log("authd"))
            self.assertNotIn("Tr0ub4dor", p.log("imapd"))

    def test_unknown_recipient_and_relay_refused_at_rcpt(self):
        with Postern(extra_toml=NO_MAILAUTH) as p:
            s = smtplib.SMTP("127.0.0.1", p.ports["mx"], local_hostname="client.example.net", timeout=30)
            s.ehlo()
            s.mail("bob@example.net")
            code, msg = s.rcpt("nobody@example.test")
            self.assertEqual(code, 550)
            self.assertTrue(msg.startswith(b"5.1.1"), msg)
            code, msg = s.rcpt("someone@elsewhere.example")
            self.assertEqual(code, 550)
            self.assertTrue(msg.startswith(b"5.7.1"), msg)
            code, msg = s.rcpt("alice@example.test")
            self.assertEqual(code, 250)
            s.quit()

    def test_bad_configuration_names_file_line_and_key(self):
        with Postern(daemons=(), extra_toml=NO_MAILAUTH) as p:
            with open(p.config, "a") as f:
                f.write("[dns]\ntimeout = \"forever\"\n")
            for name in ("authd", "smtpd", "imapd"):
                r = subprocess.run([p.binary(name), "--config", p.config, "--check-config"],
                                   capture_output=True, text=True, timeout=30)
                self.assertNotEqual(r.returncode, 0)
                self.assertRegex(r.stderr + r.stdout, p.config.replace(".", r"\.") + r":\d+: dns\.timeout: ")


if __name__ == "__main__":
    unittest.main(verbosity=2)
