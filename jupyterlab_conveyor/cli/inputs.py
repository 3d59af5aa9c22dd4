"""Turning command-line arguments into API payloads: workspace paths, typed parameters, sweeps."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .client import CliError

PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
PIPELINE_SUFFIXES = (".yaml", ".yml", ".json", ".pipeline")


def workspace_path(arg: str, root: str | None, must_exist: bool = True) -> str:
    """``arg`` (relative to the current directory, or absolute) as a path relative to the
    workspace root, with ``/`` separators. Unknown root (a remote server): ``arg`` is sent as is."""
    if root is None:
        if Path(arg).is_absolute():
            raise CliError(
                f"{arg}: absolute paths need the workspace root; pass --workspace DIR"
                " (the server's root folder) or a path relative to it"
            )
        return PurePosixPath(Path(arg).as_posix()).as_posix()
    local = Path(arg).expanduser()
    absolute = local if local.is_absolute() else Path.cwd() / local
    absolute = Path(*absolute.parts)  # no trailing separator
    resolved_root = Path(root).expanduser().resolve()
    try:
        relative = absolute.resolve().relative_to(resolved_root)
    except ValueError:
        raise CliError(f"{arg} is outside the workspace {resolved_root}: move it there first") from None
    if must_exist and not absolute.exists():
        raise CliError(f"{arg}: no such file")
    return relative.as_posix()


def parse_scalar(text: str) -> Any:
    """A value as a YAML scalar: ``0.1`` → float, ``3`` → int, ``true`` → bool, ``[1, 2]`` → list."""
    if text == "":
        return ""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    # Dates, timestamps and the like stay strings: parameters are JSON.
    return text


def _split_assignment(item: str, option: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    name = name.strip()
    if not sep:
        raise CliError(f"{option} {item!r}: expected name=value")
    if not PARAM_NAME.match(name):
        raise CliError(
            f"{option} {item!r}: {name!r} is not a parameter name"
            " (letters, digits and _, not starting with a digit)"
        )
    return name, value


def parse_params(items: list[str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items or []:
        name, value = _split_assignment(item, "-p")
        params[name] = parse_scalar(value)
    return params


def parse_sweep(items: list[str] | None) -> dict[str, list[Any]]:
    """``--sweep lr=0.1,0.01`` → ``{"lr": [0.1, 0.01]}``; a value in brackets is one YAML list."""
    grid: dict[str, list[Any]] = {}
    for item in items or []:
        name, value = _split_assignment(item, "--sweep")
        text = value.strip()
        if text.startswith("["):
            parsed = parse_scalar(text)
            values = parsed if isinstance(parsed, list) else None
        else:
            values = [parse_scalar(v.strip()) for v in text.split(",")] if text else None
        if not values:
            raise CliError(f"--sweep {item!r}: give one or more comma-separated values")
        grid[name] = values
    return grid


def is_notebook(path: str) -> bool:
    return path.lower().endswith(".ipynb")


def check_runnable(path: str) -> None:
    if not (is_notebook(path) or path.lower().endswith(PIPELINE_SUFFIXES)):
        raise CliError(f"{path}: expected a notebook (.ipynb) or a pipeline (.yaml, .yml, .json, .pipeline)")
