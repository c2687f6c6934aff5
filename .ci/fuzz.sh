#!/usr/bin/env bash
# Runs every fuzz target of the repository (every `func Fuzz…` in a
# *_test.go file) for LEXHELLER_FUZZTIME each (default 20s), one target
# per `go test` (go refuses a -fuzz pattern that matches two targets of
# one package). Prints one line per target with its execs. A target that
# fails prints the new crasher under testdata/fuzz/ (commit it with the
# fix: it is then a regression seed of the plain `go test`) and makes the
# script exit 1, after the other targets have run.
#
#   bash .ci/fuzz.sh                      # all targets, 20 s each
#   LEXHELLER_FUZZTIME=60s bash .ci/fuzz.sh FuzzReport FuzzPublish
#
# Arguments, if any, are target names to run (others are skipped).
set -Euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

fuzztime="${LEXHELLER_FUZZTIME:-20s}"
parallel="${LEXHELLER_FUZZ_PARALLEL:-2}"
# go minimizes every new input for up to a minute by default, which eats
# the whole budget of a slow target (report, publish): 100 tries each. A
# crasher is then written less minimized; minimize it locally if need be.
minimize="${LEXHELLER_FUZZMINIMIZETIME:-100x}"
out=$(mktemp /tmp/lexheller-fuzz.XXXXXX)
trap 'rm -f "$out"' EXIT

# "./intake/ident/fuzz_test.go:func FuzzIdent(f *testing.F) {" → "./intake/ident FuzzIdent"
targets=$(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . |
	grep -v -e '/testdata/' -e '/vendor/' -e '/\.' |
	sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi

failed=0
ran=0
start=$SECONDS
while read -r pkg name; do
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	ran=$((ran + 1))
	t0=$SECONDS
	note=
	if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimize" -parallel "$parallel" "$pkg" >"$out" 2>&1; then
		status=ok
	elif grep -qx '    context deadline exceeded' "$out" &&
		! grep -v -E -e '^fuzz: elapsed: ' -e '^--- FAIL: Fuzz[A-Za-z0-9_]* \([0-9.]+s\)$' -e '^    context deadline exceeded$' \
			-e '^FAIL$' -e '^exit status 1$' -e "^FAIL[[:space:]]+[^[:space:]]+[[:space:]]+[0-9.]+s\$" "$out" | grep -q .; then
		# Go's coordinator may report its own -fuzztime deadline as a
		# failure, with nothing else and no input written (go.dev/issue/75804,
		# fixed in Go 1.27): the target ran its time and found nothing.
		status=ok
		note="    go reported \"context deadline exceeded\" at the end of -fuzztime and wrote no input: go.dev/issue/75804, not a failure"
	else
		status=FAIL
		failed=1
	fi
	# The last progress line: "fuzz: elapsed: 20s, execs: 123456 (6172/sec), new interesting: 3 (total: 41)"
	execs=$(grep -oE 'execs: [0-9]+' "$out" | tail -n 1 | awk '{print $2}')
	interesting=$(grep -oE 'new interesting: [0-9]+' "$out" | tail -n 1 | awk '{print $3}')
	printf '%-4s %-32s %-20s execs %10s  new interesting %4s  %3ds\n' \
		"$status" "$pkg" "$name" "${execs:-?}" "${interesting:-?}" $((SECONDS - t0))
	[ -z "$note" ] || echo "$note"
	if [ "$status" = FAIL ]; then
		# "Failing input written to testdata/fuzz/FuzzX/0123abcd"
		crasher=$(grep -oE 'Failing input written to [^ ]+' "$out" | tail -n 1 | awk '{print $NF}')
		sed -e 's/^/    /' "$out" | grep -v -E '^    fuzz: elapsed:' | head -n 60
		if [ -n "$crasher" ]; then
			echo "    new crasher: ${pkg#./}/$crasher"
			echo "    reproduce:   go test -run '^${name}/$(basename "$crasher")\$' $pkg"
			echo "    commit it with the fix, as a regression seed"
		fi
	fi
done <<<"$targets"

if [ "$ran" -eq 0 ]; then
	echo "fuzz: no target matches $*" >&2
	exit 1
fi
echo "fuzz: $ran targets, ${fuzztime} each, $((SECONDS - start))s in all"
exit "$failed"
