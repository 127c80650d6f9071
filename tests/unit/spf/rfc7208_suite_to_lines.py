#!/usr/bin/python3
# Converts the openspf/RFC 7208 YAML test suite (rfc7208-tests.yml[.gz], as
# shipped by Debian's python3-spf) into a flat line format that the C++ test
# (rfc7208_suite_test.cpp) reads without a YAML library. Run by CMake at build
# time with Debian's /usr/bin/python3 (which has the yaml module).
#
# Output: one record per line, fields separated by TAB; "\\", "\t" and "\n"
# inside a field are escaped as \\ \t \n. Lines:
#   SCENARIO <description>
#   RR <name> <type> <value...>   TXT: one field per character-string;
#                                 MX: <preference> <host>; others: one field
#   TIMEOUT <name>                every type without records times out
#   TEST <id> <helo> <host> <mailfrom> <results, comma separated> <explanation or "">
#   END                           end of the scenario
# The zone semantics follow pyspf's testspf.py: SPF-type records double as TXT
# records unless the name has a TXT entry; "TXT: NONE" means no TXT record.
import gzip
import sys

import yaml


def esc(v):
    return str(v).replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n')


def line(*fields):
    return '\t'.join(esc(f) for f in fields) + '\n'


def convert(docs):
    out = []
    ntests = 0
    for s in docs:
        if not s:
            continue
        out.append(line('SCENARIO', s.get('description', '')))
        for name, rrs in (s.get('zonedata') or {}).items():
            name = name.lower()
            has_txt = any(isinstance(r, dict) and 'TXT' in r for r in rrs)
            timeout = False
            for r in rrs:
                if r == 'TIMEOUT':
                    timeout = True
                    continue
                for t, v in r.items():
                    if t in ('TXT', 'SPF'):
                        strings = [v] if isinstance(v, str) else list(v)
                        if strings == ['NONE']:
                            continue
                        if t == 'SPF' and has_txt:
                            continue
                        out.append(line('RR', name, 'TXT', *strings))
                    elif t == 'MX':
                        out.append(line('RR', name, 'MX', v[0], v[1]))
                    elif t in ('A', 'AAAA', 'PTR', 'CNAME'):
                        if v == 'TIMEOUT':
                            raise SystemExit('per-type TIMEOUT not supported')
                        out.append(line('RR', name, t, v))
                    else:
                        raise SystemExit('unknown record type %r' % t)
            if timeout:
                out.append(line('TIMEOUT', name))
        for tid, t in s['tests'].items():
            res = t['result']
            res = [res] if isinstance(res, str) else list(res)
            out.append(line('TEST', tid, t.get('helo', ''), t['host'], t.get('mailfrom', ''),
                            ','.join(res), t.get('explanation', '')))
            ntests += 1
        out.append(line('END'))
    return out, ntests


def main():
    src, dst = sys.argv[1], sys.argv[2]
    opener = gzip.open if src.endswith('.gz') else open
    with opener(src, 'rb') as f:
        docs = list(yaml.safe_load_all(f))
    out, n = convert(docs)
    with open(dst, 'w', encoding='utf-8') as f:
        f.write('# generated from %s: %d tests\n' % (src, n))
        f.writelines(out)


if __name__ == '__main__':
    main()
