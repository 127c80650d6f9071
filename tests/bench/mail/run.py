#!/usr/bin/python3
"""Mail benchmark: Postern against Postfix + Dovecot, in the same run, on
the same machine, with the same client code, reporting ratios.

Not a ctest: it installs Debian packages (postfix, dovecot-imapd) and takes
minutes. Run as root: /usr/bin/python3 tests/bench/mail/run.py --help

Everything listens on 127.0.0.1 high ports inside temporary directories; the
private Postfix (postfix -c DIR) and Dovecot (dovecot -c CONF) instances are
stopped at the end, and the system services are never started.

Metrics (see README.md):
  smtp_msgs_per_s     N messages over C concurrent SMTP sessions, end to end
                      (Postern: last 250 = stored; Postfix: until the Maildir
                      holds N files, since Postfix queues first)
  imap_fetch_body_msgs_per_s   UID FETCH 1:* (BODY.PEEK[]) repeated K times
  imap_fetch_flags_ms          FETCH 1:* (FLAGS UID RFC822.SIZE), best of K
  idle_conn_rss_kib / idle_conn_pss_kib   memory growth per idle logged-in
                      IMAP connection (M connections)
"""

import argparse
import datetime
import imaplib
import json
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "../../.."))
sys.path.insert(0, os.path.join(SRC, "tests/integration"))
from harness import free_port, port_open, wait_for  # noqa: E402

USER = "alice"
PASSWORD = "correct horse battery staple"
RCPT = "alice@example.test"
SENDER = "bob@example.net"
VMAIL_UID = 65534   # nobody: Postfix virtual(8) and Dovecot both act as this uid
VMAIL_GID = 65534


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- packages

def ensure_packages():
    need = [p for p in ("postfix", "dovecot-imapd")
            if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
                              text=True).stdout.strip() != "install ok installed"]
    if need:
        log(f"installing {need}")
        subprocess.run(["debconf-set-selections"], check=True, text=True,
                       input="postfix postfix/main_mailer_type select No configuration\n")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y"] + need, check=True, env=env,
                       stdout=subprocess.DEVNULL)
    stop_system_services()


def stop_system_services():
    """The packages' postinst may have started the system instances; the
    benchmark must not leave anything on 25/143/993."""
    for svc in ("postfix", "dovecot"):
        subprocess.run(["service", svc, "stop"], capture_output=True)
    if os.path.exists("/etc/postfix/main.cf"):
        subprocess.run(["postfix", "stop"], capture_output=True)
    subprocess.run(["doveadm", "stop"], capture_output=True)
    # Anything still listening on the standard ports and belonging to the
    # system packages (master / dovecot) is killed by pid.
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        cols = line.split()
        if len(cols) < 4 or not cols[3].rsplit(":", 1)[-1] in ("25", "143", "993", "110", "995"):
            continue
        for part in line.split("pid=")[1:]:
            pid = int(part.split(",")[0])
            try:
                comm = open(f"/proc/{pid}/comm").read().strip()
            except OSError:
                continue
            if comm in ("master", "dovecot"):
                log(f"killing system {comm} pid {pid} listening on {cols[3]}")
                os.kill(pid, signal.SIGTERM)


# ---------------------------------------------------------------- /proc memory

def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pid):
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def mem_kib(pids):
    """(sum RSS, sum PSS) in KiB over pids; PSS splits shared pages fairly."""
    rss = pss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


# ---------------------------------------------------------------- systems

class PosternSystem:
    name = "postern"

    def __init__(self, build):
        os.environ["POSTERN_BINARY_DIR"] = build
        import harness
        harness.BIN = build
        self.p = harness.Postern(extra_toml="[mailauth]\nverify = false\n")
        # Same log verbosity as the Postfix/Dovecot defaults (info), and room
        # for M idle connections from one IP (the default limit is 50).
        with open(self.p.config) as f:
            cfg = f.read()
        cfg = cfg.replace('level = "debug"', 'level = "info"', 1)
        cfg = cfg.replace("[imap]\n", "[imap]\nmax_connections_per_ip = 100000\n", 1)
        cfg = cfg.replace("[smtp]\n", "[smtp]\nmax_connections_per_ip = 1000\n", 1)
        with open(self.p.config, "w") as f:
            f.write(cfg)
        self.smtp_port = self.p.ports["mx"]
        self.imap_port = self.p.ports["imap"]

    def start(self):
        self.p.start()

    def stop(self):
        try:
            self.p.__exit__(None, None, None)
        except AssertionError as e:
            log(f"postern: {e}")

    def delivered(self):
        return None   # the 250 after DATA means the message is stored

    def imap_pids(self):
        return [self.p.procs["imapd"].pid]

    def all_imap_side_pids(self):
        return [self.p.procs["imapd"].pid] + tree(self.p.procs["authd"].pid)


MAIN_CF = """\
compatibility_level = 3.6
config_directory = {d}/postfix
queue_directory = {d}/postfix-queue
data_directory = {d}/postfix-data
meta_directory = /etc/postfix
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.postfix.test
mydomain = postfix.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
append_dot_mydomain = no
smtputf8_enable = no
disable_dns_lookups = yes
smtp_host_lookup = native
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtpd_helo_required = yes
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination
virtual_mailbox_domains = example.test
virtual_mailbox_base = {d}/mail
virtual_mailbox_maps = texthash:{d}/postfix/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = 100
maillog_file_prefixes = {d}/
maillog_file = {d}/postfix.log
"""

MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

DOVECOT_CONF = """\
base_dir = {d}/dovecot-run
state_dir = {d}/dovecot-state
instance_name = postern-bench
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {d}/dovecot.log
mail_location = maildir:{d}/mail/%n/Maildir
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 100
first_valid_gid = 100
mail_max_userip_connections = 10000
default_process_limit = 1000
default_client_limit = 5000
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {d}/dovecot.passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  client_limit = 5000
}}
service auth {{
  client_limit = 5000
}}
"""


class PostfixDovecotSystem:
    name = "postfix+dovecot"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="postern-bench-pfdc-")
        os.chmod(self.dir, 0o755)
        d = self.dir
        self.smtp_port = free_port()
        self.imap_port = free_port()
        for sub in ("postfix", "postfix-queue", "dovecot-run", "dovecot-state"):
            os.makedirs(os.path.join(d, sub))
        os.makedirs(os.path.join(d, "postfix-data"))
        shutil.chown(os.path.join(d, "postfix-data"), "postfix", "postfix")
        self.maildir = os.path.join(d, "mail", USER, "Maildir")
        os.makedirs(os.path.join(d, "mail"))
        os.chown(os.path.join(d, "mail"), VMAIL_UID, VMAIL_GID)
        with open(os.path.join(d, "postfix/main.cf"), "w") as f:
            f.write(MAIN_CF.format(d=d, uid=VMAIL_UID, gid=VMAIL_GID))
        with open(os.path.join(d, "postfix/master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=self.smtp_port))
        with open(os.path.join(d, "postfix/vmailbox"), "w") as f:
            f.write(f"{RCPT} {USER}/Maildir/\n")
        self.dovecot_conf = os.path.join(d, "dovecot.conf")
        with open(self.dovecot_conf, "w") as f:
            f.write(DOVECOT_CONF.format(d=d, uid=VMAIL_UID, gid=VMAIL_GID, port=self.imap_port))
        with open(os.path.join(d, "dovecot.passwd"), "w") as f:
            f.write(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        self.dovecot_pid = None

    def start(self):
        # Both daemonize; their output goes to a file, never to a pipe (the
        # children would keep a pipe open forever).
        cdir = os.path.join(self.dir, "postfix")
        out = os.path.join(self.dir, "start.out")
        with open(out, "a") as o:
            # postfix(1) reports errors on stderr only when it is a tty; the
            # details are in postfix.log (maillog_file) then.
            r = subprocess.run(["postfix", "-c", cdir, "start"], stdout=o, stderr=o, stdin=subprocess.DEVNULL)
            if r.returncode != 0:
                raise RuntimeError(f"postfix start failed, see {out} and {self.dir}/postfix.log "
                                   "(run 'script -qc \"postfix -c DIR start\"' to see the message)")
            r = subprocess.run(["dovecot", "-c", self.dovecot_conf], stdout=o, stderr=o, stdin=subprocess.DEVNULL)
            if r.returncode != 0:
                raise RuntimeError(f"dovecot start failed, see {out} and {self.dir}/dovecot.log")
        wait_for(lambda: port_open(self.smtp_port), "postfix smtpd port", 60)
        wait_for(lambda: port_open(self.imap_port), "dovecot imap port", 60)
        pidfile = os.path.join(self.dir, "dovecot-run", "master.pid")

        def read_pid():
            try:
                with open(pidfile) as f:
                    self.dovecot_pid = int(f.read().strip())
                return True
            except (OSError, ValueError):
                return False
        wait_for(read_pid, "dovecot master.pid", 60)

    def stop(self):
        cdir = os.path.join(self.dir, "postfix")
        subprocess.run(["postfix", "-c", cdir, "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["dovecot", "-c", self.dovecot_conf, "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        if self.dovecot_pid:
            try:
                wait_for(lambda: not os.path.exists(f"/proc/{self.dovecot_pid}"), "dovecot exit", 15)
            except TimeoutError:
                os.kill(self.dovecot_pid, signal.SIGKILL)
        pidfile = os.path.join(self.dir, "postfix-queue", "pid", "master.pid")
        try:
            with open(pidfile) as f:
                mpid = int(f.read().strip())
            wait_for(lambda: not os.path.exists(f"/proc/{mpid}"), "postfix master exit", 15)
        except (OSError, ValueError):
            pass
        except TimeoutError:
            os.kill(mpid, signal.SIGKILL)
        if os.environ.get("POSTERN_KEEP_LOGS"):
            log(f"postfix/dovecot dir kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def delivered(self):
        try:
            return len(os.listdir(os.path.join(self.maildir, "new"))) + \
                len(os.listdir(os.path.join(self.maildir, "cur")))
        except FileNotFoundError:
            return 0

    def imap_pids(self):
        return [p for p in tree(self.dovecot_pid) if comm(p) in ("imap", "imap-login")]

    def all_imap_side_pids(self):
        return tree(self.dovecot_pid)


# ---------------------------------------------------------------- measurements

def make_message(i, size):
    head = (f"From: Bob <{SENDER}>\r\nTo: Alice <{RCPT}>\r\nSubject: bench message {i}\r\n"
            f"Date: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <bench-{i}@example.net>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
    line = "The quick brown fox jumps over the lazy dog, message %06d.\r\n" % i
    body = line * max(1, (size - len(head)) // len(line))
    return (head + body).encode()


def smtp_throughput(system, n, conc, size):
    msgs = [make_message(i, size) for i in range(n)]
    errors = []

    def worker(k):
        try:
            s = smtplib.SMTP("127.0.0.1", system.smtp_port, local_hostname="client.example.net", timeout=120)
            for i in range(k, n, conc):
                s.sendmail(SENDER, [RCPT], msgs[i])
            s.quit()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conc)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t_accepted = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{system.name}: SMTP errors: {errors[:3]}")
    if system.delivered() is not None:
        wait_for(lambda: system.delivered() >= n, f"{system.name}: {n} messages in Maildir", timeout=600)
    elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "accepted_seconds": t_accepted, "msgs_per_s": n / elapsed}


def imap_login(system):
    m = imaplib.IMAP4("127.0.0.1", system.imap_port, timeout=120)
    m.login(USER, PASSWORD)
    return m


def imap_fetch(system, n, k):
    m = imap_login(system)
    typ, data = m.select("INBOX", readonly=True)
    exists = int(data[0])
    if exists != n:
        raise RuntimeError(f"{system.name}: INBOX has {exists} messages, expected {n}")
    body_times, flag_times, nbytes = [], [], 0
    for _ in range(k):
        t0 = time.perf_counter()
        typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
        body_times.append(time.perf_counter() - t0)
        if typ != "OK":
            raise RuntimeError(f"{system.name}: UID FETCH failed: {data}")
        parts = [x for x in data if isinstance(x, tuple)]
        if len(parts) != n:
            raise RuntimeError(f"{system.name}: UID FETCH returned {len(parts)} bodies")
        nbytes = sum(len(x[1]) for x in parts)
    for _ in range(k):
        t0 = time.perf_counter()
        typ, data = m.fetch("1:*", "(FLAGS UID RFC822.SIZE)")
        flag_times.append(time.perf_counter() - t0)
        if typ != "OK" or len(data) != n:
            raise RuntimeError(f"{system.name}: FETCH FLAGS failed: {typ} {len(data)}")
    m.logout()
    total = sum(body_times)
    return {"body_seconds": body_times, "body_msgs_per_s": n * k / total, "body_bytes_per_pass": nbytes,
            "flags_seconds": flag_times, "flags_ms_best": min(flag_times) * 1000,
            "flags_ms_median": sorted(flag_times)[len(flag_times) // 2] * 1000}


def idle_memory(system, m_conns):
    time.sleep(0.5)
    before = mem_kib(system.imap_pids())
    before_all = mem_kib(system.all_imap_side_pids())
    conns = []
    try:
        for _ in range(m_conns):
            c = imap_login(system)
            c.select("INBOX")
            conns.append(c)
        time.sleep(1.0)   # let login processes exit / hand off
        after = mem_kib(system.imap_pids())
        after_all = mem_kib(system.all_imap_side_pids())
        nprocs = len(system.imap_pids())
    finally:
        for c in conns:
            try:
                c.logout()
            except Exception:  # noqa: BLE001
                pass
    return {"connections": m_conns, "imap_procs_while_open": nprocs,
            "rss_before_kib": before[0], "rss_after_kib": after[0],
            "pss_before_kib": before[1], "pss_after_kib": after[1],
            "rss_kib_per_conn": (after[0] - before[0]) / m_conns,
            "pss_kib_per_conn": (after[1] - before[1]) / m_conns,
            "all_rss_kib_per_conn": (after_all[0] - before_all[0]) / m_conns,
            "all_pss_kib_per_conn": (after_all[1] - before_all[1]) / m_conns}


def run_system(system, args):
    log(f"== {system.name}: starting")
    try:
        system.start()
        res = {}
        log(f"== {system.name}: SMTP {args.messages} messages over {args.concurrency} connections")
        res["smtp"] = smtp_throughput(system, args.messages, args.concurrency, args.size)
        log(f"== {system.name}: IMAP fetch x{args.fetches}")
        res["imap"] = imap_fetch(system, args.messages, args.fetches)
        log(f"== {system.name}: {args.idle} idle IMAP connections")
        res["idle"] = idle_memory(system, args.idle)
        return res
    finally:
        system.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="/work/main/build-dev", help="Postern build dir (RelWithDebInfo)")
    ap.add_argument("-n", "--messages", type=int, default=500)
    ap.add_argument("-c", "--concurrency", type=int, default=4)
    ap.add_argument("--size", type=int, default=4096, help="approximate message size in bytes")
    ap.add_argument("-k", "--fetches", type=int, default=5)
    ap.add_argument("-m", "--idle", type=int, default=100, help="idle IMAP connections")
    ap.add_argument("--json", default="bench-mail.json", help="where to write the raw numbers")
    ap.add_argument("--skip-install", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (installs packages, starts Postfix/Dovecot with their own users)")

    if not args.skip_install:
        ensure_packages()
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "args": vars(args), "cpus": os.cpu_count(),
               "postfix_version": subprocess.run(["/usr/sbin/postconf", "-d", "-h", "mail_version"],
                                                 capture_output=True, text=True).stdout.strip(),
               "dovecot_version": subprocess.run(["dovecot", "--version"], capture_output=True,
                                                 text=True).stdout.strip()}
    try:
        results["postern"] = run_system(PosternSystem(os.path.abspath(args.build)), args)
        results["other"] = run_system(PostfixDovecotSystem(), args)
    finally:
        stop_system_services()

    p, o = results["postern"], results["other"]
    lines = [
        ("smtp_msgs_per_s", "postfix", p["smtp"]["msgs_per_s"], o["smtp"]["msgs_per_s"], "%.1f"),
        ("imap_fetch_body_msgs_per_s", "dovecot", p["imap"]["body_msgs_per_s"], o["imap"]["body_msgs_per_s"], "%.0f"),
        ("imap_fetch_flags_ms", "dovecot", p["imap"]["flags_ms_best"], o["imap"]["flags_ms_best"], "%.1f"),
        ("idle_conn_rss_kib", "dovecot", p["idle"]["rss_kib_per_conn"], o["idle"]["rss_kib_per_conn"], "%.1f"),
        ("idle_conn_pss_kib", "dovecot", p["idle"]["pss_kib_per_conn"], o["idle"]["pss_kib_per_conn"], "%.1f"),
    ]
    results["ratios"] = {}
    for metric, other, pv, ov, fmt in lines:
        ratio = pv / ov if ov else float("inf")
        results["ratios"][metric] = ratio
        print(f"{metric}: postern {fmt % pv}, {other} {fmt % ov}, ratio postern/other {ratio:.2f}")
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
    print(f"raw numbers: {args.json}")


if __name__ == "__main__":
    main()
