#!/usr/bin/env bash
# Mutation testing of Portal.Domain with Stryker.NET (issue 21), separate from ./test.sh because a
# run takes tens of minutes. Mutates Portal.Domain and runs the domain tests against each mutant;
# the score and the surviving mutants' classes are recorded in docs/testing.md.
# Extra arguments go to Stryker, e.g. `scripts/mutation.sh --mutate "**/Segments/*.cs"`.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
cd Portal.Domain
exec dotnet stryker \
  --test-project ../Portal.Tests/Portal.Tests.csproj \
  --test-case-filter "FullyQualifiedName~Portal.Tests.Domain" \
  --reporter progress --reporter html --reporter json \
  --output ../StrykerOutput \
  --break-at 0 \
  "$@"
