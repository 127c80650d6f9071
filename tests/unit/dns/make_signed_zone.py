#!/usr/bin/python3
# Writes a small DNSSEC-signed zone for the UnboundResolver tests (run by the
# test itself with Debian's /usr/bin/python3 and its dnspython):
#   <dir>/secure.example.zone  the zone: SOA, NS, DNSKEY, A, TXT, MX, TLSA,
#                              an NSEC chain, an RRSIG for every RRset;
#                              forged.secure.example's A record does NOT match
#                              its signature (a forgery: validators say "bogus")
#   <dir>/secure.example.ta    the trust anchor (the zone's DNSKEY)
# Algorithm 15 (Ed25519, RFC 8080), a fresh key each run.
import sys
import time

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from cryptography.hazmat.primitives.asymmetric import ed25519

out = sys.argv[1]
origin = dns.name.from_text('secure.example.')
ttl = 300
key = ed25519.Ed25519PrivateKey.generate()
dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ED25519, flags=257)

records = {
    'secure.example.': [('SOA', 'ns.secure.example. hostmaster.secure.example. 1 3600 600 86400 60'),
                        ('NS', 'ns.secure.example.')],
    'ns.secure.example.': [('A', '127.0.0.1')],
    'www.secure.example.': [('A', '192.0.2.20'), ('TXT', '"v=spf1 -all"')],
    'forged.secure.example.': [('A', '192.0.2.66')],
    '_25._tcp.www.secure.example.': [('TLSA', '3 1 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff')],
}
# name -> {type: rrset}
zone = {}
for name, rrs in records.items():
    n = dns.name.from_text(name)
    for t, text in rrs:
        rs = zone.setdefault(n, {}).setdefault(t, dns.rrset.RRset(n, dns.rdataclass.IN, dns.rdatatype.from_text(t)))
        rs.update_ttl(ttl)
        rs.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(t), text, origin=origin, relativize=False))
apex = zone[origin]
apex['DNSKEY'] = dns.rrset.RRset(origin, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
apex['DNSKEY'].update_ttl(ttl)
apex['DNSKEY'].add(dnskey)

# NSEC chain in canonical order (RFC 4034 section 6.1): every owner points to the next.
names = sorted(zone.keys())
for i, n in enumerate(names):
    nxt = names[(i + 1) % len(names)]
    types = sorted(set(list(zone[n].keys()) + ['RRSIG', 'NSEC']), key=dns.rdatatype.from_text)
    rs = dns.rrset.RRset(n, dns.rdataclass.IN, dns.rdatatype.NSEC)
    rs.update_ttl(60)
    rs.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.NSEC, nxt.to_text() + ' ' + ' '.join(types)))
    zone[n]['NSEC'] = rs

now = int(time.time())
lines = []
for n in names:
    for t, rs in sorted(zone[n].items()):
        to_sign = rs
        if n == dns.name.from_text('forged.secure.example.') and t == 'A':
            # Sign different data than what is published: a forgery.
            to_sign = dns.rrset.from_text(n, ttl, 'IN', 'A', '192.0.2.65')
        sig = dns.dnssec.sign(to_sign, key, origin, dnskey, inception=now - 3600, expiration=now + 30 * 86400)
        lines.append(rs.to_text())
        lines.append('%s %d IN RRSIG %s' % (n.to_text(), rs.ttl, sig.to_text()))
with open(out + '/secure.example.zone', 'w') as f:
    f.write('\n'.join(lines) + '\n')
with open(out + '/secure.example.ta', 'w') as f:
    f.write('secure.example. %d IN DNSKEY %s\n' % (ttl, dnskey.to_text()))
