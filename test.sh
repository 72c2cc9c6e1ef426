#!/usr/bin/env bash
# Runs the test suite. Installs the test-only tools first:
#   node-smpp 0.5.1 (the independent SMPP implementation the SMPP interop tests run against)
#   into .tools/node (git-ignored); the tests find it via NODE_PATH=<repo>/.tools/node/node_modules.
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter FullyQualifiedName~Smpp
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -f .tools/node/node_modules/smpp/package.json ]; then
  npm install --prefix .tools/node --no-audit --no-fund smpp@0.5.1
fi

dotnet test Portal.sln "$@"
