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
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

MANIFEST_NAME = "manifest.json"
ERROR_NAME = "error.txt"
LOG_NAME = "solver.log"
TABLES_DIR = "tables"
INPUTS_DIR = "inputs"
CASE_COPY = "case"  # inputs/case/
SCENARIOS_SUBDIR = "scenarios"  # a case keeps its scenario sets in CASE/scenarios/<name>/
TMP_PREFIX = ".tmp-"
FAILED_SUFFIX = ".failed"
RUNS_DIR_ENV = "BEKOSTIGING_RUNS_DIR"
DEFAULT_RUNS_DIR = "runs"
MANIFEST_VERSION = 1

ID_HEX_BYTES = 3  # 6 hex digits: with the second-resolution timestamp, collisions need ~4k runs/s
ID_ATTEMPTS = 50  # retries when a freshly drawn id already exists (practically never more than one)
NAME_MAX_CHARS = 40  # keep run ids readable in a terminal listing
HASH_CHUNK_BYTES = 1 << 20
GIT_TIMEOUT_SECONDS = 5.0
RUN_ID_RE = re.compile(r"^(?P<stamp>\d{8}-\d{6})-(?P<name>[a-z0-9][a-z0-9_-]*)-(?P<hex>[0-9a-f]{6})$")

# Versions recorded in every manifest (plus Python itself).
RECORDED_PACKAGES = ("bekostiging", "pyomo", "highspy", "pandas", "numpy", "pydantic")

# Statuses whose run is a usable result; any other outcome is stored as ``<id>.failed``.
SUCCESS_STATUSES = frozenset({"optimal", "limit"})
STATUS_FAILED = "failed"  # an exception while solving or writing
STATUS_INTERRUPTED = "interrupted"  # Ctrl-C


class RunStoreError(Exception):
    """A run folder cannot be created, found or read; the message says what to do."""


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM) while a run was being built.

    ``run_path`` is the folder the run was kept in (``<id>.failed``), once known.
    """

    run_path: Path | None = None


class RunAlteredError(RunStoreError):
    """Files of a stored run differ from the sha256 its manifest holds."""

    def __init__(self, path: Path, altered: Sequence[str]) -> None:
        self.path = path
        self.altered = list(altered)
        super().__init__(
            f"run {path.name} was altered after it was stored: {', '.join(self.altered)} "
            f"(sha256 differs from {MANIFEST_NAME}); refusing to use it — restore the files "
            "or solve again"
        )


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


def resolve_runs_dir(option: str | os.PathLike[str] | None = None) -> Path:
    """The runs folder: ``--runs-dir`` if given, else ``$BEKOSTIGING_RUNS_DIR``, else ``./runs``."""
    if option is not None and str(option) != "":
        return Path(option)
    env = os.environ.get(RUNS_DIR_ENV, "")
    return Path(env) if env else Path(DEFAULT_RUNS_DIR)


def slug(name: str) -> str:
    """A run name safe for a folder name: lower case, ``a-z0-9_-``, at most 40 characters."""
    text = re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower()).strip("-_")
    return text[:NAME_MAX_CHARS].rstrip("-_") or "run"


def new_run_id(name: str, now: dt.datetime | None = None) -> str:
    """``YYYYMMDD-HHMMSS-<name>-<6 hex>`` (local time, random suffix)."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{slug(name)}-{secrets.token_hex(ID_HEX_BYTES)}"


def parse_run_id(run_id: str) -> tuple[str, str] | None:
    """``(timestamp, name)`` of a well-formed run id, else ``None``."""
    m = RUN_ID_RE.match(run_id)
    return (m["stamp"], m["name"]) if m else None


# --------------------------------------------------------------------------- hashing and copying


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(HASH_CHUNK_BYTES), b""):
            h.update(chunk)
    return h.hexdigest()


def _visible_files(root: Path, skip_top: Sequence[str] = ()) -> list[Path]:
    """Regular files below ``root`` (sorted), without hidden entries and ``skip_top`` folders."""
    files: list[Path] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if rel.parts[0] in skip_top and len(rel.parts) > 1:
            continue
        if path.is_file():
            files.append(path)
    return files


def hash_tree(files: Mapping[str, str]) -> str:
    """One sha256 over ``relative path -> file sha256`` pairs (order-independent)."""
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(f"{rel}\0{files[rel]}\n".encode())
    return h.hexdigest()


def case_files(case_dir: Path) -> dict[str, str]:
    """``relative path -> sha256`` of the case folder's files, without its scenario sets."""
    return {
        f.relative_to(case_dir).as_posix(): sha256_file(f)
        for f in _visible_files(case_dir, skip_top=(SCENARIOS_SUBDIR,))
    }


def scenario_files(scenarios_dir: Path) -> dict[str, str]:
    return {f.relative_to(scenarios_dir).as_posix(): sha256_file(f) for f in _visible_files(scenarios_dir)}


def copy_inputs(case_dir: Path, scenarios_dir: Path, dest: Path) -> Path:
    """Copy the case (without other scenario sets) and the solved set to ``dest/case``.

    The copy is itself a loadable case folder: the set lands in
    ``dest/case/scenarios/<set name>/`` whatever folder it came from, so that
    ``rerun`` can solve it again.
    """
    case_copy = dest / CASE_COPY
    for f in _visible_files(case_dir, skip_top=(SCENARIOS_SUBDIR,)):
        target = case_copy / f.relative_to(case_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)
    set_copy = case_copy / SCENARIOS_SUBDIR / scenarios_dir.name
    for f in _visible_files(scenarios_dir):
        target = set_copy / f.relative_to(scenarios_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)
    return case_copy


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


@dataclass(frozen=True)
class Manifest:
    """The fields every manifest has, typed; ``raw`` keeps the whole JSON document."""

    run_id: str
    name: str
    created: str
    status: str
    status_text: str
    objective: float | None
    bound: float | None
    gap: float | None
    raw: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        try:
            return cls(
                run_id=str(data["run_id"]),
                name=str(data.get("name", "")),
                created=str(data.get("created", "")),
                status=str(data["status"]),
                status_text=str(data.get("status_text", data["status"])),
                objective=data.get("objective"),
                bound=data.get("bound"),
                gap=data.get("gap"),
                raw=data,
            )
        except KeyError as exc:
            raise RunStoreError(f"manifest has no {exc.args[0]!r} key; the run folder is damaged") from exc


@dataclass(frozen=True)
class RunRecord:
    """A stored run: its folder, manifest and result tables (read back as DataFrames)."""

    path: Path
    manifest: Manifest
    tables: Mapping[str, pd.DataFrame]

    @property
    def run_id(self) -> str:
        return self.manifest.run_id

    @property
    def failed(self) -> bool:
        return self.path.name.endswith(FAILED_SUFFIX)

    @property
    def case_copy(self) -> Path:
        return self.path / INPUTS_DIR / CASE_COPY

    @property
    def scenario_set(self) -> str:
        return str(self.manifest.raw.get("scenarios", {}).get("name", ""))

    def table(self, name: str) -> pd.DataFrame:
        """A result table; an empty frame when the run did not store it."""
        return self.tables.get(name, pd.DataFrame())


def _read_table(path: Path, columns: Mapping[str, str] | None) -> pd.DataFrame:
    """Read a stored CSV back with the dtypes recorded at write time.

    Text columns come back as text ("" for empty, never NaN), so that a scenario
    named ``"1"`` or an empty period stays what it was.
    """
    text_cols = [c for c, kind in (columns or {}).items() if kind == "text"]
    frame = pd.read_csv(path, dtype=dict.fromkeys(text_cols, str), keep_default_na=False, na_values=[""])
    for col in frame.columns:
        if col in text_cols or frame[col].dtype == object:
            frame[col] = frame[col].fillna("").astype(str)
    return frame


def read_manifest(path: Path) -> Manifest:
    file = path / MANIFEST_NAME
    if not file.is_file():
        raise RunStoreError(f"{path} has no {MANIFEST_NAME}: it is not a finished run folder")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunStoreError(f"{file} is not valid JSON ({exc}); the run folder is damaged") from exc
    return Manifest.from_json(data)


def _altered_inputs(folder: Path, raw: Mapping[str, Any]) -> list[str]:
    """Stored input files that differ from, or are missing in or added to, the manifest's hashes."""
    copy = folder / INPUTS_DIR / CASE_COPY
    groups: list[tuple[Path, Mapping[str, str], Sequence[str]]] = []
    case_hashes = (raw.get("case") or {}).get("files")
    if isinstance(case_hashes, Mapping) and copy.is_dir():
        groups.append((copy, case_hashes, (SCENARIOS_SUBDIR,)))
    scen = raw.get("scenarios") or {}
    if isinstance(scen.get("files"), Mapping) and scen.get("name") and copy.is_dir():
        groups.append((copy / SCENARIOS_SUBDIR / str(scen["name"]), scen["files"], ()))
    altered: list[str] = []
    for root, hashes, skip in groups:
        present = {f.relative_to(root).as_posix(): f for f in _visible_files(root, skip_top=skip)}
        for rel in sorted(set(hashes) | set(present)):
            shown = (root / rel).relative_to(folder).as_posix()
            if rel not in present:
                altered.append(f"{shown} (missing)")
            elif rel not in hashes:
                altered.append(f"{shown} (added)")
            elif sha256_file(present[rel]) != hashes[rel]:
                altered.append(shown)
    return altered


def altered_files(folder: Path, manifest: Manifest) -> list[str]:
    """Files of a run (stored inputs, result tables) whose sha256 differs from the manifest.

    Tables written before the manifest held their hashes are not checked.
    """
    altered = _altered_inputs(folder, manifest.raw)
    for name, meta in (manifest.raw.get("tables") or {}).items():
        expected = meta.get("sha256") if isinstance(meta, Mapping) else None
        file = folder / TABLES_DIR / f"{name}.csv"
        if expected and file.is_file() and sha256_file(file) != expected:
            altered.append(f"{TABLES_DIR}/{name}.csv")
    return altered


def verify_run(path: str | os.PathLike[str]) -> None:
    """Raise :class:`RunAlteredError` naming every stored file that no longer matches its hash."""
    folder = Path(path)
    altered = altered_files(folder, read_manifest(folder))
    if altered:
        raise RunAlteredError(folder, altered)


def read_run(path: str | os.PathLike[str], *, verify: bool = True) -> RunRecord:
    """Read a run folder: its manifest and every table listed in it.

    With ``verify`` (the default) the stored inputs and result tables are checked
    against the manifest's sha256 first: an altered run raises :class:`RunAlteredError`.
    """
    folder = Path(path)
    manifest = read_manifest(folder)
    if verify:
        altered = altered_files(folder, manifest)
        if altered:
            raise RunAlteredError(folder, altered)
    listed: Mapping[str, Any] = manifest.raw.get("tables", {})
    tables: dict[str, pd.DataFrame] = {}
    for name, meta in listed.items():
        file = folder / TABLES_DIR / f"{name}.csv"
        if not file.is_file():
            raise RunStoreError(f"{file} is listed in the manifest but missing; the run folder is damaged")
        tables[name] = _read_table(file, meta.get("columns"))
    return RunRecord(folder, manifest, tables)


def list_runs(runs_dir: Path, include_failed: bool = True) -> list[Manifest]:
    """Manifests of the runs in ``runs_dir``, oldest first (temporary folders skipped)."""
    if not runs_dir.is_dir():
        return []
    found: list[Manifest] = []
    for child in sorted(runs_dir.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        if child.name.endswith(FAILED_SUFFIX) and not include_failed:
            continue
        try:
            found.append(read_manifest(child))
        except RunStoreError:
            continue  # not a run folder (e.g. README) or a damaged one; ``show`` reports it
    return sorted(found, key=lambda m: (m.created, m.run_id))


def unfinished_runs(runs_dir: Path) -> list[Path]:
    """``.tmp-<id>`` folders: runs whose process was killed before it could mark them failed."""
    if not runs_dir.is_dir():
        return []
    return sorted(p for p in runs_dir.glob(f"{TMP_PREFIX}*") if p.is_dir())


def find_run(ref: str, runs_dir: Path) -> Path:
    """A run folder from a path, a full run id, or a unique prefix/suffix of one."""
    as_path = Path(ref)
    if (as_path / MANIFEST_NAME).is_file():
        return as_path
    if not runs_dir.is_dir():
        raise RunStoreError(f"no runs folder at {runs_dir}; pass --runs-dir or set {RUNS_DIR_ENV}")
    names = [c.name for c in runs_dir.iterdir() if c.is_dir() and not c.name.startswith(".")]
    if ref in names:
        return runs_dir / ref
    matches = [
        n
        for n in names
        if n.startswith(ref) or n.endswith(ref) or n.removesuffix(FAILED_SUFFIX).endswith(ref)
    ]
    if len(matches) == 1:
        return runs_dir / matches[0]
    if not matches:
        raise RunStoreError(f"no run {ref!r} in {runs_dir}; `bekostiging runs` lists them")
    shown = ", ".join(sorted(matches)[:5])
    raise RunStoreError(f"{ref!r} matches {len(matches)} runs ({shown}…); give more of the id")


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
