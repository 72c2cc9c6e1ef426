#!/usr/bin/env bash
# Issue 13, the chaos stage: scripts/chaos.sh [SIZE] [RUNS] [SECONDS]
#
# Starts a PRIVATE PostgreSQL and RabbitMQ (never the shared ones: the test restarts them), then
# runs Portal.Tests' Category=Chaos tests RUNS times: three Portal processes (web+scheduler,
# scheduler+sender, sender), a SIZE-recipient campaign paced over ~SECONDS through one SMSC
# simulator, kill -9 of a sender node, a RabbitMQ restart, a PostgreSQL restart and kill -9 of a
# scheduler node at a recurring firing. Each run appends its figures to $CHAOS_DIR/results.md,
# printed at the end (the "Faults" table of docs/BENCHMARKS.md). Needs a built solution (Debug).
# The stage also runs SlowSenderLeaseTests.OneMessagePerSecond_DefaultGrace_* (SQLite, in-process:
# two minutes at the embedded default's grace and sweep; CI runs it at a quarter of every time).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-${CHAOS_SIZE:-50000}}
RUNS=${2:-${CHAOS_RUNS:-1}}
SECONDS_PACED=${3:-${CHAOS_SECONDS:-90}}

# shellcheck source=scripts/services.sh
source scripts/services.sh
trap services_stop EXIT
services_start_postgres
services_start_rabbitmq

CHAOS_DIR=$(mktemp -d -t portal-chaos.XXXXXX)
chmod 755 "$CHAOS_DIR"
export CHAOS_DIR CHAOS_SIZE=$SIZE CHAOS_SECONDS=$SECONDS_PACED
services_state >"$CHAOS_DIR/services.state"
for server in postgres rabbitmq; do
  cat >"$CHAOS_DIR/restart-$server.sh" <<SCRIPT
source "$PWD/scripts/services.sh"
source "$CHAOS_DIR/services.state"
services_restart_$server
SCRIPT
done
[ -f Portal/bin/Debug/net10.0/Portal.dll ] || dotnet build Portal.sln -c Debug -nologo -clp:ErrorsOnly

failed=0
for run in $(seq 1 "$RUNS"); do
  echo "== chaos run $run of $RUNS: $SIZE recipients over ~$SECONDS_PACED s (logs in $CHAOS_DIR)"
  if ! CHAOS_RUN=$run dotnet test Portal.Tests --no-build -nologo --filter "Category=Chaos" \
      --logger "console;verbosity=normal" --blame-hang-timeout 30m; then
    failed=$((failed + 1))
  fi
done
echo
cat "$CHAOS_DIR/results.md" 2>/dev/null || true
echo "chaos: $((RUNS - failed)) of $RUNS runs passed"
[ "$failed" -eq 0 ]
