#!/usr/bin/env bash
# Mutation testing of Portal.Domain with Stryker.NET (issue 21), separate from ./test.sh because a
# run takes tens of minutes. Mutates Portal.Domain and runs the domain tests against each mutant;
# the score and the surviving mutants' classes are recorded in docs/testing.md.
#
#   scripts/mutation.sh [stryker args]         against Portal.Tests (filtered to Portal.Tests.Domain)
#   scripts/mutation.sh --fast [stryker args]  against a scratch test project holding only the domain
#                                              tests that need nothing but Portal.Domain (built in a
#                                              minute instead of ten; the whole project in ~20 min on
#                                              a quiet 2-core machine)
#   scripts/mutation-score.py StrykerOutput/reports/mutation-report.json   score per folder
#
# Extra arguments go to Stryker, e.g. `scripts/mutation.sh --fast --mutate "**/Segments/*.cs"`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
dotnet tool restore >/dev/null

if [ "${1:-}" != "--fast" ]; then
  cd Portal.Domain
  exec dotnet stryker \
    --test-project ../Portal.Tests/Portal.Tests.csproj \
    --test-case-filter "FullyQualifiedName~Portal.Tests.Domain" \
    --reporter progress --reporter html --reporter json \
    --output ../StrykerOutput \
    --break-at 0 \
    "$@"
fi
shift

# The scratch copy: Stryker builds and rewrites it, so the checkout stays free for builds meanwhile.
scratch="${TMPDIR:-/tmp}/portal-mutation"
rm -rf "$scratch"
mkdir -p "$scratch/Domain" "$scratch/Tests"
cp global.json Directory.Build.props Directory.Packages.props dotnet-tools.json "$scratch/"
(cd Portal.Domain && tar --exclude=bin --exclude=obj -cf - .) | (cd "$scratch/Domain" && tar -xf -)
# Domain tests that use another project (e.g. the SMPP text codec) stay out of the scratch project.
excluded=$(grep -rlE '^using Portal\.(Infrastructure|Components|Tests\.Support|Api|Web)' Portal.Tests/Domain || true)
(cd Portal.Tests && tar -cf - Domain) | (cd "$scratch/Tests" && tar -xf -)
for file in $excluded; do rm "$scratch/Tests/${file#Portal.Tests/}"; echo "left out: $file"; done
cat > "$scratch/Tests/Portal.Tests.csproj" <<'PROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <IsPackable>false</IsPackable>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" />
    <PackageReference Include="xunit" />
    <PackageReference Include="xunit.runner.visualstudio" />
    <ProjectReference Include="../Domain/Portal.Domain.csproj" />
    <Using Include="Xunit" />
  </ItemGroup>
</Project>
PROJ
cd "$scratch/Domain"
dotnet stryker \
  --test-project ../Tests/Portal.Tests.csproj \
  --reporter progress --reporter html --reporter json \
  --output "$scratch/StrykerOutput" \
  --break-at 0 \
  "$@"
rm -rf "$repo/StrykerOutput" && cp -r "$scratch/StrykerOutput" "$repo/StrykerOutput"
python3 "$repo/scripts/mutation-score.py" "$repo/StrykerOutput/reports/mutation-report.json"
