#!/usr/bin/python3
# Cross-check helper for authres_tests: Debian's python3-authres (an
# independent RFC 8601 implementation) parses headers we build, and builds
# headers we parse. Output: one line per item, "H id", "R method result
# [reason]", "P ptype.property value". Run with /usr/bin/python3.
#   authres_crosscheck.py parse FILE   # FILE: headers separated by lines "%%"
#   authres_crosscheck.py generate     # prints generated headers separated by "%%"
import sys

import authres
import authres.dmarc


def dump(h):
    out = ["H " + h.authserv_id]
    for r in h.results:
        line = "R %s %s" % (r.method, r.result)
        if r.reason:
            line += " reason=" + r.reason
        out.append(line)
        for p in r.properties:
            out.append("P %s.%s %s" % (p.type, p.name, p.value))
    return "\n".join(out)


def main():
    if sys.argv[1] == "parse":
        text = open(sys.argv[2], encoding="utf-8").read()
        for h in text.split("\n%%\n"):
            if h.strip():
                print(dump(authres.AuthenticationResultsHeader.parse(h.rstrip("\n"))))
    else:
        headers = [
            authres.AuthenticationResultsHeader(authserv_id="mx.example.org", results=[
                authres.SPFAuthenticationResult(result="pass", smtp_mailfrom="bounce@example.com"),
                authres.DKIMAuthenticationResult(result="pass", header_d="example.com",
                                                 header_s="sel1", header_i="@example.com"),
                authres.dmarc.DMARCAuthenticationResult(result="fail", header_from="example.com",
                                                        result_comment="p=reject dis=quarantine"),
            ]),
            authres.AuthenticationResultsHeader(authserv_id="example.org", version=1, results=[]),
            authres.AuthenticationResultsHeader(authserv_id="mx.example.org", results=[
                authres.DKIMAuthenticationResult(result="fail", reason="bad signature",
                                                 header_d="example.net", header_d_comment="x"),
                authres.SPFAuthenticationResult(result="none", smtp_helo="helo.example.net"),
            ]),
        ]
        print("\n%%\n".join(str(h) for h in headers))


main()
