"""Nothing acknowledged is lost: postern-smtpd is killed with SIGKILL while
clients are delivering; after a restart every message that got "250" is in
the mailbox exactly once."""

import imaplib
import re
import signal
import smtplib
import threading
import unittest

from harness import Postern, port_open, wait_for

NO_MAILAUTH = "[mailauth]\nverify = false\n"
PASSWORD = "correct horse battery staple"


class CrashSafety(unittest.TestCase):
    def test_kill_9_loses_and_duplicates_nothing_acknowledged(self):
        with Postern(extra_toml=NO_MAILAUTH) as p:
            acked, lock = [], threading.Lock()
            stop = threading.Event()

            def client(worker):
                n = 0
                while not stop.is_set():
                    try:
                        with smtplib.SMTP("127.0.0.1", p.ports["mx"], local_hostname="c.example.net",
                                          timeout=10) as s:
                            while not stop.is_set():
                                mid = f"<crash-{worker}-{n}@example.net>"
                                n += 1
                                s.sendmail("bob@example.net", ["alice@example.test"],
                                           f"Message-ID: {mid}\r\nSubject: crash\r\n\r\n{'x' * 2000}\r\n")
                                with lock:
                                    acked.append(mid)
                    except (OSError, smtplib.SMTPException):
                        return  # the server died under us

            threads = [threading.Thread(target=client, args=(w,)) for w in range(3)]
            for t in threads:
                t.start()
            wait_for(lambda: len(acked) >= 60, "60 acknowledged messages", procs=[p.procs["smtpd"]])
            p.procs["smtpd"].send_signal(signal.SIGKILL)
            p.procs["smtpd"].wait()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            with lock:
                acked_ids = list(acked)

            p.launch("smtpd")
            wait_for(lambda: port_open(p.ports["mx"]), "smtpd restarted", procs=[p.procs["smtpd"]])

            m = imaplib.IMAP4("127.0.0.1", p.ports["imap"])
            m.login("alice", PASSWORD)
            typ, data = m.select("INBOX", readonly=True)
            self.assertEqual(typ, "OK")
            typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            self.assertEqual(typ, "OK")
            stored = []
            for item in data:
                if isinstance(item, tuple):
                    stored += re.findall(rb"<crash-[0-9]+-[0-9]+@example\.net>", item[1])
            stored = [s.decode() for s in stored]
            m.logout()
            for mid in acked_ids:
                self.assertEqual(stored.count(mid), 1, f"{mid} stored {stored.count(mid)} times")
            # An unacknowledged message may or may not be there, but never twice.
            self.assertEqual(len(stored), len(set(stored)))
            self.assertGreaterEqual(len(stored), len(acked_ids))


if __name__ == "__main__":
    unittest.main(verbosity=2)
