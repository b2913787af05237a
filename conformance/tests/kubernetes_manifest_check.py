#!/usr/bin/env python3
"""Checks deploy/kubernetes/load-job.yaml with no cluster and no network: the Job fields an
Indexed Job of `ssespec load` shards needs (batch/v1 Job API), and that collect.sh reads what
the pods print. Then checks that broken copies are caught. Exit 0 ok, 1 failed, 77 skipped.
Usage: kubernetes_manifest_check.py DEPLOY_DIR"""
import copy
import re
import sys

try:
    import yaml
except ImportError:
    print("SKIP: needs PyYAML (Debian: python3-yaml)")
    sys.exit(77)


def problems(job, collect_sh):
    found = []
    def need(ok, what):
        if not ok:
            found.append(what)
    need(job.get("apiVersion") == "batch/v1", "apiVersion is not batch/v1")
    need(job.get("kind") == "Job", "kind is not Job")
    spec = job.get("spec") or {}
    need(spec.get("completionMode") == "Indexed", "spec.completionMode is not Indexed (no JOB_COMPLETION_INDEX)")
    completions, parallelism = spec.get("completions"), spec.get("parallelism")
    need(isinstance(completions, int) and completions >= 1, "spec.completions is not a positive integer")
    need(parallelism == completions, f"spec.parallelism {parallelism} != completions {completions}: shards would not run together")
    need(isinstance(spec.get("backoffLimit"), int), "spec.backoffLimit is not set (a retried shard starts late)")
    pod = (spec.get("template") or {}).get("spec") or {}
    need(pod.get("restartPolicy") in ("Never", "OnFailure"), "template.spec.restartPolicy must be Never or OnFailure for a Job")
    containers = pod.get("containers") or []
    need(len(containers) == 1, "want exactly one container")
    if not containers:
        return found
    c = containers[0]
    need(bool(c.get("image")), "the container has no image")
    env = {e.get("name"): e.get("value") for e in c.get("env") or []}
    for name in ("TARGET_URL", "CLIENTS", "SHARDS", "DURATION_S", "START_AT"):
        need(name in env, f"env {name} is missing")
    need(env.get("SHARDS") == str(completions), f"env SHARDS {env.get('SHARDS')} != completions {completions}")
    need(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", env.get("START_AT") or "") is not None,
         "env START_AT is not a UTC time like 2026-12-02T22:00:00Z (what --start-at reads)")
    script = " ".join((c.get("command") or []) + (c.get("args") or []))
    need("ssespec load" in script, "the command does not run ssespec load")
    need('--shard "$JOB_COMPLETION_INDEX/$SHARDS"' in script, "the command does not pass --shard $JOB_COMPLETION_INDEX/$SHARDS")
    for flag in ("--start-at", "--json", "--clients"):
        need(flag in script, f"the command does not pass {flag}")
    for marker in ("ssespec-load-result-begin", "ssespec-load-result-end"):
        need(marker in script and marker in collect_sh, f"marker {marker} is not in both the Job and collect.sh")
    name = (job.get("metadata") or {}).get("name")
    need(re.search(rf"^job={re.escape(str(name))}$", collect_sh, re.M) is not None, f"collect.sh does not read job {name}")
    return found


def main():
    deploy = sys.argv[1]
    with open(f"{deploy}/load-job.yaml") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    with open(f"{deploy}/collect.sh") as f:
        collect_sh = f.read()
    failures = 0
    if len(docs) != 1:
        print(f"FAIL load-job.yaml holds {len(docs)} documents, want one Job")
        return 1
    job = docs[0]
    for p in problems(job, collect_sh):
        print("FAIL load-job.yaml:", p)
        failures += 1
    if not failures:
        print("ok   load-job.yaml")
    # The check must catch what it claims to: each broken copy has to fail.
    def broken(edit):
        j = copy.deepcopy(job)
        edit(j)
        return j
    container = lambda j: j["spec"]["template"]["spec"]["containers"][0]
    cases = {
        "not Indexed": broken(lambda j: j["spec"].pop("completionMode")),
        "parallelism below completions": broken(lambda j: j["spec"].update(parallelism=j["spec"]["completions"] - 1)),
        "no JOB_COMPLETION_INDEX": broken(lambda j: container(j).update(args=[a.replace("$JOB_COMPLETION_INDEX", "0") for a in container(j)["args"]])),
        "restartPolicy Always": broken(lambda j: j["spec"]["template"]["spec"].update(restartPolicy="Always")),
        "SHARDS disagrees": broken(lambda j: [e.update(value="9") for e in container(j)["env"] if e["name"] == "SHARDS"]),
    }
    for what, j in cases.items():
        if problems(j, collect_sh):
            print(f"ok   caught: {what}")
        else:
            print(f"FAIL not caught: {what}")
            failures += 1
    return 1 if failures else 0


sys.exit(main())
