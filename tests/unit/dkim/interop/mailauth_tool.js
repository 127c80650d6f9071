// Cross-check helper: DKIM signing and verification with the npm `mailauth`
// package (Postal Systems), independent of our implementation. DNS answers
// come from a JSON file {"sel._domainkey.domain": "v=DKIM1; ..."} through
// mailauth's custom resolver option. Run with NODE_PATH=<prefix>/node_modules.
//   node mailauth_tool.js verify MSG DNS.json
//       one line per signature: "<result> d=... a=..."; exit 0 iff all pass
//   node mailauth_tool.js sign MSG OUT DOMAIN SELECTOR rsa|ed25519 KEYFILE(PEM)
'use strict';
const fs = require('fs');
const { dkimSign } = require('mailauth/lib/dkim/sign');
const { dkimVerify } = require('mailauth/lib/dkim/verify');

function resolverFor(records) {
    return async (name, type) => {
        const key = name.replace(/\.$/, '').toLowerCase();
        if (type === 'TXT' && records[key]) {
            const txt = records[key];
            const parts = [];
            for (let i = 0; i < txt.length; i += 255) parts.push(txt.slice(i, i + 255));
            return [parts];
        }
        const err = new Error('not found: ' + name);
        err.code = 'ENOTFOUND';
        throw err;
    };
}

async function verify(msgPath, dnsPath) {
    const msg = fs.readFileSync(msgPath);
    const records = JSON.parse(fs.readFileSync(dnsPath, 'utf8'));
    const res = await dkimVerify(msg, { resolver: resolverFor(records) });
    if (!res.results.length) {
        console.log('no signatures');
        return 1;
    }
    let ok = true;
    for (const r of res.results) {
        const result = r.status.result;
        console.log(`${result} d=${r.signingDomain} a=${r.algo}` + (r.status.comment ? ` (${r.status.comment})` : ''));
        if (result !== 'pass') ok = false;
    }
    return ok ? 0 : 1;
}

async function sign(msgPath, outPath, domain, selector, alg, keyPath) {
    const msg = fs.readFileSync(msgPath);
    const res = await dkimSign(msg, {
        canonicalization: 'relaxed/relaxed',
        signatureData: [{
            signingDomain: domain,
            selector,
            privateKey: fs.readFileSync(keyPath),
            algorithm: alg === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256',
        }],
    });
    if (res.errors && res.errors.length) {
        console.error(res.errors);
        return 1;
    }
    fs.writeFileSync(outPath, Buffer.concat([Buffer.from(res.signatures), msg]));
    return 0;
}

(async () => {
    const [mode, ...args] = process.argv.slice(2);
    let code = 2;
    if (mode === 'verify' && args.length === 2) code = await verify(...args);
    else if (mode === 'sign' && args.length === 6) code = await sign(...args);
    else console.error('usage: mailauth_tool.js verify MSG DNS.json | sign MSG OUT DOMAIN SELECTOR ALG KEY');
    process.exit(code);
})().catch(err => {
    console.error(err);
    process.exit(3);
});
