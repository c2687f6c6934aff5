#!/usr/bin/env bash
# Builds dist/lexheller_<version>_amd64.deb (or in the directory given):
#
#   bash deploy/deb/build.sh [OUTDIR]
#
# The binary's version is `git describe --tags --always --dirty` (set with
# -ldflags -X main.version=…; LEXHELLER_VERSION overrides it outside a git
# checkout), the package's the same made a Debian version: v1.2.3 → 1.2.3,
# v1.2.3-4-gabc1234 → 1.2.3+git4.gabc1234, no tag yet → 0.0.0~git<number
# of commits>.g<hash>, "-dirty" → "+dirty" (LEXHELLER_DEB_VERSION
# overrides it). The package is made by nfpm, pinned in deploy/deb/go.mod
# and run as a Go tool: nothing is fetched but Go modules, and only on the
# first run. Needs Go and a C compiler (SQLite); not root.
set -Eeuo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/dist}
export PATH="$PATH:/usr/local/go/bin"

die() {
	echo "deploy/deb/build.sh: $*" >&2
	exit 1
}

describe=${LEXHELLER_VERSION:-$(git -C "$root" describe --tags --always --dirty 2>/dev/null)} ||
	die "not a git checkout: set LEXHELLER_VERSION to the version to build"
[ -n "$describe" ] || die "no version: set LEXHELLER_VERSION"

# debian_version makes what git describe said a Debian version that sorts
# the way the commits do.
debian_version() {
	local v=$1 dirty='' base='' suffix=''
	case $v in *-dirty) dirty=+dirty v=${v%-dirty} ;; esac
	if [[ $v =~ ^(.+)-([0-9]+)-g([0-9a-f]+)$ ]]; then
		base=${BASH_REMATCH[1]} suffix=+git${BASH_REMATCH[2]}.g${BASH_REMATCH[3]}
	elif [[ $v =~ ^[0-9a-f]{7,40}$ ]]; then
		local n
		n=$(git -C "$root" rev-list --count HEAD 2>/dev/null) || n=0
		base=0.0.0 suffix="~git$n.g$v"
	else
		base=$v
	fi
	base=${base#v}
	base=${base//-/\~}
	base=${base//_/.}
	[[ $base =~ ^[0-9] ]] || base="0~$base"
	printf '%s%s%s\n' "$base" "$suffix" "$dirty"
}
debver=${LEXHELLER_DEB_VERSION:-$(debian_version "$describe")}
[[ $debver =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "not a Debian version: $debver (from $describe)"

stage=$(mktemp -d /tmp/lexheller-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT

# The binary, as README.md's "Building a binary", stripped of its symbol
# table (same compile flags as go build and go test, so a warm build cache
# makes this a link of a few seconds).
(cd "$root" && CGO_ENABLED=1 GOOS=linux GOARCH=amd64 go build \
	-ldflags "-s -w -X main.version=$describe" -o "$stage/lexheller" ./cmd/lexheller)
got=$("$stage/lexheller" version)
[ "$got" = "lexheller $describe" ] || die "the binary says \"$got\", not \"lexheller $describe\""
# The newest glibc symbol version it uses (SQLite through cgo): the
# package's libc6 dependency.
glibc=$(objdump -T "$stage/lexheller" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
[ -n "$glibc" ] || die "cannot tell which glibc the binary needs (objdump -T, from binutils)"

# The unit: deploy/lexheller.service with the package's paths, its
# manual-install header replaced.
{
	cat <<'EOF'
# systemd unit for lexheller, installed by the Debian package (built from
# deploy/lexheller.service). Not enabled at install: edit
# /etc/lexheller/lexheller.toml, create /etc/lexheller/password, then
#   systemctl enable --now lexheller
# Logs (JSON, one object a line) go to the journal: journalctl -u lexheller
# Reload the templates without a restart: systemctl reload lexheller
# Local changes: systemctl edit lexheller (this file is replaced on upgrade).

EOF
	sed -n '/^\[Unit\]/,$p' "$root/deploy/lexheller.service" |
		sed -e 's#/usr/local/bin/lexheller#/usr/bin/lexheller#g' \
			-e 's#file:///usr/local/share/doc/lexheller/#file:///usr/share/doc/lexheller/#' \
			-e 's#^StateDirectoryMode=0700$#StateDirectoryMode=0750#' \
			-e 's#its files 0600 and the directory 0700#its files 0600 and the directory 0750, lexheller:lexheller#'
} >"$stage/lexheller.service"
for want in '^ExecStartPre=/usr/bin/lexheller check-config /etc/lexheller/lexheller.toml$' \
	'^ExecStart=/usr/bin/lexheller serve --config /etc/lexheller/lexheller.toml$' \
	'^Documentation=file:///usr/share/doc/lexheller/README.md$' \
	'^User=lexheller$' '^Group=lexheller$' '^StateDirectory=lexheller$' '^StateDirectoryMode=0750$' \
	'^WorkingDirectory=/var/lib/lexheller$'; do
	grep -q "$want" "$stage/lexheller.service" ||
		die "deploy/lexheller.service changed: the packaged unit has no line matching $want; update build.sh"
done
! grep -q /usr/local "$stage/lexheller.service" || die "the packaged unit still names /usr/local"

# The config: lexheller.example.toml with both servers' passwords in
# /etc/lexheller/password, a file the package does not ship. As shipped,
# `lexheller check-config` fails on that file alone; once it is there the
# config is valid (with example servers and addresses to change).
{
	cat <<'EOF'
# /etc/lexheller/lexheller.toml, installed by the Debian package (a
# conffile: upgrades keep your edits; dpkg asks when a new version changes
# the shipped file). root:lexheller 0640.
#
# Before `systemctl enable --now lexheller`, change what is an example
# here (every name under .example and example.org is one):
#   - address: the shared mailbox;
#   - [imap] and [smtp]: the servers' addresses, security and usernames;
#   - each [[forbund]]: name, aliases, addresses, process_leaders, chief,
#     meetings and representatives;
#   - [commands] authserv_id: your inbound server's (see README.md,
#     "Sender forgery");
# and put the mailbox's password, one line, in /etc/lexheller/password:
#   install -m 0640 -o root -g lexheller /dev/null /etc/lexheller/password
#   sudoedit /etc/lexheller/password
# Then `lexheller check-config /etc/lexheller/lexheller.toml` says what is
# still wrong; as shipped it names only that missing password file.
# Documentation: /usr/share/doc/lexheller/README.md

EOF
	sed -e 's#^password_file = "/etc/lexheller/imap-password" .*#password_file = "/etc/lexheller/password"         \# not shipped: create it (see the top); or password_env = "LEXHELLER_IMAP_PASSWORD"#' \
		-e 's#^password_env = "LEXHELLER_SMTP_PASSWORD"$#password_file = "/etc/lexheller/password"         \# the same account as [imap]; another: "/etc/lexheller/smtp-password"#' \
		"$root/lexheller.example.toml"
} >"$stage/lexheller.toml"
[ "$(grep -c '^password_file = "/etc/lexheller/password" ' "$stage/lexheller.toml")" = 2 ] ||
	die "lexheller.example.toml changed: the packaged config should name /etc/lexheller/password for [imap] and [smtp]; update build.sh"
! grep -q '^password_env' "$stage/lexheller.toml" || die "the packaged config still reads a password from the environment"

cp "$root/README.md" "$stage/README.md"

# The copyright file: lexheller's licence, then the licences of the Go
# modules compiled into the binary (from the module cache) and Go's own.
{
	echo "lexheller $describe"
	echo
	found=
	for f in LICENSE LICENSE.md LICENSE.txt LICENCE COPYING; do
		if [ -f "$root/$f" ]; then
			cat "$root/$f"
			found=1
			break
		fi
	done
	[ -n "$found" ] || echo "The lexheller source tree has no licence file at this version; ask its maintainers."
	echo
	echo "The binary /usr/bin/lexheller also contains the following, each under its own licence."
	(cd "$root" && go list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' ./cmd/lexheller) |
		sort -u | while read -r path version dir; do
		echo
		echo "----------------------------------------------------------------------"
		echo "$path $version"
		for f in "$dir"/*; do
			case ${f##*/} in
			LICENSE* | LICENCE* | COPYING* | NOTICE*) [ -f "$f" ] && { echo; cat "$f"; } ;;
			esac
		done
	done
	echo
	echo "----------------------------------------------------------------------"
	echo "Go $(go env GOVERSION) (the standard library and runtime)"
	echo
	cat "$(go env GOROOT)/LICENSE"
} >"$stage/copyright"

mkdir -p "$out"
deb="$out/lexheller_${debver}_amd64.deb"
rm -f "$deb"
maintainer=${LEXHELLER_DEB_MAINTAINER:-$(git -C "$root" log -1 --format='%an <%ae>' 2>/dev/null || true)}
[ -n "$maintainer" ] || maintainer="lexheller maintainers <root@localhost>"
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
(cd "$here" && LEXHELLER_STAGE=$stage LEXHELLER_DEB_VERSION=$debver LEXHELLER_GLIBC=$glibc \
	LEXHELLER_DEB_MAINTAINER=$maintainer SOURCE_DATE_EPOCH=$epoch \
	go tool nfpm package --config nfpm.yaml --packager deb --target "$deb" >/dev/null)
[ -s "$deb" ] || die "nfpm made no $deb"
echo "$deb"
