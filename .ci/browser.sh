#!/usr/bin/env bash
# Installs what the web form's accessibility check needs (Debian's
# Chromium, and axe-core from the npm registry) and prints the exports
# that point the test at them: eval "$(bash .ci/browser.sh)".
set -Eeuo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
	log=$(mktemp)
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" ||
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"; }; } \
		>"$log" 2>&1 </dev/null || { echo "[browser] apt-get install ${need[*]} failed:" >&2; tail -20 "$log" >&2; exit 1; }
fi
axe=${LEXHELLER_AXE_DIR:-$HOME/.cache/lexheller-axe}
if [ ! -f "$axe/node_modules/axe-core/axe.min.js" ]; then
	mkdir -p "$axe"
	(cd "$axe" && npm install --no-audit --no-fund --silent axe-core@4.11.1 >&2)
fi
echo "[browser] $(chromium --version 2>/dev/null | head -1); axe-core $(node -p "require('$axe/node_modules/axe-core/package.json').version" 2>/dev/null)" >&2
echo "export LEXHELLER_AXE=$axe/node_modules/axe-core/axe.min.js"
echo "export LEXHELLER_CHROMIUM=$(command -v chromium)"
echo "export LEXHELLER_SCREENSHOTS=${LEXHELLER_ARTIFACTS:-/tmp/lexheller-artifacts}/screenshots"
