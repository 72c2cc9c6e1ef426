#!/usr/bin/env bash
# SMPP throughput, four pairings on loopback (issue 3 item 8):
#   1. Portal ESME   -> Portal simulator      (also: simulator in-process, the `bench smpp` default)
#   2. node-smpp ESME -> Portal simulator
#   3. Portal ESME   -> node-smpp SMSC
#   4. node-smpp ESME -> node-smpp SMSC
# One bind, window 100, 160-char GSM-7 submit_sm, no receipts. Usage:
#   scripts/bench-smpp.sh [COUNT] [WINDOW]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COUNT=${1:-200000}
WINDOW=${2:-100}
export NODE_PATH=$ROOT/.tools/node/node_modules
if [ ! -f "$NODE_PATH/smpp/package.json" ]; then
  npm install --prefix .tools/node --no-audit --no-fund smpp@0.5.1 >/dev/null
fi

dotnet build -c Release Portal -v q -nologo >/dev/null
PORTAL="dotnet $ROOT/Portal/bin/Release/net10.0/Portal.dll"
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

wait_port() { # file regex -> port
  for _ in $(seq 1 100); do
    if grep -qE "$2" "$1" 2>/dev/null; then grep -oE "$2" "$1" | head -1 | grep -oE '[0-9]+$'; return; fi
    sleep 0.1
  done
  echo "server did not start: $(cat "$1")" >&2; exit 1
}

# Servers start in this shell (not in $(...)) so their pids can be stopped afterwards.
start_portal_smsc() {
  $PORTAL smsc --port 0 >"$TMP/portal-smsc.out" 2>&1 &
  SERVER=$!; PIDS+=("$SERVER")
  P=$(wait_port "$TMP/portal-smsc.out" 'listening on 127\.0\.0\.1:[0-9]+')
}

start_node_smsc() {
  node scripts/smpp-interop/smsc-server.js --port 0 --quiet >"$TMP/node-smsc.out" 2>&1 &
  SERVER=$!; PIDS+=("$SERVER")
  P=$(wait_port "$TMP/node-smsc.out" '"port":[0-9]+')
}

stop_server() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }

rate() { grep -oE '"rate":[0-9]+' | grep -oE '[0-9]+'; }

echo "SMPP benchmark: $COUNT submit_sm, window $WINDOW, 1 bind, 160-char GSM-7; $(nproc) cores; $(date -u +%Y-%m-%d)"

start_portal_smsc
R1=$($PORTAL bench smpp --host 127.0.0.1 --port "$P" --count "$COUNT" --window "$WINDOW" | rate)
stop_server
start_portal_smsc
R2=$(node scripts/smpp-interop/bench.js --port "$P" --count "$COUNT" --window "$WINDOW" | rate)
stop_server

start_node_smsc
R3=$($PORTAL bench smpp --host 127.0.0.1 --port "$P" --count "$COUNT" --window "$WINDOW" | rate)
stop_server
start_node_smsc
R4=$(node scripts/smpp-interop/bench.js --port "$P" --count "$COUNT" --window "$WINDOW" | rate)
stop_server

R0=$($PORTAL bench smpp --count "$COUNT" --window "$WINDOW" | rate)

printf '| %-51s | %12s |\n' "pairing" "submit_sm/s"
printf '| %-51s | %12s |\n' "---------------------------------------------------" "-----------:"
printf '| %-51s | %12s |\n' "Portal ESME -> Portal simulator (separate process)" "$R1"
printf '| %-51s | %12s |\n' "node-smpp ESME -> Portal simulator" "$R2"
printf '| %-51s | %12s |\n' "Portal ESME -> node-smpp SMSC" "$R3"
printf '| %-51s | %12s |\n' "node-smpp ESME -> node-smpp SMSC" "$R4"
printf '| %-51s | %12s |\n' "Portal ESME -> Portal simulator (in-process)" "$R0"
