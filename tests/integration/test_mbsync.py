"""A real mail synchronizer against postern-imapd: mbsync (isync) pulls the
mailboxes over implicit TLS into a local Maildir, and pushes a message and a
flag change made locally back to the server."""

import glob
import imaplib
import os
import smtplib
import ssl
import subprocess
import unittest

from harness import Postern

NO_MAILAUTH = "[mailauth]\nverify = false\n"
PASSWORD = "correct horse battery staple"


def message(n):
    return (f"From: bob@example.net\r\nTo: alice@example.test\r\nSubject: sync {n}\r\n"
            f"Message-ID: <sync-{n}@example.net>\r\n\r\nbody {n}\r\n").encode()


class Mbsync(unittest.TestCase):
    def test_two_way_sync(self):
        with Postern(extra_toml=NO_MAILAUTH) as p:
            with smtplib.SMTP("127.0.0.1", p.ports["mx"], local_hostname="client.example.net", timeout=30) as s:
                for n in (1, 2):
                    s.sendmail("bob@example.net", ["alice@example.test"], message(n))
            local = os.path.join(p.dir, "local")
            os.makedirs(local)
            rc = os.path.join(p.dir, "mbsyncrc")
            with open(rc, "w") as f:
                f.write(f"""IMAPAccount alice
Host localhost
Port {p.ports['imaps']}
User alice
Pass "{PASSWORD}"
SSLType IMAPS
CertificateFile {p.dir}/tls/cert.pem

IMAPStore remote
Account alice

MaildirStore local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel alice
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
""")

            def sync():
                r = subprocess.run(["mbsync", "-c", rc, "-a"], capture_output=True, text=True, timeout=120)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

            sync()
            files = sorted(glob.glob(os.path.join(local, "INBOX", "*", "*")))
            self.assertEqual(len(files), 2, files)
            # mbsync stores LF line ends locally and adds its own X-TUID header.
            bodies = sorted(open(f, "rb").read() for f in files)
            for n, b in zip((1, 2), bodies):
                self.assertIn(f"Subject: sync {n}\n".encode(), b)
                self.assertTrue(b.endswith(f"\n\nbody {n}\n".encode()), b)
            # The special-use mailboxes came along.
            for box in ("Sent", "Drafts", "Trash", "Junk", "Archive"):
                self.assertTrue(os.path.isdir(os.path.join(local, box)), box)

            # Locally: mark message 1 seen, put a new message into Archive.
            f1 = next(f for f in files if b"sync 1" in open(f, "rb").read())
            os.rename(f1, os.path.join(local, "INBOX", "cur", os.path.basename(f1).split(":")[0] + ":2,S"))
            with open(os.path.join(local, "Archive", "new", "1700000000.1.local"), "wb") as f:
                f.write(message(3).replace(b"\r\n", b"\n"))
            sync()

            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            m = imaplib.IMAP4_SSL("127.0.0.1", p.ports["imaps"], ssl_context=ctx)
            m.login("alice", PASSWORD)
            m.select("INBOX", readonly=True)
            typ, data = m.search(None, "SEEN")
            self.assertEqual(typ, "OK")
            self.assertEqual(len(data[0].split()), 1)
            typ, data = m.fetch(data[0].split()[0], "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            self.assertIn(b"sync 1", data[0][1])
            typ, data = m.select("Archive", readonly=True)
            self.assertEqual(data[0], b"1")
            typ, data = m.fetch("1", "(BODY.PEEK[])")
            # Uploaded with CRLF line ends, as IMAP requires.
            self.assertIn(b"Subject: sync 3\r\n", data[0][1])
            self.assertTrue(data[0][1].endswith(b"\r\n\r\nbody 3\r\n"), data[0][1])
            m.logout()


if __name__ == "__main__":
    unittest.main(verbosity=2)
