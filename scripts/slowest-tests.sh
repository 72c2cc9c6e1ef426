#!/usr/bin/env bash
# scripts/slowest-tests.sh [TRX...] [-n COUNT]: the COUNT (20) slowest test classes of a run, by the
# sum of their tests' durations, with each class's longest single test. Reads the trx files that
# ./test.sh writes (TestResults/*.trx by default) with awk only, so it runs on a fresh Debian.
# test.sh prints it after the tests; it never fails (a missing or odd trx prints a note instead).
count=20
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) count=${2:-20}; shift 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  cd "$(dirname "$0")/.." || exit 0
  shopt -s nullglob
  files=(TestResults/*.trx TestResults/*/*.trx)
fi
existing=()
for f in "${files[@]}"; do [ -f "$f" ] && existing+=("$f"); done
if [ ${#existing[@]} -eq 0 ]; then
  echo "  (no trx file: nothing to rank)"
  exit 0
fi

# One <UnitTestResult .../> per line: testName="Namespace.Class.Method(arguments)" and
# duration="hh:mm:ss.fffffff". The class is the name before "(" without its last segment.
# Out: sum, class, tests, longest, longest test's name (tab-separated, one line per class).
rows=$(awk '
  function attr(line, name) {
    if (match(line, " " name "=\"[^\"]*\"")) return substr(line, RSTART + length(name) + 3, RLENGTH - length(name) - 4)
    return ""
  }
  /<UnitTestResult / {
    name = attr($0, "testName"); d = attr($0, "duration")
    if (name == "" || d == "") next
    gsub(/&quot;/, "\"", name); gsub(/&apos;/, "\047", name); gsub(/&lt;/, "<", name); gsub(/&gt;/, ">", name); gsub(/&amp;/, "\\&", name)
    split(d, t, ":"); secs = t[1] * 3600 + t[2] * 60 + t[3]
    method = name; p = index(method, "("); if (p > 0) method = substr(method, 1, p - 1)
    cls = method; sub(/\.[^.]*$/, "", cls)
    sum[cls] += secs; tests[cls]++
    if (secs >= longest[cls]) { longest[cls] = secs; which[cls] = substr(name, length(cls) + 2) }
  }
  END {
    for (c in sum) {
      w = which[c]; if (length(w) > 70) w = substr(w, 1, 67) "..."
      printf "%.1f\t%s\t%d\t%.1f\t%s\n", sum[c], c, tests[c], longest[c], w
    }
  }
' "${existing[@]}" 2>/dev/null)
if [ -z "$rows" ]; then
  echo "  (no test results in ${existing[*]})"
  exit 0
fi
tab=$(printf '\t')
echo "$rows" | sort -t "$tab" -k1,1 -n -r | head -n "$count" |
  awk -F "$tab" 'BEGIN { printf "  %8s  %5s  %8s  %-58s  %s\n", "sum s", "tests", "max s", "class", "longest test" }
    { c = $2; sub(/^Portal\.Tests\./, "", c); printf "  %8.1f  %5d  %8.1f  %-58s  %s\n", $1, $3, $4, c, $5 }'
echo "$rows" | awk -F "$tab" '{ n += $3; s += $1 } END { printf "  %d tests, %.0f s of test time in all (summed over the parallel threads)\n", n, s }'
exit 0
