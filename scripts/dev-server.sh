#!/bin/bash
# Installs what is missing, builds, and runs a complete local Postern on
# loopback high ports with a self-signed certificate and one demo user from a
# passwd file (no system account needed). State lives in ./.dev/.
# Stop it with Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
BUILD=${POSTERN_BUILD_DIR:-build-dev}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOSTERN_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target postern-authd postern-smtpd postern-imapd postern

DEV="$(pwd)/.dev"
mkdir -p "$DEV/mail" "$DEV/run" "$DEV/spool" "$DEV/tls"
chmod 700 "$DEV"
if [ ! -f "$DEV/demo-password" ]; then
  head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$DEV/demo-password"
fi
PASSWORD=$(cat "$DEV/demo-password")
cat > "$DEV/postern.toml" <<TOML
# Development configuration written by scripts/dev-server.sh
[log]
level = "info"
[server]
hostname = "localhost"
domains = ["example.test"]
state_dir = "$DEV"
spool_dir = "$DEV/spool"
runtime_dir = "$DEV/run"
[tls]
dev_self_signed = true
[[tls.certificates]]
cert = "$DEV/tls/cert.pem"
key = "$DEV/tls/key.pem"
[auth]
backend = "passwd-file"
passwd_file = "$DEV/passwd"
[smtp]
listen_mx = ["127.0.0.1:2525"]
listen_submission = ["127.0.0.1:2587"]
listen_submissions = ["127.0.0.1:2465"]
[imap]
listen = ["127.0.0.1:2143"]
listen_tls = ["127.0.0.1:2993"]
TOML
printf '%s\n' "$PASSWORD" | "$BUILD/admin/postern" --config "$DEV/postern.toml" passwd add demo >/dev/null

PIDS=""
cleanup() { [ -n "$PIDS" ] && kill $PIDS 2>/dev/null; wait 2>/dev/null; exit 0; }
trap cleanup INT TERM
"$BUILD/auth/postern-authd" --config "$DEV/postern.toml" & PIDS="$PIDS $!"
"$BUILD/smtp/postern-smtpd" --config "$DEV/postern.toml" & PIDS="$PIDS $!"
"$BUILD/imap/postern-imapd" --config "$DEV/postern.toml" & PIDS="$PIDS $!"

# Wait until the daemons answer (or one died). The plain ports are enough:
# each daemon opens all its listeners before it accepts anything.
for port in 2525 2143; do
  i=0
  until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do
    i=$((i+1)); [ $i -gt 100 ] && { echo "port $port did not open; see the log above"; cleanup; }
    for p in $PIDS; do kill -0 "$p" 2>/dev/null || { echo "a daemon exited; see the log above"; cleanup; }; done
    sleep 0.1
  done
done

cat <<INFO

================ Postern is running (development setup) ================
 Account      demo@example.test   password: $PASSWORD
 IMAP         127.0.0.1 port 2143 (STARTTLS) or 2993 (SSL/TLS), user "demo"
 SMTP submit  127.0.0.1 port 2587 (STARTTLS) or 2465 (SSL/TLS), user "demo"
 SMTP (MX)    127.0.0.1 port 2525, accepts mail for @example.test
 Certificate  self-signed ($DEV/tls/cert.pem): accept it in your client
 Try it:
   swaks --server 127.0.0.1:2525 --to demo@example.test --from you@example.net
   curl -k --url 'imaps://127.0.0.1:2993/INBOX;UID=1' --user 'demo:$PASSWORD'
 State in $DEV.  Ctrl-C stops everything.
=========================================================================
INFO
wait
