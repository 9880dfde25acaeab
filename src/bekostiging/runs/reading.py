"""Reading run folders back: the manifest, the result tables, listing and finding runs, and
the integrity check (stored inputs and tables against the manifest's sha256).

Part of :mod:`bekostiging.runs.store` (which re-exports every name).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bekostiging.runs.layout import (
    CASE_COPY,
    FAILED_SUFFIX,
    INPUTS_DIR,
    MANIFEST_NAME,
    RUNS_DIR_ENV,
    SCENARIOS_SUBDIR,
    TABLES_DIR,
    TMP_PREFIX,
    RunAlteredError,
    RunStoreError,
    _visible_files,
    sha256_file,
    slug,
)


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


RUN_ID_STAMP_PARTS = 2  # date and time before the name in a run id


def _run_name(run_id: str) -> str:
    """The ``--name`` part of a run id ``YYYYmmdd-HHMMSS-<name>-<hash>[.failed]``."""
    parts = run_id.removesuffix(FAILED_SUFFIX).split("-")
    return "-".join(parts[RUN_ID_STAMP_PARTS:-1])


def find_run(ref: str, runs_dir: Path) -> Path:
    """A run folder from a path, a full run id, a unique prefix/suffix of one, or a run's name
    (``--name``; the newest run of that name when there are several)."""
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
    if not matches:  # the name given with --name: the newest run of that name (ids start with the time)
        named = sorted(n for n in names if _run_name(n) in (ref, slug(ref)))
        if named:
            return runs_dir / named[-1]
    if not matches:
        raise RunStoreError(f"no run {ref!r} in {runs_dir}; `bekostiging runs` lists them")
    shown = ", ".join(sorted(matches)[:5])
    raise RunStoreError(f"{ref!r} matches {len(matches)} runs ({shown}…); give more of the id")
