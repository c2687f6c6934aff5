#!/usr/bin/env bash
# The Debian package, as an operator gets it: builds it with
# deploy/deb/build.sh, installs it with dpkg -i, checks the version, the
# shipped config (check-config fails on the missing password file alone,
# then passes as the lexheller user once the file is there), the unit
# (systemd-analyze verify), the owners and modes, an upgrade to a newer
# .deb (the edited config, the password file and the data kept), then
# dpkg -r (config and data kept) and dpkg --purge (gone, with a warning).
#
# Needs root or password-less sudo, dpkg and Debian 12: without them it
# prints SKIP and exits 0, except in CI (CI set), where it fails. It
# refuses to run where lexheller is installed or /etc/lexheller or
# /var/lib/lexheller exist (it purges what it installs).
set -Eeuo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$PATH:/usr/local/go/bin:/usr/sbin:/sbin"
start=$(date +%s)

say() { printf '[deb-test] %s\n' "$*"; }
fail() {
	say "FAILED: $*" >&2
	exit 1
}
skip() {
	if [ -n "${CI:-}" ]; then
		fail "$* (CI is set, so this is a failure, not a skip)"
	fi
	say "SKIP: $*"
	exit 0
}
trap 'say "FAILED: line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR

command -v dpkg >/dev/null && command -v dpkg-deb >/dev/null || skip "no dpkg here: the package test needs Debian"
SUDO=()
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		SUDO=(sudo -n)
	else
		skip "not root and no password-less sudo: dpkg -i is impossible here"
	fi
fi
as_root() { "${SUDO[@]}" "$@"; }

# One run at a time on a machine (another checkout's CI, say).
exec 9>"/tmp/lexheller-deb-test.lock"
flock -w 600 9 || fail "another run of this test holds /tmp/lexheller-deb-test.lock"

# Left in the state directory by each install of this test, so that a run
# killed half way is told from a real installation.
marker=/var/lib/lexheller/.deb-test
status() { dpkg-query -W -f '${db:Status-Abbrev}' lexheller 2>/dev/null | tr -d ' ' || true; }
# A run killed half way leaves its package behind, with the marker: purge it.
if [ -n "$(status)" ] && [ "$(status)" != un ] && as_root test -e "$marker"; then
	say "purging what an earlier run of this test left"
	as_root dpkg --purge lexheller >/dev/null 2>&1
fi
if [ -n "$(status)" ] && [ "$(status)" != un ]; then
	fail "the package lexheller is installed here (status $(status)); this test would purge it: run it on another machine"
fi
for d in /etc/lexheller /var/lib/lexheller; do
	if as_root test -e "$d"; then
		fail "$d exists (a lexheller deployed by hand?); this test would install over it and delete it on purge"
	fi
done

installed=
cleanup() {
	if [ -n "$installed" ] && [ -n "$(status)" ] && [ "$(status)" != un ]; then
		as_root dpkg --purge lexheller >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
work=$(mktemp -d /tmp/lexheller-debtest.XXXXXX)
chmod 0755 "$work"
trap cleanup EXIT

# What the package depends on and what the checks use (a fresh Debian 12
# has all but perhaps systemd-analyze, which is in the package systemd).
need=()
command -v adduser >/dev/null || need+=(adduser)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v objdump >/dev/null || need+=(binutils)
command -v runuser >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
	say "installing ${need[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >"$work/apt.log" 2>&1 ||
		{ as_root apt-get update -q >>"$work/apt.log" 2>&1 &&
			as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >>"$work/apt.log" 2>&1; } ||
		{ cat "$work/apt.log" >&2; fail "could not install ${need[*]}"; }
fi

# --- build -----------------------------------------------------------------
describe=$(git -C "$root" describe --tags --always --dirty)
t=$(date +%s)
deb=$(bash "$root/deploy/deb/build.sh" "$work/dist") || fail "deploy/deb/build.sh failed"
debver=$(dpkg-deb -f "$deb" Version)
say "built $(basename "$deb"): $(stat -c %s "$deb") bytes in $(($(date +%s) - t)) s (git describe: $describe)"
case $(basename "$deb") in "lexheller_${debver}_amd64.deb") ;; *) fail "the file is not named lexheller_${debver}_amd64.deb" ;; esac
dpkg-deb -e "$deb" "$work/control"
[ "$(cat "$work/control/conffiles")" = /etc/lexheller/lexheller.toml ] ||
	fail "conffiles is not /etc/lexheller/lexheller.toml: $(cat "$work/control/conffiles")"

# --- install ---------------------------------------------------------------
installed=1
as_root dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "dpkg -i failed"; }
as_root touch "$marker"
[ "$(status)" = ii ] || fail "after dpkg -i the package's status is $(status), not ii"
grep -q 'systemctl enable --now lexheller' "$work/install.log" || fail "the first install did not say what to do next"
say "dpkg -i: installed $debver"

got=$(lexheller version)
[ "$got" = "lexheller $describe" ] || fail "lexheller version says \"$got\", not \"lexheller $describe\""
[ "$(command -v lexheller)" = /usr/bin/lexheller ] || fail "lexheller on PATH is $(command -v lexheller), not /usr/bin/lexheller"
say "lexheller version: $got"

# The user: a system account without a shell, home the state directory.
IFS=: read -r _ _ uid gid _ home shell < <(getent passwd lexheller) || fail "postinst made no user lexheller"
[ "$uid" -lt 1000 ] || fail "lexheller's uid $uid is not a system uid"
[ "$(getent group lexheller | cut -d: -f3)" = "$gid" ] || fail "lexheller's primary group is not lexheller"
[ "$home" = /var/lib/lexheller ] || fail "lexheller's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "lexheller's shell is $shell"
say "user: lexheller uid $uid gid $gid home $home shell $shell"

# want PATH MODE OWNER:GROUP
want() {
	local got
	got=$(as_root stat -c '%a %U:%G' "$1") || fail "$1 is missing"
	[ "$got" = "$2 $3" ] || fail "$1 is $got, not $2 $3"
	say "  $2 $3 $1"
}
modes() {
	say "modes and owners ($1):"
	want /usr/bin/lexheller 755 root:root
	want /lib/systemd/system/lexheller.service 644 root:root
	want /etc/lexheller 750 root:lexheller
	want /etc/lexheller/lexheller.toml 640 root:lexheller
	want /var/lib/lexheller 750 lexheller:lexheller
	want /usr/share/doc/lexheller/README.md 644 root:root
	want /usr/share/doc/lexheller/copyright 644 root:root
}
modes "dpkg -i"
dpkg-query -W -f '${Conffiles}\n' lexheller >"$work/conffiles"
grep -q '^ /etc/lexheller/lexheller.toml [0-9a-f]\{32\}$' "$work/conffiles" ||
	fail "dpkg has no conffile /etc/lexheller/lexheller.toml: $(cat "$work/conffiles")"

# The shipped config: check-config names the missing password file and
# nothing else.
rc=0
as_root lexheller check-config /etc/lexheller/lexheller.toml >"$work/cc.out" 2>"$work/cc.err" || rc=$?
[ "$rc" = 1 ] || fail "check-config on the shipped config exited $rc, not 1 (the password file is missing): $(cat "$work/cc.out" "$work/cc.err")"
sed 's/^lexheller: //' "$work/cc.err" >"$work/cc.lines"
n=$(grep -c . "$work/cc.lines")
bad=$(grep -v '^/etc/lexheller/lexheller.toml:[0-9]*: \(imap\|smtp\)\.password_file: open /etc/lexheller/password: no such file or directory$' "$work/cc.lines" || true)
[ "$n" -ge 1 ] && [ -z "$bad" ] || fail "check-config on the shipped config says more than that the password file is missing: $(cat "$work/cc.err")"
say "check-config, as shipped: exit 1, $n lines, each the missing /etc/lexheller/password:"
sed 's/^/[deb-test]   /' "$work/cc.err"

# With the password file as README.md says to make it, the config is valid
# for the service's user (as ExecStartPre runs it).
as_root install -m 0640 -o root -g lexheller /dev/null /etc/lexheller/password
echo 'not-a-real-password' | as_root tee /etc/lexheller/password >/dev/null
want /etc/lexheller/password 640 root:lexheller
as_root runuser -u lexheller -- lexheller check-config /etc/lexheller/lexheller.toml >"$work/cc.out" 2>&1 ||
	fail "check-config as the lexheller user with the password file failed: $(cat "$work/cc.out")"
grep -q '^/etc/lexheller/lexheller.toml is valid: ' "$work/cc.out" || fail "check-config did not say the config is valid: $(cat "$work/cc.out")"
say "check-config as lexheller with /etc/lexheller/password: $(head -n1 "$work/cc.out")"

# The unit.
as_root systemd-analyze verify /lib/systemd/system/lexheller.service >"$work/verify.out" 2>&1 ||
	{ cat "$work/verify.out" >&2; fail "systemd-analyze verify /lib/systemd/system/lexheller.service failed"; }
if grep -i 'lexheller' "$work/verify.out" >/dev/null; then
	cat "$work/verify.out" >&2
	fail "systemd-analyze verify warned about the unit"
fi
say "systemd-analyze verify: ok ($(wc -l <"$work/verify.out") lines about other units)"

# The operator's work: an edited config, a database. Then an upgrade to a
# newer .deb and a second configure of the same version: both keep them.
echo '# edited by the operator' | as_root tee -a /etc/lexheller/lexheller.toml >/dev/null
as_root runuser -u lexheller -- sh -c 'umask 077; echo cases >/var/lib/lexheller/lexheller.db'
sum=$(as_root md5sum /etc/lexheller/lexheller.toml)
newer=$(LEXHELLER_DEB_VERSION="$debver+upgradetest" bash "$root/deploy/deb/build.sh" "$work/dist") || fail "building the newer package failed"
as_root dpkg -i "$newer" >"$work/upgrade.log" 2>&1 </dev/null || { cat "$work/upgrade.log" >&2; fail "dpkg -i of the newer package failed"; }
[ "$(dpkg-query -W -f '${Version}' lexheller)" = "$debver+upgradetest" ] || fail "the upgrade did not install $debver+upgradetest"
as_root dpkg -i "$newer" >>"$work/upgrade.log" 2>&1 </dev/null || { cat "$work/upgrade.log" >&2; fail "reinstalling the same package failed"; }
[ "$(as_root md5sum /etc/lexheller/lexheller.toml)" = "$sum" ] || fail "the upgrade changed the edited /etc/lexheller/lexheller.toml"
! grep -q 'systemctl enable --now' "$work/upgrade.log" || fail "an upgrade printed the first install's instructions"
as_root test -s /etc/lexheller/password || fail "the upgrade lost /etc/lexheller/password"
[ "$(as_root cat /var/lib/lexheller/lexheller.db)" = cases ] || fail "the upgrade lost /var/lib/lexheller/lexheller.db"
[ "$(getent passwd lexheller | cut -d: -f3)" = "$uid" ] || fail "the upgrade changed lexheller's uid"
modes "upgrade to $debver+upgradetest, then dpkg -i again"
say "upgrade: edited config, password file and data kept"

# --- remove: the config and the data stay ----------------------------------
as_root dpkg -r lexheller >"$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; fail "dpkg -r failed"; }
[ "$(status)" = rc ] || fail "after dpkg -r the status is $(status), not rc (removed, config kept)"
[ ! -e /usr/bin/lexheller ] || fail "dpkg -r left /usr/bin/lexheller"
[ ! -e /lib/systemd/system/lexheller.service ] || fail "dpkg -r left the unit"
[ "$(as_root md5sum /etc/lexheller/lexheller.toml)" = "$sum" ] || fail "dpkg -r did not keep the edited config"
as_root test -s /etc/lexheller/password || fail "dpkg -r removed /etc/lexheller/password"
[ "$(as_root cat /var/lib/lexheller/lexheller.db)" = cases ] || fail "dpkg -r did not keep the data"
getent passwd lexheller >/dev/null || fail "dpkg -r removed the user"
say "dpkg -r: status rc; config, password file, data and user kept"

# --- purge: everything but the user goes, with a warning first --------------
as_root dpkg --purge lexheller >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge failed"; }
grep -q '^WARNING: purging lexheller deletes its data' "$work/purge.log" || { cat "$work/purge.log" >&2; fail "purge printed no warning"; }
grep -q '/var/lib/lexheller/lexheller.db' "$work/purge.log" || fail "purge's warning did not list the database"
[ -z "$(status)" ] || [ "$(status)" = un ] || fail "after dpkg --purge the status is $(status)"
for p in /etc/lexheller /var/lib/lexheller; do
	! as_root test -e "$p" || fail "dpkg --purge left $p"
done
as_root dpkg-statoverride --list >"$work/overrides"
! grep lexheller "$work/overrides" || fail "dpkg --purge left the statoverrides above"
say "dpkg --purge: package, /etc/lexheller and /var/lib/lexheller gone; the warning:"
grep -A8 '^WARNING' "$work/purge.log" | sed 's/^/[deb-test]   /'

# --- install again over the kept user, and purge at once --------------------
as_root dpkg -i "$deb" >"$work/install2.log" 2>&1 || { cat "$work/install2.log" >&2; fail "installing again after purge failed"; }
as_root touch "$marker"
[ "$(getent passwd lexheller | cut -d: -f3)" = "$uid" ] || fail "installing again made a new user"
modes "dpkg -i after purge"
as_root dpkg --purge lexheller >"$work/purge2.log" 2>&1 || { cat "$work/purge2.log" >&2; fail "dpkg --purge of an installed package failed"; }
for p in /usr/bin/lexheller /etc/lexheller /var/lib/lexheller; do
	! as_root test -e "$p" || fail "dpkg --purge (from installed) left $p"
done
installed=
say "passed in $(($(date +%s) - start)) s"
