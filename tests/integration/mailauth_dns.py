"""A real DNS server on loopback for the mail authentication tests: Debian's
unbound, started as a subprocess with a generated configuration that serves
static local zones (TXT for SPF, DKIM keys and DMARC policies, MX, A, PTR)
and resolves nothing else (no DNSSEC: module-config "iterator", no trust
anchor). Also a dnsfunc for dkimpy that asks this server."""

import os
import re
import shutil
import subprocess
import tempfile

import dns.exception
import dns.message
import dns.query
import dns.rdatatype

from harness import free_port, wait_for

UNBOUND = "/usr/sbin/unbound"


def txt_strings(value, size=255):
    """A TXT value as zone-file character-strings of at most 255 octets."""
    parts = [value[i:i + size] for i in range(0, len(value), size)] or [""]
    return " ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)


def zone_record_strings(zone_line):
    """The quoted strings of a `postern dkim keygen` zone line, joined."""
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', zone_line))


class Unbound:
    """zones: {zone: [(name, type, value)]}; TXT values are plain text.
    refused: zones answered with REFUSED (a broken authoritative server:
    resolvers report it as a temporary error)."""

    def __init__(self, zones, ptrs=(), refused=()):
        self.dir = tempfile.mkdtemp(prefix="postern-unbound-")
        self.port = free_port()
        self.conf = os.path.join(self.dir, "unbound.conf")
        lines = [
            "server:",
            "  interface: 127.0.0.1",
            f"  port: {self.port}",
            "  do-ip6: no",
            "  do-daemonize: no",
            '  chroot: ""',
            '  username: ""',
            f'  directory: "{self.dir}"',
            f'  pidfile: "{self.dir}/unbound.pid"',
            "  use-syslog: no",
            '  logfile: ""',
            "  verbosity: 1",
            "  num-threads: 1",
            "  access-control: 127.0.0.0/8 allow",
            '  module-config: "iterator"',
        ]
        for zone, records in zones.items():
            lines.append(f'  local-zone: "{zone}." static')
            for name, rtype, value in records:
                if rtype == "TXT":
                    value = txt_strings(value)
                lines.append(f"  local-data: '{name}. 300 IN {rtype} {value}'")
        for zone in refused:
            lines.append(f'  local-zone: "{zone}." always_refuse')
        if ptrs:
            lines.append('  local-zone: "127.in-addr.arpa." static')
            for ip, host in ptrs:
                lines.append(f'  local-data-ptr: "{ip} {host}"')
        lines += ["remote-control:", "  control-enable: no", ""]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines))
        self.proc = None
        self.log = None

    def start(self, probe_name):
        """Starts unbound and waits until it answers TXT for probe_name."""
        check = subprocess.run([UNBOUND + "-checkconf", self.conf], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("unbound-checkconf: " + check.stdout + check.stderr)
        self.log = open(os.path.join(self.dir, "unbound.log"), "w+")
        self.proc = subprocess.Popen([UNBOUND, "-d", "-c", self.conf], stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.txt(probe_name) is not None, "unbound answering", procs=[self.proc])
        return self

    def query(self, name, rtype):
        q = dns.message.make_query(name, rtype)
        try:
            return dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.5)
        except (dns.exception.Timeout, OSError):
            return None

    def txt(self, name):
        """The TXT records of name as bytes (strings joined), or None."""
        r = self.query(name, "TXT")
        if r is None:
            return None
        out = []
        for rrset in r.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                out += [b"".join(rd.strings) for rd in rrset]
        return out

    def dkimpy_dnsfunc(self, name, timeout=5):
        """dnsfunc for dkim.verify(): the first TXT record of name, or None."""
        if isinstance(name, bytes):
            name = name.decode()
        r = self.txt(name)
        return r[0] if r else None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def output(self):
        if not self.log:
            return ""
        self.log.flush()
        with open(os.path.join(self.dir, "unbound.log")) as f:
            return f.read()
