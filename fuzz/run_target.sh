#!/bin/sh
# fuzz/run_target.sh - runs one fuzz target (`make fuzz` calls it per target)
# for SECONDS on a scratch copy of its seed corpus and prints one line:
# target, executions, execs/s, corpus size, result. Exits non-zero when the
# target failed (crash, leak, timeout, out of memory), naming the input it
# left under FUZZ_DIR/run/TARGET/.
#
# usage: fuzz/run_target.sh FUZZ_DIR TARGET SECONDS
set -u
fuzz_dir=$1 target=$2 seconds=$3
run="$fuzz_dir/run/$target"
rm -rf "$run"
mkdir -p "$run/corpus" "$run/artifacts"
cp fuzz/corpus/"$target"/* "$run/corpus/"
dict=""
[ -f "fuzz/dict/$target.dict" ] && dict="-dict=fuzz/dict/$target.dict"
# -close_fd_mask=2: the parsers' own messages (the series reader prints
# every refusal) would flood the log; libFuzzer and the sanitizers keep
# their output on a duplicate of stderr. -timeout: an input that takes
# 10 s is a hang, not a slow parse.
"$fuzz_dir/bin/fuzz_$target" "$run/corpus" $dict -max_total_time="$seconds" -timeout=10 \
    -print_final_stats=1 -close_fd_mask=2 -artifact_prefix="$run/artifacts/" \
    >"$run/log" 2>&1
status=$?
stat() { sed -n "s/^stat::$1: *//p" "$run/log" | tail -n 1; }
corpus=$(ls "$run/corpus" | wc -l)
artifact=$(ls "$run/artifacts" 2>/dev/null | head -n 1)
if [ "$status" -eq 0 ] && [ -z "$artifact" ]; then
    result=ok
else
    result="FAILED (exit $status): input $run/artifacts/$artifact, log $run/log"
fi
printf '%-12s %10s execs %7s execs/s  corpus %5s  %s\n' "$target" "$(stat number_of_executed_units)" \
    "$(stat average_exec_per_sec)" "$corpus" "$result"
[ "$result" = ok ]
