#!/usr/bin/env bash
# Runs a command with a fresh emulator on loopback, its URL in IMPACT_SANDBOX_URL.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out=$(mktemp)
"$root/target/debug/impact-sandbox" --port 0 --processing-delay-ms 100 >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q IMPACT_SANDBOX_URL "$out" && break; sleep 0.05; done
export IMPACT_SANDBOX_URL=$(sed -n 's/^IMPACT_SANDBOX_URL=//p' "$out")
"$@"
