#!/usr/bin/env bash
# Private Dovecot (IMAP + LMTP) and Postfix (SMTP) on 127.0.0.1 for end-to-end tests.
#
# Usage:
#   bash .ci/mailservers.sh start DIR   # install if needed, configure under DIR, start, verify
#   bash .ci/mailservers.sh stop  DIR   # stop both servers started with DIR (ok if not running)
#
#   DIR must exist (e.g. DIR=$(mktemp -d)); everything (config, queue, mail, logs) lives in it.
#   Ports: IMAP_PORT (default 10143), SMTP_PORT (default 10025). A busy port is an error.
#   After start, DIR/env holds the LEXHELLER_E2E_* variables (KEY=VALUE lines plus one
#   `export` line), so `source DIR/env` exports them and Go tests can parse KEY=VALUE.
#
#   A second pair for OAuth2 starts beside the first, with its own mail under DIR/oauth:
#   Dovecot on OAUTH_IMAP_PORT (default IMAP_PORT+1) checks XOAUTH2 and OAUTHBEARER
#   tokens by RFC 7662 introspection at http://127.0.0.1:OAUTH_TOKEN_PORT/introspect
#   (default IMAP_PORT+37, i.e. 10180), where the Go test runs its token server
#   (intake/oauth/oauthtest) while it needs it; password "test" still works for PLAIN and
#   LOGIN (the tests' own mail clients). Its Postfix takes mail for example.test without
#   AUTH on OAUTH_MX_PORT (default SMTP_PORT+2) and requires SMTP AUTH (the same tokens,
#   through Dovecot's SASL socket) to send on OAUTH_SMTP_PORT (default SMTP_PORT+1); it
#   writes "(Authenticated sender: ...)" into the Received header. The env file adds
#   LEXHELLER_E2E_OAUTH_{IMAP,SMTP,MX,TOKEN,DOVECOT} (the last is its dovecot.conf, for
#   `doveadm -c ... kick`).
#
# Mail model:
#   - Domain example.test; ANY local part is accepted by Postfix and delivered over LMTP to
#     its own Dovecot mailbox (DIR/mail/example.test/<user>, sdbox format).
#   - Plus addressing: user+anything@example.test goes to user's INBOX.
#   - The original recipient (with the +detail) is kept in the "Delivered-To:" header, which
#     Dovecot's LMTP adds (lmtp_hdr_delivery_address = final = the RCPT TO address as sent by
#     Postfix). Postfix's lmtp client adds no X-Original-To.
#   - IMAP: any user, password "test" (login "bob" == "bob@example.test"), plaintext auth on
#     loopback, hierarchy separator "/", IDLE, MOVE.
#   - Postfix accepts mail only for example.test (no relaying elsewhere), 40 MB size limit,
#     short retry timers. Logs: DIR/log/postfix.log and DIR/log/dovecot.log.
#
# Needs root (Debian 12, no systemd). Runs unattended.
set -Eeuo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

DOMAIN=example.test
PASSWORD=test
IMAP_PORT="${IMAP_PORT:-10143}"
SMTP_PORT="${SMTP_PORT:-10025}"
OAUTH_IMAP_PORT="${OAUTH_IMAP_PORT:-$((IMAP_PORT + 1))}"
OAUTH_SMTP_PORT="${OAUTH_SMTP_PORT:-$((SMTP_PORT + 1))}"
OAUTH_MX_PORT="${OAUTH_MX_PORT:-$((SMTP_PORT + 2))}"
OAUTH_TOKEN_PORT="${OAUTH_TOKEN_PORT:-$((IMAP_PORT + 37))}"
WAIT_PORTS_SECS=20
WAIT_PROBE_SECS=15
WAIT_STOP_SECS=15

log() { printf '[mailservers] %s\n' "$*"; }
warn() { printf '[mailservers] WARNING: %s\n' "$*" >&2; }

usage() {
	echo "usage: $0 start|stop DIR   (env: IMAP_PORT=${IMAP_PORT} SMTP_PORT=${SMTP_PORT})" >&2
	exit 2
}

[ $# -eq 2 ] || usage
ACTION=$1
DIR=$2
case "$ACTION" in start | stop) ;; *) usage ;; esac
case "$DIR" in *[[:space:]]*) echo "DIR must not contain whitespace: '$DIR'" >&2; exit 2 ;; esac
if [ "$ACTION" = start ] && [ ! -d "$DIR" ]; then
	echo "DIR does not exist: $DIR (create it first, e.g. with mktemp -d)" >&2
	exit 2
fi
if [ -d "$DIR" ]; then DIR=$(cd "$DIR" && pwd -P); fi

DC_CONF="$DIR/dovecot.conf"
DC_RUN="$DIR/dovecot/run"      # Dovecot base_dir (sockets, master.pid)
DC_STATE="$DIR/dovecot/state"
LMTP_SOCKET="$DC_RUN/lmtp"
PF_CONF="$DIR/postfix"         # Postfix config_directory (main.cf, master.cf)
PF_QUEUE="$DIR/postfix-queue"  # queue_directory
PF_DATA="$DIR/postfix-data"    # data_directory (owned by postfix)
MAILDIR="$DIR/mail"
LOGDIR="$DIR/log"
DC_LOG="$LOGDIR/dovecot.log"
PF_LOG="$LOGDIR/postfix.log"
# The OAuth2 pair.
OA_DIR="$DIR/oauth"
OA_DC_CONF="$OA_DIR/dovecot.conf"
OA_DC_RUN="$OA_DIR/dovecot/run"
OA_PF_CONF="$OA_DIR/postfix"
OA_PF_QUEUE="$OA_DIR/postfix-queue"
OA_PF_DATA="$OA_DIR/postfix-data"
OA_MAILDIR="$OA_DIR/mail"
OA_DC_LOG="$LOGDIR/oauth-dovecot.log"
OA_PF_LOG="$LOGDIR/oauth-postfix.log"

# ---------------------------------------------------------------- helpers

print_logs() {
	local f
	[ -d "$LOGDIR" ] || return 0
	for f in "$PF_LOG" "$DC_LOG" "$OA_PF_LOG" "$OA_DC_LOG"; do
		if [ -s "$f" ]; then
			echo "----- last 40 lines of $f -----" >&2
			tail -n 40 "$f" >&2 || true
		else
			echo "----- $f: missing or empty -----" >&2
		fi
	done
}

LAUNCHED=0 # set once start has launched servers: a failed start stops them again

fail_cleanup() {
	print_logs
	if [ "$LAUNCHED" = 1 ]; then
		LAUNCHED=0
		echo "[mailservers] stopping the servers of the failed start" >&2
		stop_oauth >&2 || true
		stop_postfix >&2 || true
		stop_dovecot >&2 || true
	fi
}

die() {
	trap - ERR
	echo "[mailservers] ERROR: $*" >&2
	fail_cleanup
	exit 1
}

# port_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

elapsed() { # START(EPOCHREALTIME) -> seconds with one decimal
	local a=${1//[.,]/} b=${EPOCHREALTIME//[.,]/}
	local ms=$(((b - a) / 1000))
	printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# pid_alive PID: running and not a zombie (PID 1 here may reap exited daemons late)
pid_alive() {
	[ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
	local st
	st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null || true)
	[ "$st" != Z ]
}

read_pid() { # FILE -> pid on stdout (empty if none)
	local p=""
	if [ -r "$1" ]; then p=$(tr -dc '0-9' <"$1" || true); fi
	echo "$p"
}

# wait_gone PID SECS: wait until PID exits; returns 1 on timeout
wait_gone() {
	local pid=$1 deadline=$((SECONDS + $2))
	while pid_alive "$pid"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# ---------------------------------------------------------------- install

ensure_policy_rc_d() {
	local p=/usr/sbin/policy-rc.d rc=0
	if [ -e "$p" ]; then
		"$p" dovecot start >/dev/null 2>&1 || rc=$?
		if [ "$rc" -ne 101 ]; then
			warn "$p exists but exits $rc (not 101): package scripts may start system-wide dovecot/postfix; they will be stopped after install"
		fi
	else
		log "creating $p (exit 101) so package installs do not start system services"
		printf '#!/bin/sh\n# created by lexheller .ci/mailservers.sh: do not start services on package install\nexit 101\n' >"$p"
		chmod 0755 "$p"
	fi
}

install_packages() {
	local pkgs=(dovecot-imapd dovecot-lmtpd postfix swaks) missing=() p
	for p in "${pkgs[@]}"; do pkg_installed "$p" || missing+=("$p"); done
	if [ "${#missing[@]}" -eq 0 ] && command -v dovecot >/dev/null && command -v postfix >/dev/null &&
		command -v swaks >/dev/null && command -v curl >/dev/null; then
		log "packages already installed (dovecot $(dovecot --version | cut -d' ' -f1), postfix $(postconf -dh mail_version 2>/dev/null)); skipping apt"
		return 0
	fi
	command -v curl >/dev/null || missing+=(curl ca-certificates)
	[ "${#missing[@]}" -gt 0 ] || missing=("${pkgs[@]}")
	local t0=$EPOCHREALTIME
	log "installing: ${missing[*]}"
	ensure_policy_rc_d
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq </dev/null || die "apt-get update failed"
	mkdir -p "$LOGDIR"
	apt-get install -y -qq --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		"${missing[@]}" </dev/null >"$LOGDIR/apt.log" 2>&1 || {
		tail -n 40 "$LOGDIR/apt.log" >&2
		die "apt-get install failed (log: $LOGDIR/apt.log)"
	}
	log "install done in $(elapsed "$t0") s"
}

# Stop a system-wide (default config) dovecot/postfix if one happens to run: it would
# compete for resources and confuse anyone reading `ps`. Our instances never use it.
stop_system_instances() {
	local pid
	pid=$(read_pid /run/dovecot/master.pid)
	if pid_alive "$pid"; then
		log "stopping system-wide dovecot (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" "$WAIT_STOP_SECS" || kill -KILL "$pid" 2>/dev/null || true
	fi
	pid=$(read_pid /var/spool/postfix/pid/master.pid)
	if pid_alive "$pid"; then
		log "stopping system-wide postfix (pid $pid)"
		postfix stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
		wait_gone "$pid" "$WAIT_STOP_SECS" || kill -KILL "$pid" 2>/dev/null || true
	fi
}

ensure_vmail_user() {
	if ! getent group vmail >/dev/null; then groupadd --system vmail; fi
	if ! getent passwd vmail >/dev/null; then
		useradd --system --gid vmail --home-dir /nonexistent --no-create-home \
			--shell /usr/sbin/nologin vmail
	fi
	getent passwd dovecot >/dev/null || die "system user 'dovecot' missing (dovecot-core not installed correctly?)"
	getent passwd dovenull >/dev/null || die "system user 'dovenull' missing (dovecot-core not installed correctly?)"
	getent passwd postfix >/dev/null || die "system user 'postfix' missing (postfix not installed correctly?)"
}

# ---------------------------------------------------------------- config

write_dovecot_conf() {
	local vmail_uid
	vmail_uid=$(id -u vmail)
	cat >"$DC_CONF" <<EOF
# Generated by .ci/mailservers.sh for tests. Do not edit: rewritten on every start.
# Dovecot 2.3 syntax.
instance_name = lexheller-e2e
base_dir = $DC_RUN
state_dir = $DC_STATE
log_path = $DC_LOG
info_log_path = $DC_LOG
auth_verbose = yes
hostname = mx.$DOMAIN

protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# "bob" and "bob@$DOMAIN" are the same user.
auth_default_realm = $DOMAIN
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $vmail_uid
last_valid_uid = 0

# Any user, password "$PASSWORD".
passdb {
  driver = static
  args = password=$PASSWORD
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$MAILDIR/%d/%n allow_all_users=yes
}

# sdbox: fast, one file per message, filesystem-style folder names (non-ASCII names
# are stored in modified UTF-7). Test data is disposable, so skip fsync.
mail_location = sdbox:~/mail
mail_fsync = never
namespace inbox {
  inbox = yes
  separator = /
  prefix =
}

# Fallback when inotify is unavailable or its per-user instance limit is reached.
mailbox_idle_check_interval = 1 secs
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
# Delivered-To: carries the RCPT TO address as given (keeps +detail).
lmtp_hdr_delivery_address = final
postmaster_address = postmaster@$DOMAIN

default_process_limit = 500
default_client_limit = 5000

protocol imap {
  mail_max_userip_connections = 100
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
  # high-performance mode: few long-lived login processes
  service_count = 0
  process_min_avail = 2
}

service imap {
  process_limit = 1024
}

# Disable the auth penalty (up to 15 s of delay per failed login from the same IP):
# auth finds no anvil-auth-penalty socket and skips it. A wrong password then
# costs ~0.5 s (the auth failure flush timer) instead of 2..15 s.
service anvil {
  unix_listener anvil-auth-penalty {
    path = anvil-auth-penalty-disabled
  }
}

service lmtp {
  # relative to base_dir: $LMTP_SOCKET
  unix_listener lmtp {
    mode = 0666
  }
}
EOF
}

write_postfix_conf() {
	cat >"$PF_CONF/main.cf" <<EOF
# Generated by .ci/mailservers.sh for tests. Do not edit: rewritten on every start.
compatibility_level = 3.6
queue_directory = $PF_QUEUE
data_directory = $PF_DATA
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF_LOG
maillog_file_prefixes = $DIR
biff = no
append_dot_mydomain = no
readme_directory = no

myhostname = mx.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8

# Nothing is local; everything at $DOMAIN goes to Dovecot over LMTP, any local part.
mydestination =
local_recipient_maps =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
virtual_alias_maps =
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps =
virtual_transport = lmtp:unix:$LMTP_SOCKET
recipient_delimiter = +
smtpd_reject_unlisted_recipient = no

# No relaying anywhere else, not even from loopback; no SMTP auth needed.
relayhost =
relay_domains =
default_transport = error:no delivery outside $DOMAIN in tests
relay_transport = error:no delivery outside $DOMAIN in tests
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_error_sleep_time = 0

message_size_limit = 40000000
mailbox_size_limit = 0

queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 30s
EOF
	# Nothing chrooted (chroot column = n); the first line is the SMTP listener.
	cat >"$PF_CONF/master.cf" <<EOF
# Generated by .ci/mailservers.sh for tests.
# service        type  private unpriv chroot wakeup maxproc command
127.0.0.1:$SMTP_PORT inet n    -      n      -      -       smtpd
pickup           unix  n       -      n      60     1       pickup
cleanup          unix  n       -      n      -      0       cleanup
qmgr             unix  n       -      n      300    1       qmgr
tlsmgr           unix  -       -      n      1000?  1       tlsmgr
rewrite          unix  -       -      n      -      -       trivial-rewrite
bounce           unix  -       -      n      -      0       bounce
defer            unix  -       -      n      -      0       bounce
trace            unix  -       -      n      -      0       bounce
verify           unix  -       -      n      -      1       verify
flush            unix  n       -      n      1000?  0       flush
proxymap         unix  -       -      n      -      -       proxymap
proxywrite       unix  -       -      n      -      1       proxymap
smtp             unix  -       -      n      -      -       smtp
relay            unix  -       -      n      -      -       smtp
showq            unix  n       -      n      -      -       showq
error            unix  -       -      n      -      -       error
retry            unix  -       -      n      -      -       error
discard          unix  -       -      n      -      -       discard
lmtp             unix  -       -      n      -      -       lmtp
anvil            unix  -       -      n      -      1       anvil
scache           unix  -       -      n      -      1       scache
postlog          unix-dgram n  -      n      -      1       postlogd
EOF
	# Postfix waits ~2 s before using a brand-new main.cf; backdate to skip that.
	touch -d '-1 min' "$PF_CONF/main.cf" "$PF_CONF/master.cf"
}

# ---------------------------------------------------------------- stop

stop_postfix() {
	[ -f "$PF_CONF/main.cf" ] || return 0
	local pid
	pid=$(read_pid "$PF_QUEUE/pid/master.pid")
	# only act on a live Postfix master (the pid file may be stale)
	pid_alive "$pid" || return 0
	grep -q '^master$' "/proc/$pid/comm" 2>/dev/null || return 0
	log "stopping postfix (pid $pid)"
	if command -v postfix >/dev/null; then
		postfix -c "$PF_CONF" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
	else
		kill -TERM "$pid" 2>/dev/null || true
	fi
	if ! wait_gone "$pid" "$WAIT_STOP_SECS"; then
		warn "postfix master $pid did not exit in ${WAIT_STOP_SECS}s; killing"
		kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || true
	fi
}

stop_dovecot() {
	local pid
	pid=$(read_pid "$DC_RUN/master.pid")
	pid_alive "$pid" || return 0
	grep -q dovecot "/proc/$pid/comm" 2>/dev/null || return 0
	log "stopping dovecot (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" "$WAIT_STOP_SECS"; then
		warn "dovecot master $pid did not exit in ${WAIT_STOP_SECS}s; killing"
		kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || true
	fi
}

do_stop() {
	if [ ! -d "$DIR" ]; then
		log "nothing to stop ($DIR does not exist)"
		return 0
	fi
	stop_oauth
	stop_postfix
	stop_dovecot
	log "stopped"
}

# ---------------------------------------------------------------- the OAuth2 pair

write_oauth_dovecot_conf() {
	local vmail_uid
	vmail_uid=$(id -u vmail)
	cat >"$OA_DIR/dovecot-oauth2.conf.ext" <<EOF
# Generated by .ci/mailservers.sh: Dovecot asks the test's token server whether a token is
# active (RFC 7662, POST token=...), and for whom (username); it checks no expiry itself.
introspection_mode = post
introspection_url = http://127.0.0.1:$OAUTH_TOKEN_PORT/introspect
username_attribute = username
active_attribute = active
active_value = true
send_auth_headers = yes
timeout_msecs = 5000
EOF
	cat >"$OA_DC_CONF" <<EOF
# Generated by .ci/mailservers.sh for the OAuth2 tests. Do not edit: rewritten on every start.
instance_name = lexheller-e2e-oauth
base_dir = $OA_DC_RUN
state_dir = $OA_DIR/dovecot/state
log_path = $OA_DC_LOG
info_log_path = $OA_DC_LOG
auth_verbose = yes
hostname = mx.$DOMAIN
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_default_realm = $DOMAIN
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = $vmail_uid
last_valid_uid = 0

# Every passdb is filtered by mechanism: a password is never sent to the token server, and
# a refused token never falls through to the password passdb.
passdb {
  driver = static
  args = password=$PASSWORD
  mechanisms = plain login
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $OA_DIR/dovecot-oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$OA_MAILDIR/%d/%n allow_all_users=yes
}
mail_location = sdbox:~/mail
mail_fsync = never
namespace inbox {
  inbox = yes
  separator = /
  prefix =
}
mailbox_idle_check_interval = 1 secs
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
lmtp_hdr_delivery_address = final
postmaster_address = postmaster@$DOMAIN
default_process_limit = 200
default_client_limit = 2000
protocol imap {
  mail_max_userip_connections = 100
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $OAUTH_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
  service_count = 0
  process_min_avail = 1
}
service anvil {
  unix_listener anvil-auth-penalty {
    path = anvil-auth-penalty-disabled
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
# Postfix's SMTP AUTH asks here (smtpd_sasl_type = dovecot).
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
}

# write_oauth_postfix_conf: the first pair's Postfix config with the OAuth2 pair's paths and
# ports, plus a submission listener that requires SMTP AUTH through Dovecot.
write_oauth_postfix_conf() {
	# Assignments before a function call hold for that call only.
	PF_CONF=$OA_PF_CONF PF_QUEUE=$OA_PF_QUEUE PF_DATA=$OA_PF_DATA PF_LOG=$OA_PF_LOG \
		LMTP_SOCKET=$OA_DC_RUN/lmtp SMTP_PORT=$OAUTH_MX_PORT write_postfix_conf
	cat >>"$OA_PF_CONF/main.cf" <<EOF

# The OAuth2 pair: SMTP AUTH (XOAUTH2, OAUTHBEARER; PLAIN, LOGIN) through Dovecot.
smtpd_sasl_type = dovecot
smtpd_sasl_path = $OA_DC_RUN/auth-postfix
smtpd_sasl_authenticated_header = yes
EOF
	cat >>"$OA_PF_CONF/master.cf" <<EOF
127.0.0.1:$OAUTH_SMTP_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
EOF
	touch -d '-1 min' "$OA_PF_CONF/main.cf" "$OA_PF_CONF/master.cf"
}

stop_oauth() {
	PF_CONF=$OA_PF_CONF PF_QUEUE=$OA_PF_QUEUE stop_postfix
	DC_RUN=$OA_DC_RUN stop_dovecot
}

# verify_oauth: mail through the MX port arrives (read with the password), and both
# servers offer the token mechanisms.
verify_oauth() {
	local token="oauth-probe-$$-$RANDOM" out="$OA_DIR/probe" n="" deadline caps
	mkdir -p "$out"
	swaks --server 127.0.0.1 --port "$OAUTH_MX_PORT" --helo ci.$DOMAIN --from "ci-probe@$DOMAIN" --to "probe@$DOMAIN" \
		--header "Subject: $token" --body "mailservers.sh OAuth2 pair probe" </dev/null >"$out/swaks.log" 2>&1 || {
		cat "$out/swaks.log" >&2
		die "OAuth2 pair: SMTP to the MX port failed"
	}
	deadline=$((SECONDS + WAIT_PROBE_SECS))
	while :; do
		n=$(curl -sS --max-time 5 --user "probe:$PASSWORD" "imap://127.0.0.1:$OAUTH_IMAP_PORT/INBOX" \
			-X "UID SEARCH HEADER Subject \"$token\"" 2>>"$out/curl.log" | sed -n 's/^\* SEARCH \([0-9][0-9]*\).*/\1/p' | head -n1 || true)
		[ -z "$n" ] || break
		[ "$SECONDS" -lt "$deadline" ] || die "OAuth2 pair: probe mail not in INBOX after ${WAIT_PROBE_SECS}s"
		sleep 0.2
	done
	caps=$(curl -sS --max-time 5 "imap://127.0.0.1:$OAUTH_IMAP_PORT" -X CAPABILITY 2>&1 || true)
	case "$caps" in *AUTH=XOAUTH2*AUTH=OAUTHBEARER* | *AUTH=OAUTHBEARER*AUTH=XOAUTH2*) ;; *) die "OAuth2 pair: IMAP does not offer XOAUTH2 and OAUTHBEARER: $caps" ;; esac
	swaks --server 127.0.0.1 --port "$OAUTH_SMTP_PORT" --quit-after EHLO </dev/null >"$out/ehlo.log" 2>&1 || true
	if ! grep -q 'AUTH.*XOAUTH2' "$out/ehlo.log" || ! grep -q 'AUTH.*OAUTHBEARER' "$out/ehlo.log"; then
		die "OAuth2 pair: the submission port does not offer AUTH XOAUTH2 and OAUTHBEARER: $(grep -i auth "$out/ehlo.log" || true)"
	fi
}

start_oauth() {
	stop_oauth
	rm -rf "$OA_DC_RUN"
	mkdir -p "$OA_DC_RUN" "$OA_DIR/dovecot/state" "$OA_PF_CONF" "$OA_PF_QUEUE" "$OA_PF_DATA" "$OA_MAILDIR"
	chmod 0755 "$OA_DIR"
	chown root:root "$OA_PF_QUEUE"
	chmod 0755 "$OA_PF_QUEUE"
	chown postfix:postfix "$OA_PF_DATA"
	chmod 0700 "$OA_PF_DATA"
	chown vmail:vmail "$OA_MAILDIR"
	chmod 0700 "$OA_MAILDIR"
	touch "$OA_DC_LOG" "$OA_PF_LOG"
	[ "${#OA_DC_RUN}" -lt 90 ] || die "DIR path too long for the OAuth2 pair's unix sockets: $OA_DC_RUN"
	write_oauth_dovecot_conf
	write_oauth_postfix_conf
	log "starting the OAuth2 pair: dovecot (IMAP 127.0.0.1:$OAUTH_IMAP_PORT, tokens introspected at 127.0.0.1:$OAUTH_TOKEN_PORT)"
	dovecot -c "$OA_DC_CONF" >>"$OA_DC_LOG" 2>&1 || die "the OAuth2 pair's dovecot failed to start (config: $OA_DC_CONF)"
	log "starting the OAuth2 pair: postfix (MX 127.0.0.1:$OAUTH_MX_PORT, submission with AUTH 127.0.0.1:$OAUTH_SMTP_PORT)"
	postfix -c "$OA_PF_CONF" start >>"$OA_PF_LOG" 2>&1 || die "the OAuth2 pair's postfix failed to start"
	wait_port "$OAUTH_IMAP_PORT" "OAuth2 Dovecot IMAP"
	wait_port "$OAUTH_MX_PORT" "OAuth2 Postfix MX"
	wait_port "$OAUTH_SMTP_PORT" "OAuth2 Postfix submission"
	log "verifying the OAuth2 pair"
	verify_oauth
}

# ---------------------------------------------------------------- start

wait_port() { # PORT NAME
	local deadline=$((SECONDS + WAIT_PORTS_SECS))
	until port_open "$1"; do
		[ "$SECONDS" -lt "$deadline" ] || die "$2 is not answering on 127.0.0.1:$1 after ${WAIT_PORTS_SECS}s"
		sleep 0.1
	done
}

verify_delivery() {
	local token="probe-$$-$RANDOM$RANDOM" out="$DIR/probe" n="" deadline
	mkdir -p "$out"
	swaks --server 127.0.0.1 --port "$SMTP_PORT" --helo ci.$DOMAIN \
		--from "ci-probe@$DOMAIN" --to "probe+tag@$DOMAIN" \
		--header "Subject: $token" --body "mailservers.sh delivery probe" \
		</dev/null >"$out/swaks.log" 2>&1 || {
		cat "$out/swaks.log" >&2
		die "probe: SMTP submission to probe+tag@$DOMAIN failed"
	}
	deadline=$((SECONDS + WAIT_PROBE_SECS))
	while :; do
		n=$(curl -sS --max-time 5 --user "probe:$PASSWORD" "imap://127.0.0.1:$IMAP_PORT/INBOX" \
			-X "UID SEARCH HEADER Subject \"$token\"" 2>>"$out/curl.log" |
			sed -n 's/^\* SEARCH \([0-9][0-9]*\).*/\1/p' | head -n1 || true)
		[ -z "$n" ] || break
		[ "$SECONDS" -lt "$deadline" ] || die "probe: mail to probe+tag@$DOMAIN not in probe's INBOX after ${WAIT_PROBE_SECS}s (curl errors: $(tail -n 3 "$out/curl.log" 2>/dev/null))"
		sleep 0.2
	done
	curl -sS --max-time 5 --user "probe:$PASSWORD" \
		"imap://127.0.0.1:$IMAP_PORT/INBOX;UID=$n;SECTION=HEADER" >"$out/header.txt" ||
		die "probe: could not fetch the delivered message"
	grep -qi "^Delivered-To: *<\?probe+tag@$DOMAIN>\?" "$out/header.txt" ||
		die "probe: delivered message lacks 'Delivered-To: probe+tag@$DOMAIN': $(cat "$out/header.txt")"
}

do_start() {
	local t_start=$EPOCHREALTIME
	if [ "$(id -u)" -ne 0 ]; then echo "must run as root" >&2; exit 1; fi

	install_packages
	command -v dovecot >/dev/null || die "dovecot not found after install"
	command -v postfix >/dev/null || die "postfix not found after install"
	case "$(dovecot --version)" in 2.3.*) ;; *) die "expected Dovecot 2.3, got $(dovecot --version)" ;; esac
	stop_system_instances
	ensure_vmail_user

	# A previous start with the same DIR: stop it first (start is re-runnable).
	stop_postfix
	stop_dovecot

	local p
	for p in "$IMAP_PORT" "$SMTP_PORT" "$OAUTH_IMAP_PORT" "$OAUTH_SMTP_PORT" "$OAUTH_MX_PORT" "$OAUTH_TOKEN_PORT"; do
		case "$p" in '' | *[!0-9]*) die "bad port '$p'" ;; esac
		if port_open "$p"; then
			die "port 127.0.0.1:$p is already in use (set IMAP_PORT / SMTP_PORT to free ports)"
		fi
	done
	[ "$IMAP_PORT" != "$SMTP_PORT" ] || die "IMAP_PORT and SMTP_PORT are both $IMAP_PORT"
	[ "$(printf '%s\n' "$IMAP_PORT" "$SMTP_PORT" "$OAUTH_IMAP_PORT" "$OAUTH_SMTP_PORT" "$OAUTH_MX_PORT" "$OAUTH_TOKEN_PORT" | sort -u | wc -l)" = 6 ] ||
		die "the ports must differ: IMAP $IMAP_PORT, SMTP $SMTP_PORT, OAuth2 IMAP $OAUTH_IMAP_PORT, submission $OAUTH_SMTP_PORT, MX $OAUTH_MX_PORT, token $OAUTH_TOKEN_PORT"
	[ "${#LMTP_SOCKET}" -lt 100 ] || die "DIR path too long for a unix socket: $LMTP_SOCKET"

	# vmail (mail files) and postfix (LMTP socket, data dir) must traverse DIR.
	chmod 0755 "$DIR"
	rm -rf "$DC_RUN" # stale sockets from an earlier run would be reused
	mkdir -p "$DC_RUN" "$DC_STATE" "$PF_CONF" "$PF_QUEUE" "$PF_DATA" "$MAILDIR" "$LOGDIR"
	chown root:root "$PF_QUEUE"
	chmod 0755 "$PF_QUEUE"
	chown postfix:postfix "$PF_DATA"
	chmod 0700 "$PF_DATA"
	chown vmail:vmail "$MAILDIR"
	chmod 0700 "$MAILDIR"
	touch "$DC_LOG" "$PF_LOG"
	if command -v runuser >/dev/null && ! runuser -u vmail -- test -w "$MAILDIR"; then
		die "user vmail cannot write $MAILDIR (a parent of $DIR is not traversable?)"
	fi

	write_dovecot_conf
	write_postfix_conf

	LAUNCHED=1
	log "starting dovecot (IMAP 127.0.0.1:$IMAP_PORT, LMTP $LMTP_SOCKET)"
	dovecot -c "$DC_CONF" >>"$DC_LOG" 2>&1 || die "dovecot failed to start (config: $DC_CONF)"

	log "starting postfix (SMTP 127.0.0.1:$SMTP_PORT, config $PF_CONF)"
	postfix -c "$PF_CONF" start >>"$PF_LOG" 2>&1 || die "postfix failed to start"

	wait_port "$IMAP_PORT" "Dovecot IMAP"
	wait_port "$SMTP_PORT" "Postfix SMTP"
	[ -S "$LMTP_SOCKET" ] || die "Dovecot LMTP socket $LMTP_SOCKET missing"

	log "verifying: SMTP -> LMTP -> IMAP with probe+tag@$DOMAIN"
	verify_delivery
	start_oauth

	cat >"$DIR/env" <<EOF
LEXHELLER_E2E_IMAP=127.0.0.1:$IMAP_PORT
LEXHELLER_E2E_SMTP=127.0.0.1:$SMTP_PORT
LEXHELLER_E2E_DOMAIN=$DOMAIN
LEXHELLER_E2E_PASSWORD=$PASSWORD
LEXHELLER_E2E_DIR=$DIR
LEXHELLER_E2E_OAUTH_IMAP=127.0.0.1:$OAUTH_IMAP_PORT
LEXHELLER_E2E_OAUTH_SMTP=127.0.0.1:$OAUTH_SMTP_PORT
LEXHELLER_E2E_OAUTH_MX=127.0.0.1:$OAUTH_MX_PORT
LEXHELLER_E2E_OAUTH_TOKEN=127.0.0.1:$OAUTH_TOKEN_PORT
LEXHELLER_E2E_OAUTH_DOVECOT=$OA_DC_CONF
export LEXHELLER_E2E_IMAP LEXHELLER_E2E_SMTP LEXHELLER_E2E_DOMAIN LEXHELLER_E2E_PASSWORD LEXHELLER_E2E_DIR
export LEXHELLER_E2E_OAUTH_IMAP LEXHELLER_E2E_OAUTH_SMTP LEXHELLER_E2E_OAUTH_MX LEXHELLER_E2E_OAUTH_TOKEN LEXHELLER_E2E_OAUTH_DOVECOT
EOF
	log "ready in $(elapsed "$t_start") s: IMAP 127.0.0.1:$IMAP_PORT, SMTP 127.0.0.1:$SMTP_PORT; OAuth2: IMAP 127.0.0.1:$OAUTH_IMAP_PORT, submission 127.0.0.1:$OAUTH_SMTP_PORT, MX 127.0.0.1:$OAUTH_MX_PORT, token server expected on 127.0.0.1:$OAUTH_TOKEN_PORT; env in $DIR/env, logs in $LOGDIR"
}

case "$ACTION" in
start)
	trap 'rc=$?; trap - ERR; echo "[mailservers] ERROR: start failed (exit $rc) at line $LINENO" >&2; fail_cleanup; exit $rc' ERR
	do_start
	;;
stop) do_stop ;;
esac
