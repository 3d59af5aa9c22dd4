"""Following a run: poll ``GET /runs/{id}``, print step status changes, stream step logs."""

from __future__ import annotations

import sys
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from .client import Api, CliError
from .output import Printer, duration, format_params, step_error_text

TERMINAL_RUN = frozenset({"succeeded", "failed", "cancelled"})
TERMINAL_STEP = frozenset({"succeeded", "failed", "cancelled", "skipped"})
# Steps that never started have no log to read.
NO_LOG_STEP = frozenset({"pending", "queued", "skipped"})


def quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")


@dataclass
class LogCursor:
    attempt: int = -1
    next: int = 0
    done: bool = False


class Follower:
    def __init__(self, api: Api, printer: Printer, interval: float = 0.5, logs: bool = True) -> None:
        self.api = api
        self.printer = printer
        self.interval = interval
        self.logs = logs
        self.seen: dict[str, str] = {}
        self.children: dict[str, str] = {}
        self.cursors: dict[str, LogCursor] = {}

    def follow(self, run_id: str) -> dict[str, Any]:
        """Returns the finished run. Interrupting (Ctrl-C) is left to the caller."""
        path = f"/runs/{quote(run_id)}"
        settle = 0
        while True:
            run = self.api.get(path)
            pending_logs = False
            for step in run.get("steps") or []:
                pending_logs |= self._step(run, step)
            if run.get("sweep"):
                self._children(run)
            self._status_line(run)
            if run.get("status") in TERMINAL_RUN:
                # A last read or two so the tail of the logs arrives even when `done` lags.
                settle += 1
                if not pending_logs or settle > 3:
                    self.printer.clear_status()
                    return run
            time.sleep(self.interval)

    # ---- steps

    def _step(self, run: dict[str, Any], step: dict[str, Any]) -> bool:
        """Prints what is new about one step; True while its log may still grow."""
        name, status = step["name"], step["status"]
        changed = self.seen.get(name) != status
        if changed and status in ("queued", "running"):
            self._announce(step)
        pending = False
        if self.logs and status not in NO_LOG_STEP and not step.get("cachedFrom"):
            pending = self._read_logs(run["id"], step)
        if changed and status in TERMINAL_STEP:
            self._announce(step)
        self.seen[name] = status
        return pending

    def _announce(self, step: dict[str, Any]) -> None:
        name, status = step["name"], step["status"]
        text = f"{self.printer.symbol(status)} {name}: {status}"
        if status == "running" and step.get("attempt", 1) > 1:
            text += f" (attempt {step['attempt']})"
        elif status == "queued" and step.get("queuePosition"):
            text += f" (position {step['queuePosition']})"
        elif status == "succeeded":
            if step.get("cachedFrom"):
                text += f" (cached from {step['cachedFrom']})"
            else:
                text += f" in {duration(step.get('startedAt'), step.get('finishedAt'))}"
        elif status == "failed":
            text += f": {step_error_text(step)}"
        self.printer.line(text)

    def _read_logs(self, run_id: str, step: dict[str, Any]) -> bool:
        name = step["name"]
        cursor = self.cursors.setdefault(name, LogCursor())
        attempt = int(step.get("attempt") or 0)
        if attempt != cursor.attempt:
            if cursor.attempt >= 0:
                self.printer.line(f"{name} | --- attempt {attempt} ---")
            self.cursors[name] = cursor = LogCursor(attempt=attempt)
        if cursor.done:
            return False
        path = f"/runs/{quote(run_id)}/steps/{quote(name)}/logs"
        for _ in range(50):  # drain what is there, a page at a time
            query: dict[str, Any] = {"from": cursor.next}
            if attempt > 0:
                query["attempt"] = attempt
            try:
                page = self.api.get(path, **query)
            except CliError as e:
                if e.error_code.endswith("not_found"):
                    cursor.done = step["status"] in TERMINAL_STEP
                    return not cursor.done
                raise
            lines = page.get("lines") or []
            for line in lines:
                self.printer.line(f"{name} | {line}")
            cursor.next = int(page.get("next", cursor.next + len(lines)))
            if page.get("done"):
                cursor.done = True
                return False
            if not lines:
                break
        return True

    # ---- sweeps

    def _children(self, run: dict[str, Any]) -> None:
        for child in run["sweep"].get("children") or []:
            if self.children.get(child["id"]) != child["status"]:
                self.children[child["id"]] = child["status"]
                params = format_params(child.get("params"))
                self.printer.line(
                    f"{self.printer.symbol(child['status'])} {child['id']}"
                    f"{f' ({params})' if params else ''}: {child['status']}"
                )

    def _status_line(self, run: dict[str, Any]) -> None:
        items = [f"{self.printer.symbol(s['status'])}{s['name']}" for s in run.get("steps") or []]
        children = (run.get("sweep") or {}).get("children") or []
        if children:
            counts: dict[str, int] = {}
            for child in children:
                counts[child["status"]] = counts.get(child["status"], 0) + 1
            items.append(" ".join(f"{n} {s}" for s, n in sorted(counts.items())))
        took = duration(run.get("startedAt") or run.get("createdAt"), run.get("finishedAt"))
        line = f"{run['id']} {run['status']} {took}"
        if items:
            line += "  " + " ".join(items)
        self.printer.status(line[: _terminal_width() - 1])


def _terminal_width() -> int:
    try:
        import shutil

        return shutil.get_terminal_size((100, 20)).columns
    except (OSError, ValueError):
        return 100


def failure_report(api: Api, run: dict[str, Any]) -> list[str]:
    """Lines saying why a run failed: each failed step's error (for a sweep, its failed children's)."""
    lines: list[str] = []
    for step in run.get("steps") or []:
        if step["status"] == "failed":
            lines.append(f"step {step['name']} failed: {step_error_text(step)}")
            error = step.get("error") or {}
            if not error.get("ename"):
                lines.extend(f"  {line}" for line in (error.get("lastLines") or [])[-10:])
    for child in ((run.get("sweep") or {}).get("children") or [])[:20]:
        if child["status"] == "failed":
            child_run = api.get(f"/runs/{quote(child['id'])}")
            params = format_params(child.get("params"))
            for line in failure_report(api, child_run):
                lines.append(f"{child['id']} ({params}): {line}")
    if not lines and run.get("error"):
        lines.append(str(run["error"]))
    if not lines:
        lines.append(f"run {run['id']} {run.get('status')}")
    return lines


def print_failure(api: Api, run: dict[str, Any]) -> None:
    for line in failure_report(api, run):
        print(f"conveyor: {line}", file=sys.stderr)
