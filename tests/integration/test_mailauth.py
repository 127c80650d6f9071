"""Mail authentication end to end: postern-smtpd resolving through a real DNS
server on loopback (Debian's unbound serving test zones) receives genuine and
forged mail on port 25 and files each as the DMARC policy says (INBOX, 550
5.7.1, Junk), replaces forged Authentication-Results of our authserv-id with
its own, and DKIM-signs mail from submission so that Debian's dkimpy verifies
it against the published records."""

import base64
import email
import email.policy
import imaplib
import os
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import unittest

import dkim

from harness import BIN, Postern
from mailauth_dns import Unbound, zone_record_strings

PASSWORD = "correct horse battery staple"
AUTHSERV_ID = "mail.example.test"


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def message(sender, msgid, subject, extra=b""):
    return (extra +
            b"From: Sender <" + sender.encode() + b">\r\n"
            b"To: Alice <alice@example.test>\r\n"
            b"Subject: " + subject.encode() + b"\r\n"
            b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
            b"Message-ID: <" + msgid.encode() + b">\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n"
            b"\r\n"
            b"Hello Alice,\r\n"
            b"the figures are in.\r\n")


def authentication_results(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    return [" ".join(v.split()) for v in msg.get_all("Authentication-Results", [])]


class MailAuthEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.keydir = tempfile.mkdtemp(prefix="postern-it-keys-")
        cls.dns = None
        cls.postern = None
        try:
            cls._start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _start(cls):
        d = cls.keydir
        admin = os.path.join(BIN, "admin/postern")

        # Our signing keys for example.test, made by `postern dkim keygen`.
        ours = {}
        for sel, typ in (("r1", "rsa"), ("e1", "ed25519")):
            out = os.path.join(d, f"example.test.{sel}.pem")
            r = subprocess.run([admin, "dkim", "keygen", "--domain", "example.test", "--selector", sel,
                                "--type", typ, "--out", out], capture_output=True, text=True, check=True)
            ours[sel] = (out, zone_record_strings(r.stdout))

        # The genuine sender's key (example.net), made independently with openssl.
        cls.sender_key = os.path.join(d, "example.net.pem")
        subprocess.run(["openssl", "genrsa", "-traditional", "-out", cls.sender_key, "2048"],
                       check=True, capture_output=True)
        der = subprocess.run(["openssl", "rsa", "-in", cls.sender_key, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        sender_record = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()

        spf_elsewhere = "v=spf1 ip4:192.0.2.1 -all"
        zones = {
            "example.net": [
                ("example.net", "TXT", "v=spf1 ip4:127.0.0.1 -all"),
                ("sel._domainkey.example.net", "TXT", sender_record),
                ("_dmarc.example.net", "TXT", "v=DMARC1; p=reject"),
                ("example.net", "MX", "10 mx.example.net."),
                ("mx.example.net", "A", "127.0.0.1"),
                ("client.example.net", "A", "127.0.0.1"),
            ],
            "strict.example": [
                ("strict.example", "TXT", spf_elsewhere),
                ("_dmarc.strict.example", "TXT", "v=DMARC1; p=reject; adkim=s; aspf=s"),
                ("strict.example", "MX", "10 mx.strict.example."),
                ("mx.strict.example", "A", "192.0.2.1"),
            ],
            "quarantine.example": [
                ("quarantine.example", "TXT", spf_elsewhere),
                ("_dmarc.quarantine.example", "TXT", "v=DMARC1; p=quarantine"),
                ("quarantine.example", "MX", "10 mx.strict.example."),
            ],
            "example.test": [
                ("example.test", "TXT", "v=spf1 ip4:127.0.0.1 -all"),
                ("r1._domainkey.example.test", "TXT", ours["r1"][1]),
                ("e1._domainkey.example.test", "TXT", ours["e1"][1]),
                ("_dmarc.example.test", "TXT", "v=DMARC1; p=reject"),
                ("example.test", "MX", "10 mail.example.test."),
                ("mail.example.test", "A", "127.0.0.1"),
            ],
        }
        cls.dns = Unbound(zones, ptrs=[("127.0.0.1", "client.example.net")], refused=["broken.example"])
        cls.dns.start("example.net")

        cls.postern = Postern(users={"alice": PASSWORD}, extra_toml=f"""
[dns]
upstreams = ["127.0.0.1@{cls.dns.port}"]
trust_anchor_file = ""
timeout = "5s"
[mailauth]
authserv_id = "{AUTHSERV_ID}"
verify = true
dmarc_enforce = true
dkim_sign = true
[[mailauth.dkim_keys]]
domain = "example.test"
selector = "r1"
algorithm = "rsa-sha256"
key_file = "{ours['r1'][0]}"
[[mailauth.dkim_keys]]
domain = "example.test"
selector = "e1"
algorithm = "ed25519-sha256"
key_file = "{ours['e1'][0]}"
""")
        try:
            cls.postern.start()
        except BaseException as e:
            p, cls.postern = cls.postern, None
            p.__exit__(type(e), e, None)  # prints the daemons' logs, removes its directory
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.postern:
                cls.postern.__exit__(None, None, None)
        finally:
            if cls.dns:
                cls.dns.stop()
            shutil.rmtree(cls.keydir, ignore_errors=True)

    def run(self, result=None):
        # On failure, show what postern-smtpd and unbound said.
        failures = len(result.failures) + len(result.errors) if result else 0
        out = super().run(result)
        if result and len(result.failures) + len(result.errors) > failures:
            print("----- smtpd log -----\n" + self.postern.log("smtpd")[-6000:])
            print("----- unbound log -----\n" + self.dns.output()[-2000:])
        return out

    # --- helpers -------------------------------------------------------------

    def send_mx(self, mail_from, raw, helo="client.example.net"):
        with smtplib.SMTP("127.0.0.1", self.postern.ports["mx"], local_hostname=helo, timeout=60) as s:
            s.sendmail(mail_from, ["alice@example.test"], raw)

    def fetch(self, mailbox, msgid):
        """The stored messages of alice's `mailbox` with this Message-ID."""
        m = imaplib.IMAP4_SSL("127.0.0.1", self.postern.ports["imaps"], ssl_context=tls_context())
        try:
            m.login("alice", PASSWORD)
            typ, _ = m.select(mailbox, readonly=True)
            self.assertEqual(typ, "OK", mailbox)
            typ, data = m.uid("SEARCH", None, "HEADER", "Message-ID", msgid)
            self.assertEqual(typ, "OK")
            out = []
            for uid in data[0].split():
                typ, fetched = m.uid("FETCH", uid, "(BODY.PEEK[])")
                self.assertEqual(typ, "OK")
                out.append(fetched[0][1])
            return out
        finally:
            m.logout()

    def sign_as_example_net(self, raw):
        with open(self.sender_key, "rb") as f:
            key = f.read()
        return dkim.sign(raw, b"sel", b"example.net", key, canonicalize=(b"relaxed", b"relaxed"),
                         include_headers=[b"from", b"to", b"subject", b"date", b"message-id"]) + raw

    # --- cases ---------------------------------------------------------------

    def test_a_genuine_signed_mail_is_delivered_with_passing_results(self):
        msgid = "genuine-1@example.net"
        raw = self.sign_as_example_net(message("bob@example.net", msgid, "genuine"))
        self.send_mx("bob@example.net", raw)
        stored = self.fetch("INBOX", msgid)
        self.assertEqual(len(stored), 1)
        ar = authentication_results(stored[0])
        self.assertEqual(len(ar), 1, ar)
        self.assertTrue(ar[0].startswith(AUTHSERV_ID + ";"), ar)
        self.assertIn("spf=pass smtp.mailfrom=bob@example.net", ar[0])
        self.assertIn("dkim=pass", ar[0])
        self.assertIn("header.d=example.net", ar[0])
        self.assertIn("dmarc=pass", ar[0])
        self.assertIn("header.from=example.net", ar[0])
        self.assertEqual(self.fetch("Junk", msgid), [])
        # What we stored still verifies for the sender's signature (dkimpy).
        self.assertTrue(dkim.verify(stored[0], dnsfunc=self.dns.dkimpy_dnsfunc))

    def test_b_forged_from_of_a_reject_domain_gets_550(self):
        msgid = "forged-reject-1@strict.example"
        raw = message("ceo@strict.example", msgid, "urgent wire transfer")
        with self.assertRaises(smtplib.SMTPDataError) as cm:
            self.send_mx("ceo@strict.example", raw)
        self.assertEqual(cm.exception.smtp_code, 550)
        self.assertTrue(cm.exception.smtp_error.startswith(b"5.7.1"), cm.exception.smtp_error)
        self.assertIn(b"DMARC", cm.exception.smtp_error)
        self.assertIn(b"strict.example", cm.exception.smtp_error)
        self.assertEqual(self.fetch("INBOX", msgid), [])
        self.assertEqual(self.fetch("Junk", msgid), [])
        self.assertRegex(self.postern.log("smtpd"), r"mailauth spf=fail mailfrom=<ceo@strict\.example>.*"
                                                    r"dmarc=fail from=strict\.example.*action=reject")

    def test_c_forged_from_of_a_quarantine_domain_goes_to_junk(self):
        msgid = "forged-quarantine-1@quarantine.example"
        raw = message("billing@quarantine.example", msgid, "your invoice")
        self.send_mx("billing@quarantine.example", raw)
        self.assertEqual(self.fetch("INBOX", msgid), [])
        junk = self.fetch("Junk", msgid)
        self.assertEqual(len(junk), 1)
        ar = authentication_results(junk[0])
        self.assertEqual(len(ar), 1, ar)
        self.assertIn("spf=fail", ar[0])
        self.assertIn("dkim=none", ar[0])
        self.assertIn("dmarc=fail", ar[0])
        self.assertIn("dis=quarantine", ar[0])

    def test_d_forged_authentication_results_of_our_id_are_removed(self):
        msgid = "forged-ar-1@example.net"
        forged = (b"Authentication-Results: " + AUTHSERV_ID.encode() +
                  b"; dkim=pass header.d=bank.example\r\n"
                  b"Authentication-Results: relay.example.org; spf=pass smtp.mailfrom=bob@example.net\r\n")
        raw = message("bob@example.net", msgid, "forged verdict", extra=forged)
        self.send_mx("bob@example.net", raw)
        stored = self.fetch("INBOX", msgid)
        self.assertEqual(len(stored), 1)
        self.assertNotIn(b"bank.example", stored[0])
        ar = authentication_results(stored[0])
        ours = [a for a in ar if a.lower().startswith(AUTHSERV_ID + ";")]
        self.assertEqual(len(ours), 1, ar)
        self.assertIn("spf=pass", ours[0])
        self.assertIn("dkim=none", ours[0])
        # Another ADMD's field is not ours to remove.
        self.assertIn("relay.example.org; spf=pass smtp.mailfrom=bob@example.net", ar)

    def test_e_submission_is_signed_and_dkimpy_verifies_it(self):
        msgid = "submitted-1@example.test"
        raw = message("alice@example.test", msgid, "signed by postern")
        with smtplib.SMTP("127.0.0.1", self.postern.ports["sub"], local_hostname="laptop.example.test",
                          timeout=60) as s:
            s.starttls(context=tls_context())
            s.login("alice", PASSWORD)
            s.sendmail("alice@example.test", ["alice@example.test"], raw)
        stored = self.fetch("INBOX", msgid)
        self.assertEqual(len(stored), 1)
        parsed = email.message_from_bytes(stored[0], policy=email.policy.compat32)
        sigs = [" ".join(v.split()) for v in parsed.get_all("DKIM-Signature", [])]
        self.assertEqual(len(sigs), 2, sigs)
        self.assertTrue(any("a=rsa-sha256;" in s and "s=r1;" in s for s in sigs), sigs)
        self.assertTrue(any("a=ed25519-sha256;" in s and "s=e1;" in s for s in sigs), sigs)
        for s in sigs:
            self.assertIn("d=example.test;", s)
        # Debian's dkimpy verifies each signature against the records unbound serves.
        d = dkim.DKIM(stored[0])
        for idx in range(2):
            self.assertTrue(d.verify(idx=idx, dnsfunc=self.dns.dkimpy_dnsfunc), f"signature {idx}: {sigs[idx]}")
        # Submission adds no Authentication-Results of ours.
        self.assertEqual(authentication_results(stored[0]), [])

    def test_f_unavailable_dmarc_policy_gets_451_and_nothing_is_stored(self):
        # broken.example's DNS refuses every query: SPF and the DMARC policy
        # lookup fail temporarily, nothing passes, so the sender must retry.
        msgid = "tempfail-1@broken.example"
        raw = message("someone@broken.example", msgid, "try again")
        with self.assertRaises(smtplib.SMTPDataError) as cm:
            self.send_mx("someone@broken.example", raw)
        self.assertEqual(cm.exception.smtp_code, 451)
        self.assertTrue(cm.exception.smtp_error.startswith(b"4.7.0"), cm.exception.smtp_error)
        self.assertIn(b"broken.example", cm.exception.smtp_error)
        self.assertEqual(self.fetch("INBOX", msgid), [])
        self.assertEqual(self.fetch("Junk", msgid), [])
        self.assertRegex(self.postern.log("smtpd"), r"mailauth spf=temperror mailfrom=<someone@broken\.example>.*"
                                                    r"dmarc=temperror from=broken\.example.*action=tempfail")


class MailAuthConfiguration(unittest.TestCase):
    def test_missing_dkim_key_file_stops_the_start_naming_the_file(self):
        with tempfile.TemporaryDirectory(prefix="postern-it-keys-") as d:
            missing = os.path.join(d, "no-such-key.pem")
            p = Postern(daemons=(), extra_toml=f"""
[mailauth]
[[mailauth.dkim_keys]]
domain = "example.test"
selector = "r1"
algorithm = "rsa-sha256"
key_file = "{missing}"
""")
            with p:
                for args in (["--check-config"], []):
                    r = subprocess.run([p.binary("smtpd"), "--config", p.config] + args,
                                       capture_output=True, text=True, timeout=60)
                    self.assertEqual(r.returncode, 78, r.stdout + r.stderr)  # EX_CONFIG
                    self.assertIn(missing, r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
