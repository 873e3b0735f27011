#!/usr/bin/env bash
# `callrecords fetch` from a Graph-shaped server on 127.0.0.1 against `callrecords flatten` over
# the same pages on disk: wall and CPU time, their ratios, and peak RSS.
#
#   bash benches/scripts/fetch_vs_files.sh                 # defaults below
#   SIZE=64MiB RUNS=3 bash benches/scripts/fetch_vs_files.sh
#
# Two measurements, the runs of each alternated so that both sides see the same machine:
#  1. one call record of SIZE (default 256MiB): `fetch ID` against `flatten --jobs 1` over its
#     pages (one record's pages are a chain, each page's next link at its end, so one worker on
#     both sides), with fetch's peak RSS;
#  2. MANY (default 64) call records of SIZE/MANY: `fetch --jobs 2` against `flatten --jobs 2`;
#  3. two call records of SIZE/2, the same way: each is larger than what a worker holds back
#     while the other's rows are written (8 MiB of output), so the second waits for the first.
# The server (examples/graph_server.rs) pages each record 60 sessions at a time, as Graph does;
# `fetch --save` writes the pages once, and `flatten` then reads exactly those bytes. Both write
# NDJSON to a file. Goals (issue 22): fetch under 1.3x the file path, under 32 MiB peak RSS.
set -euo pipefail

SIZE=${SIZE:-256MiB}
RUNS=${RUNS:-5}
MANY=${MANY:-64}
TOKEN=bench-token

cd "$(dirname "$0")/../.."
cargo build --release --quiet --bin callrecords --example graph_server
bin=target/release/callrecords
work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

bytes_of() { numfmt --from=iec "${1%iB}"; }
half=$(($(bytes_of "$SIZE") / 2))
small=$(($(bytes_of "$SIZE") / MANY))
"$bin" gen --shape callrecord --compact --size "$SIZE" --seed 7 -o "$work/one.json"
"$bin" gen --shape callrecord --compact --size "$half" --seed 8 -o "$work/two-a.json"
"$bin" gen --shape callrecord --compact --size "$half" --seed 9 -o "$work/two-b.json"
for i in $(seq "$MANY"); do
    "$bin" gen --shape callrecord --compact --size "$small" --seed "$((100 + i))" \
        -o "$work/many-$i.json"
done
GRAPH_SERVER_TOKEN=$TOKEN target/release/examples/graph_server \
    "$work/one.json" "$work/two-a.json" "$work/two-b.json" "$work"/many-*.json \
    >"$work/server.out" &
server=$!
for _ in $(seq 1200); do
    [ "$(wc -l <"$work/server.out")" -ge $((4 + MANY)) ] && break
    sleep 0.1
done
base=$(sed -n 1p "$work/server.out")
one=$(sed -n 2p "$work/server.out")
two=$(sed -n 3,4p "$work/server.out" | tr '\n' ' ')
many=$(sed -n "5,$((4 + MANY))p" "$work/server.out" | tr '\n' ' ')
rm "$work"/*.json

export GRAPH_TOKEN=$TOKEN
fetch() { "$bin" fetch --graph-url "$base" --quiet "$@"; }
# shellcheck disable=SC2086 # $two is two ids
fetch --save "$work/one" -o "$work/warm.ndjson" "$one"
# shellcheck disable=SC2086
fetch --save "$work/two" -o "$work/warm.ndjson" $two
# shellcheck disable=SC2086
fetch --save "$work/many" -o "$work/warm.ndjson" $many
for d in one two many; do
    echo "$d: $(find "$work/$d" -name '*.json' | wc -l) pages, $(cat "$work/$d"/*/*.json | wc -c) bytes"
done

# One measurement of a command: "wall cpu peak_kib".
measure() {
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null
    awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/time"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# compare NAME "FETCH ARGS" "FLATTEN ARGS": alternated runs, then medians and the median of the
# per-run ratios.
compare() {
    local name=$1 fetch_args=$2 flatten_args=$3
    : >"$work/$name.runs"
    for _ in $(seq "$RUNS"); do
        # shellcheck disable=SC2086
        f=$(measure "$bin" fetch --graph-url "$base" --quiet -o "$work/f.ndjson" $fetch_args)
        # shellcheck disable=SC2086
        l=$(measure "$bin" flatten --quiet -o "$work/l.ndjson" $flatten_args)
        echo "$f $l" >>"$work/$name.runs"
    done
    [ "$(wc -l <"$work/f.ndjson")" = "$(wc -l <"$work/l.ndjson")" ] ||
        { echo "$name: the row counts differ" >&2; exit 1; }
    local r="$work/$name.runs"
    col() { awk -v c="$1" '{ print $c }' "$r" | median; }
    ratio() { awk -v a="$1" -v b="$2" '{ print $a / $b }' "$r" | median; }
    echo
    echo "$name: $(wc -l <"$work/f.ndjson") rows; medians of $RUNS alternated runs"
    printf '  %-20s wall %6.2f s  cpu %6.2f s  peak RSS %6.1f MiB\n' \
        "fetch" "$(col 1)" "$(col 2)" "$(echo "$(col 3) / 1024" | bc -l)"
    printf '  %-20s wall %6.2f s  cpu %6.2f s  peak RSS %6.1f MiB\n' \
        "flatten ${flatten_args%% /*}" "$(col 4)" "$(col 5)" "$(echo "$(col 6) / 1024" | bc -l)"
    printf '  fetch / flatten (median of per-run ratios): wall %.2fx, cpu %.2fx\n' \
        "$(ratio 1 4)" "$(ratio 2 5)"
}

compare "one record of $SIZE" "$one" "--jobs 1 $work/one"
compare "$MANY records of $((small >> 20)) MiB" "--jobs 2 $many" "--jobs 2 $work/many"
compare "two records of $((half >> 20)) MiB" "--jobs 2 $two" "--jobs 2 $work/two"
