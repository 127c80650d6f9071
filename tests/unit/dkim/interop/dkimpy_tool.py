#!/usr/bin/python3
# Cross-check helper: DKIM signing and verification with Debian's python3-dkim
# (dkimpy), an implementation independent of ours. DNS answers come from a
# JSON file {"sel._domainkey.domain": "v=DKIM1; ..."} through dkimpy's dnsfunc.
#   dkimpy_tool.py verify MSG DNS.json
#       one line per signature: "pass d=... s=..." or "fail d=... s=..."; exit 0 iff all pass
#   dkimpy_tool.py sign MSG OUT DOMAIN SELECTOR rsa|ed25519 KEYFILE [CANON [length]]
#       KEYFILE: PKCS#1 PEM for rsa, base64 seed for ed25519 (dkimpy's formats);
#       CANON: header/body canonicalization (default relaxed/relaxed);
#       "length" adds an l= tag covering the whole body
import json
import sys

import dkim


def verify(msg_path, dns_path):
    msg = open(msg_path, "rb").read()
    records = json.load(open(dns_path))

    def dnsfunc(name, timeout=5):
        key = name.decode() if isinstance(name, bytes) else name
        return records.get(key.rstrip(".").lower(), "").encode() or None

    d = dkim.DKIM(msg)
    sigs = [v for (k, v) in d.headers if k.lower() == b"dkim-signature"]
    if not sigs:
        print("no signatures")
        return 1
    ok = True
    for i in range(len(sigs)):
        try:
            good = d.verify(idx=i, dnsfunc=dnsfunc)
        except dkim.DKIMException as e:
            good = False
            print("error", e)
        tags = dkim.util.parse_tag_value(sigs[i])
        print("pass" if good else "fail", "d=" + tags[b"d"].decode(), "a=" + tags[b"a"].decode())
        ok = ok and good
    return 0 if ok else 1


def sign(msg_path, out_path, domain, selector, alg, key_path, canon="relaxed/relaxed", length=""):
    msg = open(msg_path, "rb").read()
    key = open(key_path, "rb").read()
    algorithm = b"rsa-sha256" if alg == "rsa" else b"ed25519-sha256"
    header_canon, body_canon = canon.encode().split(b"/")
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                    canonicalize=(header_canon, body_canon), signature_algorithm=algorithm,
                    length=(length == "length"), linesep=b"\r\n")
    open(out_path, "wb").write(sig + msg)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "verify":
        sys.exit(verify(sys.argv[2], sys.argv[3]))
    if 8 <= len(sys.argv) <= 10 and sys.argv[1] == "sign":
        sys.exit(sign(*sys.argv[2:]))
    print(__doc__ or "usage: see the header of this file", file=sys.stderr)
    sys.exit(2)
