#!/usr/bin/env bash
# Fuzzes cbq with libFuzzer and AddressSanitizer.
#
#   Tests/Fuzz/run.sh [SECONDS] [TARGET ...]     default: 60 seconds each of statements, json, pages, templates
#
# SwiftPM cannot build libFuzzer targets, so this compiles copies of Sources/CBQCore and
# Sources/CBQRuntime (without the HTTP transport) and Tests/Fuzz/FuzzTargets.swift into one binary
# under .build-fuzz/, then runs each target on a scratch copy of its committed corpus
# (Tests/Fuzz/corpus/TARGET) with Tests/Fuzz/dictionary.txt. A crash or a broken oracle fails with the
# reproducer's bytes printed; add them to a regression test (see Tests/*/Robustness*).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(statements json pages templates)

work=.build-fuzz
mkdir -p "$work/src"
rm -f "$work"/src/*.swift
# One module: the runtime's `import CBQCore` lines go, the transport (NIO) stays out.
find Sources/CBQCore -name '*.swift' | while read -r file; do
  cp "$file" "$work/src/Core_$(basename "$file")"
done
find Sources/CBQRuntime -name '*.swift' ! -name 'AsyncHTTPTransport.swift' | while read -r file; do
  sed '/^import CBQCore$/d' "$file" > "$work/src/Runtime_$(basename "$file")"
done
cp Tests/Fuzz/FuzzTargets.swift "$work/src/"
binary="$work/cbq-fuzz"
if [ ! -x "$binary" ] || [ -n "$(find "$work/src" -newer "$binary" -name '*.swift' | head -1)" ]; then
  echo "fuzz: building $binary"
  # A failed build must fail here, not leave the last one's binary to fuzz stale code.
  rm -f "$binary"
  swiftc -sanitize=fuzzer,address -parse-as-library -O -suppress-warnings -module-name CBQFuzz "$work"/src/*.swift -o "$binary" 2>&1 \
    | grep -v "warning: Cannot export local symbol" || true
  [ -x "$binary" ] || { echo "fuzz: build failed"; exit 1; }
fi

status=0
for target in "${targets[@]}"; do
  corpus="$work/corpus-$target"
  rm -rf "$corpus" "$work/artifacts-$target"
  mkdir -p "$corpus" "$work/artifacts-$target"
  cp Tests/Fuzz/corpus/"$target"/* "$corpus"/
  echo "fuzz: $target for ${seconds}s"
  if ! CBQ_FUZZ_TARGET=$target "$binary" "$corpus" -dict=Tests/Fuzz/dictionary.txt -max_total_time="$seconds" \
       -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/artifacts-$target/" > "$work/$target.log" 2>&1; then
    status=1
    echo "fuzz: $target FAILED"
    grep -E "ERROR|Fatal error|==[0-9]+==" "$work/$target.log" | head -20 || true
    for artifact in "$work/artifacts-$target"/*; do
      [ -f "$artifact" ] || continue
      echo "fuzz: reproducer $(basename "$artifact") ($(wc -c < "$artifact") bytes):"
      od -An -c "$artifact" | head -40
    done
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|cov: [0-9]+" "$work/$target.log" | tail -3 || true
done
exit $status
