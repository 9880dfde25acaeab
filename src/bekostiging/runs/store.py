"""Run folders: one folder per solve, created atomically, never overwritten.

Layout of ``<runs_dir>/<run-id>/``::

    manifest.json        what was solved, how, with which versions, and the outcome
    inputs/case/         copy of the case folder (without other scenario sets)
    inputs/case/scenarios/<set>/   copy of the scenario set that was solved
    tables/<name>.csv    the result tables (long format, one unit column)
    solver.log           the solver's log

A run id reads ``YYYYMMDD-HHMMSS-<name>-<6 hex>``. A run is built in a hidden
folder ``.tmp-<run-id>`` inside the runs folder and renamed to ``<run-id>`` only
when everything is written. When anything fails on the way (an exception, Ctrl-C,
a solve without a usable solution) the folder becomes ``<run-id>.failed`` with the
log and an ``error.txt``: nothing that looks like a success is left behind.

The store knows nothing about Pyomo: it takes any object with ``tables``,
``outcome`` and ``timings`` (see :class:`SolutionLike`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from bekostiging.runs.layout import (
    CASE_COPY,
    DEFAULT_RUNS_DIR,
    ERROR_NAME,
    FAILED_SUFFIX,
    HASH_CHUNK_BYTES,
    ID_ATTEMPTS,
    ID_HEX_BYTES,
    INPUTS_DIR,
    LOG_NAME,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    NAME_MAX_CHARS,
    RUN_ID_RE,
    RUNS_DIR_ENV,
    SCENARIOS_SUBDIR,
    TABLES_DIR,
    TMP_PREFIX,
    RunAlteredError,
    RunStoreError,
    case_files,
    copy_inputs,
    hash_tree,
    new_run_id,
    parse_run_id,
    resolve_runs_dir,
    scenario_files,
    sha256_file,
    slug,
)
from bekostiging.runs.reading import (
    Manifest,
    RunRecord,
    altered_files,
    find_run,
    list_runs,
    read_manifest,
    read_run,
    unfinished_runs,
    verify_run,
)

GIT_TIMEOUT_SECONDS = 5.0

# Versions recorded in every manifest (plus Python itself).
RECORDED_PACKAGES = ("bekostiging", "pyomo", "highspy", "pandas", "numpy", "pydantic")

# Statuses whose run is a usable result; any other outcome is stored as ``<id>.failed``.
SUCCESS_STATUSES = frozenset({"optimal", "limit"})
STATUS_FAILED = "failed"  # an exception while solving or writing
STATUS_INTERRUPTED = "interrupted"  # Ctrl-C


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM) while a run was being built.

    ``run_path`` is the folder the run was kept in (``<id>.failed``), once known.
    """

    run_path: Path | None = None


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` for the block, so the run is marked failed.

    Only in the main thread (Python delivers signals there); a signal that arrives
    while native solver code runs takes effect when that code returns.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise Terminated(f"stopped by signal {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class OutcomeLike(Protocol):
    """What the store reads from a solve outcome (``bekostiging.solver.SolveOutcome``)."""

    status: Any  # a ``Status`` (str enum) or a plain string
    objective: float | None
    bound: float | None
    gap: float | None
    solver: str
    solver_version: str

    def describe(self) -> str: ...


class SolutionLike(Protocol):
    """What the store reads from a solution (``bekostiging.pipeline.ChainSolution``)."""

    outcome: OutcomeLike
    timings: Mapping[str, float]
    tables: Mapping[str, pd.DataFrame]


# --------------------------------------------------------------------------- locations and ids


# --------------------------------------------------------------------------- hashing and copying


# --------------------------------------------------------------------------- environment


def package_versions() -> dict[str, str]:
    from bekostiging import __version__

    versions = {"python": platform.python_version()}
    for pkg in RECORDED_PACKAGES:
        if pkg == "bekostiging":  # the source's own version, also when run from a source tree
            versions[pkg] = __version__
            continue
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    return versions


def git_commit(start: Path | None = None) -> dict[str, object] | None:
    """Commit (and whether the tree had changes) of the bekostiging source, when in a git checkout."""
    where = start or Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}


def _json_number(value: float | None) -> float | None:
    """JSON has no inf/nan: store them as null."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _status_text(status: object) -> str:
    return str(getattr(status, "value", status))


# --------------------------------------------------------------------------- reading


# --------------------------------------------------------------------------- writing


def _column_kinds(frame: pd.DataFrame) -> dict[str, str]:
    return {
        str(c): (
            "number"
            if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
            else "text"
        )
        for c in frame.columns
    }


class RunBuilder:
    """A run being built in ``.tmp-<id>``; use through :func:`start_run`.

    ``log_path`` is where the solver should write its log (inside the temporary
    folder, so it survives as ``<id>.failed/solver.log`` when the solve fails).
    """

    def __init__(
        self, runs_dir: Path, run_id: str, tmp: Path, name: str, command_line: Sequence[str]
    ) -> None:
        self.runs_dir = runs_dir
        self.run_id = run_id
        self.tmp = tmp
        self.name = name
        self.command_line = list(command_line)
        self.created = dt.datetime.now().astimezone()
        self.final_path: Path | None = None
        self._status: str | None = None

    @property
    def log_path(self) -> Path:
        return self.tmp / LOG_NAME

    @property
    def status(self) -> str | None:
        """The solve status once :meth:`finish` ran."""
        return self._status

    def finish(
        self,
        solution: SolutionLike,
        *,
        case_dir: str | os.PathLike[str],
        scenarios_dir: str | os.PathLike[str],
        solver_options: Mapping[str, object] | None = None,
        seed: int | None = None,
        settings: Mapping[str, object] | None = None,
        log_text: str | None = None,
    ) -> None:
        """Write inputs, tables and the manifest into the temporary folder.

        The folder is renamed when the ``with start_run(...)`` block ends; a
        solution without a usable plan (infeasible, error, limit without an
        incumbent) is kept as ``<id>.failed``.
        """
        case_path = Path(case_dir)
        set_path = Path(scenarios_dir)
        for label, p in (("case folder", case_path), ("scenario set folder", set_path)):
            if not p.is_dir():
                raise RunStoreError(f"{label} {p} does not exist; cannot store the run's inputs")
        if log_text is not None and not self.log_path.exists():
            self.log_path.write_text(log_text, encoding="utf-8")

        copy_inputs(case_path, set_path, self.tmp / INPUTS_DIR)
        table_meta: dict[str, dict[str, object]] = {}
        (self.tmp / TABLES_DIR).mkdir(exist_ok=True)
        for tname, frame in solution.tables.items():
            if not re.fullmatch(r"[a-z0-9_]+", tname):
                raise RunStoreError(f"table name {tname!r} is not a plain lower-case identifier")
            file = self.tmp / TABLES_DIR / f"{tname}.csv"
            frame.to_csv(file, index=False)
            table_meta[tname] = {
                "rows": len(frame),
                "columns": _column_kinds(frame),
                "sha256": sha256_file(file),
            }

        outcome = solution.outcome
        status = _status_text(outcome.status)
        set_files = scenario_files(set_path)
        scen = solution.tables.get("scenarios")
        count = len(scen) if scen is not None else _count_scenarios(set_path)
        manifest: dict[str, Any] = {
            "manifest_version": MANIFEST_VERSION,
            "run_id": self.run_id,
            "name": self.name,
            "created": self.created.isoformat(timespec="seconds"),
            "command_line": self.command_line,
            "status": status,
            "status_text": outcome.describe(),
            "objective": _json_number(outcome.objective),
            "bound": _json_number(outcome.bound),
            "gap": _json_number(outcome.gap),
            "timings": {k: _json_number(v) for k, v in solution.timings.items()},
            "case": {
                "path": str(case_path.resolve()),
                "files": case_files(case_path),
            },
            "scenarios": {
                "name": set_path.name,
                "path": str(set_path.resolve()),
                "sha256": hash_tree(set_files),
                "count": count,
                "files": set_files,
            },
            "solver": {
                "name": outcome.solver,
                "version": outcome.solver_version,
                "options": dict(solver_options or {}),
            },
            "seed": seed,
            "settings": dict(settings or {}),
            "versions": package_versions(),
            "git": git_commit(),
            "tables": table_meta,
        }
        manifest["case"]["sha256"] = hash_tree(manifest["case"]["files"])
        _write_json(self.tmp / MANIFEST_NAME, manifest)
        self._status = status


def _count_scenarios(set_path: Path) -> int | None:
    file = set_path / "scenarios.csv"
    return len(pd.read_csv(file)) if file.is_file() else None


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def _claim_tmp(runs_dir: Path, name: str) -> tuple[str, Path]:
    """Create ``.tmp-<id>`` exclusively; the id is free in every form (tmp, final, failed)."""
    for _ in range(ID_ATTEMPTS):
        run_id = new_run_id(name)
        if (runs_dir / run_id).exists() or (runs_dir / f"{run_id}{FAILED_SUFFIX}").exists():
            continue
        tmp = runs_dir / f"{TMP_PREFIX}{run_id}"
        try:
            tmp.mkdir()  # atomic and exclusive: two writers never share a folder
        except FileExistsError:
            continue
        return run_id, tmp
    raise RunStoreError(f"could not find a free run id in {runs_dir} after {ID_ATTEMPTS} tries")


def _publish(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target``, never replacing anything that exists there."""
    if target.exists():
        raise RunStoreError(f"{target} already exists; it was left untouched (run kept in {tmp})")
    os.rename(tmp, target)  # a non-empty existing target would make this fail, never overwrite


def _mark_failed(builder: RunBuilder, exc: BaseException, keep_failed: bool) -> Path | None:
    tmp = builder.tmp
    interrupted = isinstance(exc, KeyboardInterrupt | Terminated)
    if not keep_failed:
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    if isinstance(exc, KeyboardInterrupt):
        reason = "interrupted (Ctrl-C)"
    elif isinstance(exc, Terminated):
        reason = f"interrupted ({exc})"
    else:
        reason = f"{type(exc).__name__}: {exc}"
    text = f"run {builder.run_id} did not finish: {reason}\n\n" + "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__)
    )
    (tmp / ERROR_NAME).write_text(text, encoding="utf-8")
    manifest_file = tmp / MANIFEST_NAME
    stub: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "run_id": builder.run_id,
        "name": builder.name,
        "created": builder.created.isoformat(timespec="seconds"),
        "command_line": builder.command_line,
        "status": STATUS_INTERRUPTED if interrupted else STATUS_FAILED,
        "status_text": reason,
        "objective": None,
        "bound": None,
        "gap": None,
        "tables": {},
    }
    manifest_file.unlink(missing_ok=True)  # a half-written manifest must not be mistaken for a result
    _write_json(manifest_file, stub)
    target = builder.runs_dir / f"{builder.run_id}{FAILED_SUFFIX}"
    _publish(tmp, target)
    return target


@contextlib.contextmanager
def start_run(
    runs_dir: str | os.PathLike[str] | None = None,
    name: str = "run",
    *,
    command_line: Sequence[str] | None = None,
    keep_failed: bool = True,
) -> Iterator[RunBuilder]:
    """Build a run atomically::

        with start_run(runs_dir, "penalty-high") as run:
            solution = solve(..., log_file=run.log_path)
            run.finish(solution, case_dir=..., scenarios_dir=...)
        run.final_path  # runs/<id>  or  runs/<id>.failed

    On any exception or Ctrl-C inside the block the temporary folder becomes
    ``<id>.failed`` (with ``error.txt`` and the log), or is removed when
    ``keep_failed`` is false; the exception is re-raised. A block that ends
    without calling ``finish`` counts as failed.
    """
    root = resolve_runs_dir(runs_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        run_id, tmp = _claim_tmp(root, name)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise RunStoreError(
            f"cannot write a run into {root}: {reason}; choose a writable folder with --runs-dir "
            f"or {RUNS_DIR_ENV}"
        ) from None
    builder = RunBuilder(
        root, run_id, tmp, slug(name), command_line if command_line is not None else sys.argv
    )
    try:
        with _sigterm_raises():
            yield builder
        if builder.status is None:
            raise RunStoreError("the run block ended without finish(); nothing was stored")
    except BaseException as exc:
        builder.final_path = _mark_failed(builder, exc, keep_failed)
        if isinstance(exc, Terminated):
            exc.run_path = builder.final_path
        raise
    if builder.status in SUCCESS_STATUSES:
        target = root / run_id
    else:
        (tmp / ERROR_NAME).write_text(
            f"run {run_id} has no usable plan: solver status {builder.status}\n", encoding="utf-8"
        )
        target = root / f"{run_id}{FAILED_SUFFIX}"
    _publish(tmp, target)
    builder.final_path = target


def write_run(
    solution: SolutionLike,
    *,
    case_dir: str | os.PathLike[str],
    scenarios_dir: str | os.PathLike[str],
    runs_dir: str | os.PathLike[str] | None = None,
    name: str = "run",
    command_line: Sequence[str] | None = None,
    solver_options: Mapping[str, object] | None = None,
    seed: int | None = None,
    settings: Mapping[str, object] | None = None,
    log_text: str | None = None,
) -> Path:
    """Store a finished solve as a run folder and return its path.

    For a solve whose log should land in the run folder while it runs (and
    survive a Ctrl-C), use :func:`start_run` around the solve instead.
    """
    with start_run(runs_dir, name, command_line=command_line) as run:
        run.finish(
            solution,
            case_dir=case_dir,
            scenarios_dir=scenarios_dir,
            solver_options=solver_options,
            seed=seed,
            settings=settings,
            log_text=log_text,
        )
    if run.final_path is None:  # pragma: no cover - start_run always sets it on success
        raise RunStoreError("run folder was not published")
    return run.final_path


__all__ = [
    "CASE_COPY",
    "DEFAULT_RUNS_DIR",
    "ERROR_NAME",
    "FAILED_SUFFIX",
    "GIT_TIMEOUT_SECONDS",
    "HASH_CHUNK_BYTES",
    "ID_ATTEMPTS",
    "ID_HEX_BYTES",
    "INPUTS_DIR",
    "LOG_NAME",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "NAME_MAX_CHARS",
    "RECORDED_PACKAGES",
    "RUNS_DIR_ENV",
    "RUN_ID_RE",
    "SCENARIOS_SUBDIR",
    "STATUS_FAILED",
    "STATUS_INTERRUPTED",
    "SUCCESS_STATUSES",
    "TABLES_DIR",
    "TMP_PREFIX",
    "Manifest",
    "OutcomeLike",
    "RunAlteredError",
    "RunBuilder",
    "RunRecord",
    "RunStoreError",
    "SolutionLike",
    "Terminated",
    "altered_files",
    "case_files",
    "copy_inputs",
    "find_run",
    "git_commit",
    "hash_tree",
    "list_runs",
    "new_run_id",
    "package_versions",
    "parse_run_id",
    "read_manifest",
    "read_run",
    "resolve_runs_dir",
    "scenario_files",
    "sha256_file",
    "slug",
    "start_run",
    "unfinished_runs",
    "verify_run",
    "write_run",
]
