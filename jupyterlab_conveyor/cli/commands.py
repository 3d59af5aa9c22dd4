"""The ``conveyor`` subcommands. Each takes the parsed arguments and an :class:`Api`, returns the
exit code: 0 ok, 1 a run failed, 2 an error (raised as CliError), 130 interrupted."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import yaml

from .client import Api, CliError
from .follow import Follower, print_failure, quote
from .inputs import check_runnable, is_notebook, parse_params, parse_sweep, workspace_path
from .output import Printer, duration, format_params, local_time, step_error_text, table


def _workspace(api: Api) -> str | None:
    return api.connection.root_dir


def cmd_run(args: argparse.Namespace, api: Api) -> int:
    check_runnable(args.path)
    rel = workspace_path(args.path, _workspace(api))
    params = parse_params(args.param)
    grid = parse_sweep(args.sweep)
    body: dict[str, Any] = {}
    if is_notebook(rel):
        body["notebook"] = {"path": rel}
        if params:
            body["notebook"]["params"] = params
        if args.image:
            body["notebook"]["image"] = args.image
    else:
        if args.image:
            raise CliError("--image applies to a notebook; a pipeline names its images (defaults.image)")
        body["pipelinePath"] = rel
        if params:
            body["params"] = params
    if grid or args.max_parallel:
        body["sweep"] = {}
        if grid:
            body["sweep"]["grid"] = grid
        if args.max_parallel:
            body["sweep"]["maxParallel"] = args.max_parallel
    if args.no_cache:
        body["cache"] = False
    if args.experiment:
        body["experiment"] = args.experiment
    if args.name:
        body["name"] = args.name
    run = api.post("/runs", body)
    return _started(run, args, api)


def _started(run: dict[str, Any], args: argparse.Namespace, api: Api) -> int:
    detach = getattr(args, "detach", False)
    if args.json and detach:
        print(json.dumps(run, indent=2))
        return 0
    print(
        f"run {run['id']} ({run.get('name', '')}) {run['status']}",
        file=sys.stderr if args.json else sys.stdout,
    )
    if detach:
        return 0
    return follow_run(run["id"], args, api)


def follow_run(run_id: str, args: argparse.Namespace, api: Api) -> int:
    printer = Printer(sys.stderr if args.json else sys.stdout)
    follower = Follower(api, printer, interval=args.interval)
    try:
        run = follower.follow(run_id)
    except KeyboardInterrupt:
        printer.clear_status()
        print(f"\nconveyor: interrupted; cancelling run {run_id}", file=sys.stderr)
        try:
            api.post(f"/runs/{quote(run_id)}/cancel")
        except (CliError, KeyboardInterrupt) as e:
            print(f"conveyor: could not cancel run {run_id}: {getattr(e, 'message', e)}", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(run, indent=2))
    took = duration(run.get("startedAt") or run.get("createdAt"), run.get("finishedAt"))
    if run["status"] == "succeeded":
        printer.line(f"run {run['id']} succeeded in {took}")
        return 0
    printer.line(f"run {run['id']} {run['status']} after {took}")
    print_failure(api, run)
    return 1


def cmd_runs(args: argparse.Namespace, api: Api) -> int:
    page = api.get("/runs", status=args.status, limit=args.limit, q=args.query)
    runs = page.get("runs") or []
    if args.json:
        print(json.dumps(page, indent=2))
        return 0
    if not runs:
        print("no runs")
        return 0
    rows = []
    for run in runs:
        steps = run.get("steps") or []
        done = sum(1 for s in steps if s["status"] == "succeeded")
        children = (run.get("sweep") or {}).get("children")
        progress = f"{done}/{len(steps)}" if not children else f"sweep {len(children)}"
        rows.append(
            [
                run["id"],
                run["status"],
                progress,
                local_time(run.get("createdAt")),
                duration(run.get("startedAt"), run.get("finishedAt")) if run.get("startedAt") else "",
                run.get("name", ""),
            ]
        )
    print(table(rows, ["ID", "STATUS", "STEPS", "CREATED", "DURATION", "NAME"]))
    return 0


def cmd_show(args: argparse.Namespace, api: Api) -> int:
    run = api.get(f"/runs/{quote(args.run)}")
    if args.json:
        print(json.dumps(run, indent=2))
        return 0
    print(f"run        {run['id']}")
    print(f"name       {run.get('name', '')}")
    print(f"status     {run['status']}")
    if run.get("experiment"):
        print(f"experiment {run['experiment']}")
    source = run.get("source") or {}
    if source.get("path"):
        commit = f" @ {source['gitCommit'][:12]}" if source.get("gitCommit") else ""
        print(f"source     {source['path']}{commit}")
    print(f"created    {local_time(run.get('createdAt'))}")
    if run.get("startedAt"):
        print(f"duration   {duration(run.get('startedAt'), run.get('finishedAt'))}")
    for label, key in (("params", "params"),):
        if run.get(key):
            print(f"{label:<10} {format_params(run[key])}")
    for label, key in (("parent", "parentId"), ("resumes", "resumedFrom")):
        if run.get(key):
            print(f"{label:<10} {run[key]}")
    if run.get("error"):
        print(f"error      {run['error']}")
    steps = run.get("steps") or []
    if steps:
        rows = []
        for s in steps:
            note = ""
            if s.get("cachedFrom"):
                note = f"cached from {s['cachedFrom']}"
            elif s["status"] == "failed":
                note = step_error_text(s)
            elif s["status"] == "queued" and s.get("queuePosition"):
                note = f"queue position {s['queuePosition']}"
            outputs = ", ".join(o["name"] for o in s.get("outputs") or [])
            rows.append(
                [
                    s["name"],
                    s["status"],
                    str(s.get("attempt", "")),
                    duration(s.get("startedAt"), s.get("finishedAt")) if s.get("startedAt") else "",
                    outputs,
                    note,
                ]
            )
        print()
        print(table(rows, ["STEP", "STATUS", "ATTEMPT", "DURATION", "OUTPUTS", "NOTE"]))
    children = (run.get("sweep") or {}).get("children") or []
    if children:
        print()
        rows = [[c["id"], c["status"], format_params(c.get("params"))] for c in children]
        print(table(rows, ["CHILD RUN", "STATUS", "PARAMS"]))
    return 0


def cmd_logs(args: argparse.Namespace, api: Api) -> int:
    path = f"/runs/{quote(args.run)}/steps/{quote(args.step)}/logs"
    position = 0
    try:
        while True:
            query: dict[str, Any] = {"from": position}
            if args.attempt is not None:
                query["attempt"] = args.attempt
            page = api.get(path, **query)
            lines = page.get("lines") or []
            for line in lines:
                print(line)
            sys.stdout.flush()
            position = int(page.get("next", position + len(lines)))
            if lines:
                continue
            if not args.follow or page.get("done"):
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 130


def cmd_cancel(args: argparse.Namespace, api: Api) -> int:
    run = api.post(f"/runs/{quote(args.run)}/cancel")
    print(f"run {run['id']} {run['status']}")
    return 0


def cmd_resume(args: argparse.Namespace, api: Api) -> int:
    run = api.post(f"/runs/{quote(args.run)}/resume")
    return _started(run, args, api)


def cmd_rerun(args: argparse.Namespace, api: Api) -> int:
    body = {"cache": False} if args.no_cache else {}
    run = api.post(f"/runs/{quote(args.run)}/rerun", body)
    return _started(run, args, api)


def cmd_validate(args: argparse.Namespace, api: Api) -> int:
    rel = workspace_path(args.path, _workspace(api))
    result = api.post("/pipelines/validate", {"pipelinePath": rel})
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    pipeline = result.get("pipeline") or {}
    order = result.get("order") or [s["name"] for s in pipeline.get("steps") or []]
    print(f"{args.path}: valid pipeline {pipeline.get('name', '')!r}, {len(order)} steps")
    print("order: " + " → ".join(order))
    return 0


def cmd_import_elyra(args: argparse.Namespace, api: Api) -> int:
    source = workspace_path(args.path, _workspace(api))
    if args.output == "-":
        result = api.post("/pipelines/import-elyra", {"path": source})
        sys.stdout.write(yaml.safe_dump(result["pipeline"], sort_keys=False, allow_unicode=True))
        return 0
    target = workspace_path(args.output, _workspace(api), must_exist=False)
    if not target.lower().endswith((".yaml", ".yml")):
        raise CliError(f"-o {args.output}: the output must be a .yaml or .yml file (or - for stdout)")
    result = api.post("/pipelines/import-elyra", {"path": source, "write": target})
    pipeline = result.get("pipeline") or {}
    written = result.get("written") or target
    print(f"wrote {written}: pipeline {pipeline.get('name', '')!r}, {len(pipeline.get('steps') or [])} steps")
    return 0


def cmd_status(args: argparse.Namespace, api: Api) -> int:
    status = api.get("/status")
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    server, docker = status.get("server") or {}, status.get("docker") or {}
    connection = api.connection
    print(f"url        {connection.url}  ({connection.source})")
    print(f"workspace  {connection.root_dir or 'unknown (pass --workspace)'}")
    print(f"server     conveyor {server.get('version', '?')} ({server.get('mode', '?')} mode)")
    print(f"user       {(status.get('user') or {}).get('name', '?')}")
    engine = docker.get("state", "?")
    if docker.get("version"):
        engine += f", Docker {docker['version']}"
    if docker.get("error"):
        engine += f": {docker['error']}"
    print(f"engine     {engine}")
    return 0
