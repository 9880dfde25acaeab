"""The layout of a run folder: file and folder names, run ids, the runs folder, the
sha256 of files and the copy of the inputs.

Part of :mod:`bekostiging.runs.store` (which re-exports every name); the layout itself is
described in its docstring.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

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


RUN_ID_RE = re.compile(r"^(?P<stamp>\d{8}-\d{6})-(?P<name>[a-z0-9][a-z0-9_-]*)-(?P<hex>[0-9a-f]{6})$")


class RunStoreError(Exception):
    """A run folder cannot be created, found or read; the message says what to do."""


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
