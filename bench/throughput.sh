#!/usr/bin/env bash
# Loopback throughput: the real client (concurrency 1 and 32) against the emulator, next to
# wrk posting the same form body to the same endpoint (the physical limit of this setup).
# Prints conversions per second and the client/wrk ratios. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p impact-sandbox -p impact-conversions-cli
cargo build --release -q -p impact-conversions --example throughput
out=$(mktemp)
./target/release/impact-sandbox --port 0 --hourly-budget 100000000 >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out" "$lua"' EXIT
for _ in $(seq 50); do grep -q IMPACT_SANDBOX_URL "$out" && break; sleep 0.1; done
url=$(sed -n 's/^IMPACT_SANDBOX_URL=//p' "$out")
sid=IRSANDBOX00000000000000000000001
body=$(echo '{"CampaignId":1000,"EventTypeId":9876,"EventDate":"2024-08-01T23:55:24-08:00","OrderId":"WRK-1","ClickId":"QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0","CurrencyCode":"USD","OrderDiscount":"15.00","items":[{"sku":"1ABC2345","quantity":2,"sub_total":"28.00"},{"sku":"9ZXY7654","quantity":3,"sub_total":"99.00"}]}' \
  | ./target/release/impact-conversions encode -)
lua=$(mktemp --suffix .lua)
cat >"$lua" <<LUA
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Basic $(printf '%s:%s' $sid sandbox-auth-token | base64 -w0)"
LUA
client=$(./target/release/examples/throughput "$url" "${COUNT:-5000}")
echo "$client"
declare -A wrk_rps
for c in 1 32; do
  rps=$(wrk -t1 -c$c -d5s -s "$lua" "$url/Advertisers/$sid/Conversions" | awk '/Requests\/sec/ {print $2}')
  wrk_rps[$c]=$rps
  echo "wrk concurrency=$c requests_per_sec=$rps"
done
for c in 1 32; do
  ours=$(echo "$client" | sed -n "s/^concurrency=$c conversions_per_sec=//p")
  awk -v a="$ours" -v b="${wrk_rps[$c]}" -v c="$c" 'BEGIN {printf "ratio client/wrk at concurrency %s: %.2f\n", c, a / b}'
done
