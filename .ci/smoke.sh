#!/usr/bin/env bash
# A newcomer's first run, as README.md describes it: `lexheller serve` with no
# config in an empty directory, a blanket sent with curl over its SMTP port,
# the acknowledgement read back with curl over its IMAP port, then SIGTERM
# and exit status 0.
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

cat >blankett.eml <<MAIL
From: Anna Andersson <anna@lexheller.localhost>
To: lexheller@lexheller.localhost
Subject: Lex Heller
Message-ID: <smoke-$$@lexheller.localhost>

Namn: Anna Andersson
Organisation: Arbetsförmedlingen Angered
Berörda parter: FK, AF
Vad hände?: FK och AF gav motstridiga besked.
MAIL
curl -sS --url "smtp://$smtp" --mail-from anna@lexheller.localhost \
	--mail-rcpt lexheller@lexheller.localhost --upload-file blankett.eml || fail "curl could not send the blanket"
for _ in $(seq 100); do
	if curl -sS --url "imap://$imap/INBOX;UID=1" --user anna@lexheller.localhost:x >ack.eml 2>/dev/null &&
		grep -q '^X-Lexheller-Case: LH-' ack.eml; then
		break
	fi
	sleep 0.1
done
grep -q '^X-Lexheller-Case: LH-' ack.eml || fail "no acknowledgement in anna's INBOX within 10 s"
say "acknowledgement read over IMAP: $(grep '^X-Lexheller-Case:' ack.eml | tr -d '\r')"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || fail "serve exited with status $rc after SIGTERM"
say "serve stopped on SIGTERM with exit status 0"
