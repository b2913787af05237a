#!/bin/sh
# Waits for the ssespec-load Job, saves each shard's JSON from its pod's log into DIR
# (default ./results) and prints the merged summary (`ssespec load merge`).
# Usage: collect.sh [DIR]   (needs kubectl and ssespec on PATH)
set -eu
dir=${1:-results}
job=ssespec-load
mkdir -p "$dir"
shards=$(kubectl get job "$job" -o jsonpath='{.spec.completions}')
# The run lasts until START_AT + DURATION_S; allow that plus the time to schedule.
kubectl wait --for=condition=complete "job/$job" --timeout=24h
for pod in $(kubectl get pods -l "job-name=$job" -o name); do
  index=$(kubectl get "$pod" -o jsonpath='{.metadata.annotations.batch\.kubernetes\.io/job-completion-index}')
  kubectl logs "$pod" | sed -n "/^ssespec-load-result-begin $index\$/,/^ssespec-load-result-end $index\$/p" \
    | sed '1d;$d' >"$dir/shard-$index.json"
done
found=$(ls "$dir"/shard-*.json | wc -l)
[ "$found" -eq "$shards" ] || { echo "collect.sh: $found of $shards shard results found in $dir" >&2; exit 1; }
ssespec load merge "$dir"/shard-*.json --json "$dir/merged.json"
