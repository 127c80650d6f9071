"""postern-sendmail, the /usr/sbin/sendmail of Postern, against a real
postern-smtpd: a message piped in by a local program goes through the pickup
socket (the server knows our uid from the kernel) into alice's mailbox and
is read back over IMAP with imaplib. Also: LF-only input becomes CRLF, the
missing header fields are added, Bcc is removed with -t, an unknown recipient
exits with EX_NOUSER (67), no server exits with EX_TEMPFAIL (75), and pickup
mail is DKIM-signed like submission mail (verified with Debian's dkimpy)."""

import email
import email.utils
import imaplib
import os
import pwd
import re
import ssl
import subprocess
import unittest

import dkim

from harness import BIN, Postern, wait_for

SENDMAIL = os.path.join(BIN, "sendmail", "postern-sendmail")
PASSWORD = "correct horse battery staple"


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def pickup_socket(p):
    path = os.path.join(p.dir, "run", "pickup.sock")
    wait_for(lambda: os.path.exists(path), "pickup socket", procs=list(p.procs.values()))
    return path


def sendmail(p, args, data, env=None):
    cmd = [SENDMAIL] + (["--config", p.config] if p else []) + args
    return subprocess.run(cmd, input=data, capture_output=True, timeout=60, env=env)


def fetch_all(p, user="alice"):
    m = imaplib.IMAP4_SSL("127.0.0.1", p.ports["imaps"], ssl_context=tls_context())
    try:
        m.login(user, PASSWORD)
        typ, data = m.select("INBOX", readonly=True)
        if typ != "OK" or data[0] == b"0":
            return []
        typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
        return [part[1] for part in data if isinstance(part, tuple)]
    finally:
        m.logout()


class Sendmail(unittest.TestCase):
    def test_t_extracts_recipients_removes_bcc_and_adds_headers(self):
        me = pwd.getpwuid(os.getuid()).pw_name
        # root (CI) may choose any envelope sender, like Postfix's trusted users;
        # anyone else sends as their own address.
        sender = "cron-reports@elsewhere.example" if os.getuid() == 0 else f"{me}+cron@example.test"
        msg = (b"To: Alice <alice@example.test>\n"
               b"Bcc: alice\n"
               b"Subject: nightly\n"
               b"\n"
               b"report line\n"
               b".leading dot\n"
               b".\n"
               b"not part of the message\n")
        with Postern() as p:
            pickup_socket(p)
            r = sendmail(p, ["-t", "-odi", "-oem", "-f", sender, "-F", "Cron Daemon"], msg)
            self.assertEqual(r.returncode, 0, r.stderr)
            msgs = fetch_all(p)
            # alice was named twice (To and Bcc): one copy.
            self.assertEqual(len(msgs), 1)
            raw = msgs[0]
            self.assertTrue(raw.startswith(f"Return-Path: <{sender}>\r\n".encode()), raw[:200])
            self.assertNotIn(b"Bcc:", raw)
            self.assertNotIn(b"not part of the message", raw)
            self.assertTrue(raw.endswith(b"\r\n\r\nreport line\r\n.leading dot\r\n"), raw[-200:])
            parsed = email.message_from_bytes(raw)
            self.assertEqual(parsed["From"], f"Cron Daemon <{sender}>")
            self.assertEqual(parsed["Subject"], "nightly")
            self.assertRegex(parsed["Message-ID"], r"^<[^@<>]+@mail\.example\.test>$")
            self.assertTrue(email.utils.parsedate_tz(parsed["Date"]), parsed["Date"])
            self.assertIn("pickup", p.log("smtpd"))

    def test_bare_name_and_lf_only_input(self):
        me = pwd.getpwuid(os.getuid()).pw_name
        with Postern() as p:
            pickup_socket(p)
            r = sendmail(p, ["-i", "alice"], b"Subject: lf only\n\nline one\n.\nline three\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            msgs = fetch_all(p)
            self.assertEqual(len(msgs), 1)
            raw = msgs[0]
            # The server chose the sender: our user at the first domain.
            self.assertTrue(raw.startswith(f"Return-Path: <{me}@example.test>\r\n".encode()), raw[:200])
            self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))  # every line end is CRLF
            self.assertTrue(raw.endswith(b"Subject: lf only\r\n\r\nline one\r\n.\r\nline three\r\n"), raw[-200:])
            parsed = email.message_from_bytes(raw)
            self.assertIn(f"<{me}@example.test>", parsed["From"])

    def test_unknown_recipient_exits_67_and_nothing_is_sent(self):
        with Postern() as p:
            pickup_socket(p)
            r = sendmail(p, ["nobody@example.test", "alice"], b"Subject: x\n\nhi\n")
            self.assertEqual(r.returncode, 67, r.stderr)
            self.assertIn(b"550 5.1.1", r.stderr)
            self.assertEqual(fetch_all(p), [])
            r = sendmail(p, ["someone@remote.example"], b"Subject: x\n\nhi\n")
            self.assertEqual(r.returncode, 69, r.stderr)
            self.assertIn(b"554 5.3.3", r.stderr)

    def test_pickup_mail_is_dkim_signed(self):
        p = Postern()  # configured before it starts: a signing key for example.test
        key = os.path.join(p.dir, "example.test.r1.pem")
        r = subprocess.run([os.path.join(BIN, "admin/postern"), "dkim", "keygen", "--domain", "example.test",
                            "--selector", "r1", "--type", "rsa", "--out", key],
                           capture_output=True, text=True, check=True)
        line = next(l for l in r.stdout.splitlines() if "IN TXT" in l)
        record = "".join(re.findall(r'"([^"]*)"', line.split("IN TXT", 1)[1].split(")")[0])).encode()
        with open(p.config, "a") as f:
            f.write(f"""
[mailauth]
dkim_sign = true
verify = false
[[mailauth.dkim_keys]]
domain = "example.test"
selector = "r1"
algorithm = "rsa-sha256"
key_file = "{key}"
""")
        with p:
            pickup_socket(p)
            r = sendmail(p, ["-t"], b"To: alice@example.test\nSubject: signed\n\nsigned by pickup\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            msgs = fetch_all(p)
            self.assertEqual(len(msgs), 1)
            self.assertIn(b"DKIM-Signature:", msgs[0])

            def dnsfunc(name, timeout=5):
                return record if name == b"r1._domainkey.example.test." else None

            self.assertTrue(dkim.verify(msgs[0], dnsfunc=dnsfunc))

    def test_more_recipients_than_a_transaction_takes(self):
        # smtp.max_recipients = 1: the server answers 452 to the second RCPT,
        # and postern-sendmail sends the rest in another transaction.
        p = Postern(users={"alice": PASSWORD, "bob": PASSWORD})
        with open(p.config) as f:
            text = f.read()
        with open(p.config, "w") as f:
            f.write(text.replace("[smtp]\n", "[smtp]\nmax_recipients = 1\n", 1))
        with p:
            pickup_socket(p)
            r = sendmail(p, ["alice", "bob@example.test"], b"Subject: two\n\nfor both\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            for user in ("alice", "bob"):
                msgs = fetch_all(p, user)
                self.assertEqual(len(msgs), 1, user)
                self.assertTrue(msgs[0].endswith(b"\r\n\r\nfor both\r\n"))
            self.assertIn("452 4.5.3", p.log("smtpd"))

    def test_no_server_exits_75(self):
        env = dict(os.environ, POSTERN_PICKUP_SOCKET="/nonexistent/postern/pickup.sock")
        r = sendmail(None, ["alice"], b"Subject: x\n\nhi\n", env=env)
        self.assertEqual(r.returncode, 75, r.stderr)
        self.assertIn(b"cannot connect", r.stderr)

    def test_unsupported_modes_are_usage_errors(self):
        env = dict(os.environ, POSTERN_PICKUP_SOCKET="/nonexistent/postern/pickup.sock")
        r = sendmail(None, ["-bp"], b"", env=env)
        self.assertEqual(r.returncode, 64)
        self.assertIn(b"-bp", r.stderr)


if __name__ == "__main__":
    unittest.main()
