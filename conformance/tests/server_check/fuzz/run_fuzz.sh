#!/usr/bin/env bash
# A short libFuzzer run of lint_fuzz, response_fuzz and h2_session_fuzz (CTest label `fuzz`): builds them with
# clang in their own build directory, then fuzzes each for SECONDS from the seed corpora.
# Fails on any crash, sanitizer report or differential mismatch (the fuzzer exits non-zero).
# Usage: run_fuzz.sh SOURCE_DIR BUILD_DIR SECONDS
set -euo pipefail
source_dir=$1 build_dir=$2 seconds=$3
fuzz_dir=$source_dir/conformance/tests/server_check/fuzz
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DSSESPEC_FUZZ=ON -DSSESPEC_BUILD_TESTS=OFF -DSSESPEC_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build "$build_dir" --target lint_fuzz response_fuzz h2_session_fuzz -j2 >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in lint response h2_session; do
  mkdir -p "$work/$target"
  corpus=$target
  [ "$target" = h2_session ] && corpus=h2
  cp "$fuzz_dir/corpus/$corpus/"* "$work/$target/"
  dict=$fuzz_dir/response_fuzz.dict
  [ "$target" = lint ] && dict=$source_dir/reference/tests/fuzz/parser_fuzz.dict
  [ "$target" = h2_session ] && dict=$fuzz_dir/h2_session_fuzz.dict
  echo "== ${target}_fuzz, ${seconds} s"
  # -timeout: one input taking over 10 s counts as a hang; -rss_limit_mb bounds memory.
  status=0
  (cd "$work" && "$build_dir/conformance/server_check/${target}_fuzz" -max_total_time="$seconds" -max_len=4096 \
     -timeout=10 -rss_limit_mb=1024 -dict="$dict" -print_final_stats=1 "$work/$target" >"$work/$target.log" 2>&1) || status=$?
  grep -E '^(Done|stat::number_of_executed_units)|ERROR|SUMMARY|runtime error|crash-|timeout-|oom-' "$work/$target.log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$work/$target.log"
    echo "${target}_fuzz failed (exit $status)"
    exit 1
  fi
done
