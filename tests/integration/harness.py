"""Starts a real Postern (postern-authd, postern-smtpd, postern-imapd as
separate processes) on loopback with a temporary configuration, for the
integration tests. Nothing here is mocked: real sockets, real TLS, real
SQLite, real Maildir."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BIN = os.environ.get("POSTERN_BINARY_DIR", os.path.join(os.path.dirname(__file__), "../../build"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, what, timeout=30.0, procs=()):
    """Polls pred() until true; fails early if one of procs died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"{what}: {p.args[0]} exited with {p.returncode}")
        time.sleep(0.02)
    raise TimeoutError(what)


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Postern:
    """A running Postern. Use as a context manager."""

    def __init__(self, users=None, extra_toml="", domains=("example.test",), daemons=("authd", "smtpd", "imapd")):
        self.dir = tempfile.mkdtemp(prefix="postern-it-")
        self.users = users or {"alice": "correct horse battery staple"}
        self.ports = {k: free_port() for k in ("mx", "sub", "subs", "imap", "imaps")}
        self.daemons = daemons
        self.procs = {}
        self.logs = {}
        self.config = os.path.join(self.dir, "postern.toml")
        d = self.dir
        with open(self.config, "w") as f:
            f.write(f"""
[log]
level = "debug"
[server]
hostname = "mail.example.test"
domains = {list(domains)!r}
state_dir = "{d}"
spool_dir = "{d}/spool"
runtime_dir = "{d}/run"
[tls]
dev_self_signed = true
[[tls.certificates]]
cert = "{d}/tls/cert.pem"
key = "{d}/tls/key.pem"
[auth]
backend = "passwd-file"
passwd_file = "{d}/passwd"
failure_delay_base = "1s"
[smtp]
listen_mx = ["127.0.0.1:{self.ports['mx']}"]
listen_submission = ["127.0.0.1:{self.ports['sub']}"]
listen_submissions = ["127.0.0.1:{self.ports['subs']}"]
[imap]
listen = ["127.0.0.1:{self.ports['imap']}"]
listen_tls = ["127.0.0.1:{self.ports['imaps']}"]
""".replace("'", '"') + extra_toml)
        os.makedirs(os.path.join(d, "run"), exist_ok=True)
        for user, pw in self.users.items():
            subprocess.run([os.path.join(BIN, "admin/postern"), "--config", self.config, "passwd", "add", user],
                           input=pw + "\n", text=True, check=True, capture_output=True)

    def binary(self, name):
        sub = {"authd": "auth", "smtpd": "smtp", "imapd": "imap"}[name]
        return os.path.join(BIN, sub, "postern-" + name)

    def start(self):
        for name in self.daemons:
            log = open(os.path.join(self.dir, name + ".log"), "w+")
            self.logs[name] = log
            self.procs[name] = subprocess.Popen([self.binary(name), "--config", self.config],
                                                stdout=log, stderr=subprocess.STDOUT)
            if name == "authd":
                sock = os.path.join(self.dir, "run", "auth.sock")
                wait_for(lambda: os.path.exists(sock), "auth socket", procs=[self.procs[name]])
        procs = list(self.procs.values())
        if "smtpd" in self.daemons:
            for k in ("mx", "sub", "subs"):
                wait_for(lambda: port_open(self.ports[k]), f"smtp port {k}", procs=procs)
        if "imapd" in self.daemons:
            for k in ("imap", "imaps"):
                wait_for(lambda: port_open(self.ports[k]), f"imap port {k}", procs=procs)
        return self

    def launch(self, name):
        """(Re)starts one daemon; returns its process."""
        log = self.logs.get(name) or open(os.path.join(self.dir, name + ".log"), "a+")
        self.logs[name] = log
        self.procs[name] = subprocess.Popen([self.binary(name), "--config", self.config],
                                            stdout=log, stderr=subprocess.STDOUT)
        return self.procs[name]

    def log(self, name):
        self.logs[name].flush()
        with open(os.path.join(self.dir, name + ".log")) as f:
            return f.read()

    def stop(self):
        for name, p in self.procs.items():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in self.procs.items():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        codes = {n: p.returncode for n, p in self.procs.items()}
        self.procs = {}
        return codes

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, *rest):
        codes = self.stop()
        if exc_type is not None or os.environ.get("POSTERN_KEEP_LOGS"):
            for name in self.logs:
                print(f"----- {name} log -----\n{self.log(name)[-6000:]}")
        for log in self.logs.values():
            log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        bad = {n: c for n, c in codes.items() if c not in (0, -signal.SIGTERM)}
        if exc_type is None and bad:
            raise AssertionError(f"daemons did not exit cleanly on SIGTERM: {bad}")
