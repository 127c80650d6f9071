"""What systemctl reload/stop do to a running Postern: SIGHUP re-reads the
certificates (a renewal) without touching open connections; SIGTERM stops
accepting but lets a session in progress finish its message."""

import hashlib
import imaplib
import os
import signal
import smtplib
import socket
import ssl
import subprocess
import time
import unittest

from harness import Postern, port_open, wait_for

NO_MAILAUTH = "[mailauth]\nverify = false\n"
PASSWORD = "correct horse battery staple"


def no_verify():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def served_cert(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with no_verify().wrap_socket(s) as t:
            return hashlib.sha256(t.getpeercert(binary_form=True)).hexdigest()


class Lifecycle(unittest.TestCase):
    def test_sighup_reloads_certificates_and_keeps_connections(self):
        with Postern(extra_toml=NO_MAILAUTH) as p:
            before = served_cert(p.ports["imaps"])
            open_conn = imaplib.IMAP4_SSL("127.0.0.1", p.ports["imaps"], ssl_context=no_verify())
            open_conn.login("alice", PASSWORD)
            # certbot renews: new key and certificate in place
            cert, key = os.path.join(p.dir, "tls/cert.pem"), os.path.join(p.dir, "tls/key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-keyout", key + ".new", "-out", cert + ".new", "-days", "30",
                            "-subj", "/CN=mail.example.test"], check=True, capture_output=True)
            os.replace(key + ".new", key)
            os.replace(cert + ".new", cert)
            p.procs["imapd"].send_signal(signal.SIGHUP)
            wait_for(lambda: served_cert(p.ports["imaps"]) != before, "new certificate served",
                     procs=[p.procs["imapd"]])
            # the connection opened before the reload still works
            typ, _ = open_conn.select("INBOX")
            self.assertEqual(typ, "OK")
            open_conn.logout()

    def test_sigterm_lets_a_session_finish_its_message(self):
        with Postern(extra_toml=NO_MAILAUTH) as p:
            s = smtplib.SMTP("127.0.0.1", p.ports["mx"], local_hostname="client.example.net", timeout=30)
            s.ehlo()
            s.mail("bob@example.net")
            s.rcpt("alice@example.test")
            smtpd = p.procs["smtpd"]
            smtpd.send_signal(signal.SIGTERM)
            # no new connections once stopping
            wait_for(lambda: not port_open(p.ports["mx"]), "listener closed", procs=[])
            code, msg = s.data(b"Subject: drained\r\n\r\nstill delivered\r\n")
            self.assertEqual(code, 250, msg)
            s.quit()
            self.assertEqual(smtpd.wait(timeout=30), 0)
            m = imaplib.IMAP4("127.0.0.1", p.ports["imap"])
            m.login("alice", PASSWORD)
            typ, data = m.select("INBOX")
            self.assertEqual(data[0], b"1")
            m.logout()


if __name__ == "__main__":
    unittest.main(verbosity=2)
