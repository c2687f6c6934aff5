#!/usr/bin/env bash
# A newcomer's first run, as README.md describes it: `lexheller serve` with no
# config in an empty directory, the example blanket it writes sent with the
# curl line it prints, the acknowledgement read back decoded with the line
# it prints, then SIGTERM and exit status 0.
set -Eeuo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/lexheller-smoke.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
say() { printf '[smoke] %s\n' "$*"; }
fail() {
	say "FAILED: $*"
	sed 's/^/[smoke] serve: /' "$work/serve.log" >&2 || true
	exit 1
}

(cd "$root" && go build -o "$work/lexheller" ./cmd/lexheller)
cd "$work"
./lexheller serve >serve.log 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^  SMTP ' serve.log && break; sleep 0.1; done
smtp=$(awk '/^  SMTP /{print $2; exit}' serve.log)
imap=$(awk '/^  IMAP /{print $2; exit}' serve.log)
[ -n "$smtp" ] && [ -n "$imap" ] || fail "no IMAP/SMTP ports printed"
say "serve is up: IMAP $imap, SMTP $smtp"

# The steps serve prints, run as printed: send the example blanket, then
# read Anna's first mail decoded.
send=$(grep -m1 '^  curl --url smtp://' serve.log) || fail "no send command printed"
[ -f exempel.eml ] || fail "serve wrote no exempel.eml"
eval "$send" || fail "the printed send command failed: $send"
read=$(grep -m1 "^  curl -s --url 'imap://" serve.log) || fail "no read command printed"
read=${read/| lexheller /| ./lexheller }
for _ in $(seq 100); do
	if eval "$read" >inspect.out 2>/dev/null && grep -q 'Vi har tagit emot din anmälan' inspect.out; then
		break
	fi
	sleep 0.1
done
grep -q 'Vi har tagit emot din anmälan' inspect.out || fail "the printed read command did not show the acknowledgement decoded within 10 s: $(cat inspect.out)"
say "acknowledgement read over IMAP with the printed command: $(grep -m1 '^subject:' inspect.out)"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || fail "serve exited with status $rc after SIGTERM"
say "serve stopped on SIGTERM with exit status 0"
