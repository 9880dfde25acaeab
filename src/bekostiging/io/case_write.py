"""Writing a case folder: ``case.toml`` with units and ranges as comments, the CSV tables
(a source column where the case has row sources), never over an existing non-empty folder.

Part of :mod:`bekostiging.io.case` (which re-exports every name).
"""

from __future__ import annotations

import csv
import enum
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bekostiging.io.fields import allowed_range
from bekostiging.io.layout import (
    CSV_ENCODING,
    NOTES_FILE,
    SETTINGS_FILE,
    SOURCE_COLUMN,
    SOURCE_LIST,
    SOURCES_KEY,
    TABLES,
    TableSpec,
    format_value,
)
from bekostiging.schema import (
    Case,
    Settings,
    SourceEntry,
    column_paths,
    settings_paths,
)


def settings_rows(settings: Settings) -> list[tuple[str, str, Any, FieldInfo]]:
    """Every settings value as (section, key, value, field), in schema order.

    Category sections are ``categories.<name>``.
    """
    rows: list[tuple[str, str, Any, FieldInfo]] = []

    def add(section: str, obj: BaseModel) -> None:
        for key, info in type(obj).model_fields.items():
            rows.append((section, key, getattr(obj, key), info))

    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, dict):
            for key, sub in value.items():
                add(f"{name}.{format_value(key)}", sub)
        else:
            add(name, value)
    return rows


def _toml_scalar(key: str, value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dict):  # a per-year mapping: one inline table (TOML keys are strings)
        items = ", ".join(_toml_scalar(str(k), v) for k, v in value.items())
        return f"{key} = {{ {items} }}" if items else f"{key} = {{}}"
    return tomli_w.dumps({key: value}).strip()


def sources_toml(sources: Mapping[str, str]) -> list[str]:
    """The ``[sources]`` tables of ``case.toml``: one table per section, in schema order."""
    order = {path: i for i, path in enumerate([*settings_paths(), *column_paths()])}
    lines: list[str] = []
    section = None
    for path in sorted(sources, key=lambda p: (order.get(p, len(order)), p)):
        parent, key = path.rsplit(".", 1) if "." in path else ("", path)
        if parent != section:
            lines += ["", f"[{SOURCES_KEY}.{parent}]" if parent else f"[{SOURCES_KEY}]"]
            section = parent
        lines.append(_toml_scalar(key, sources[path]))
    return lines


def settings_toml(settings: Settings, sources: Mapping[str, str] | None = None) -> str:
    """``case.toml`` text: every key, with its unit and allowed range as a comment.

    ``sources`` (key path or table column -> source) follow as ``[sources.<section>]`` tables.
    """
    lines = [
        "# bekostiging case settings. Units and allowed ranges are declared in",
        "# src/bekostiging/schema.py; `bekostiging validate` checks this file.",
        "# The source of every value is in the [sources] tables at the end (keys of sources.csv",
        "# or 'estimate: reasoning'); SOURCES.md is generated from them.",
    ]
    section = None
    for sec, key, value, info in settings_rows(settings):
        if sec != section:
            lines += ["", f"[{sec}]"]
            section = sec
        if value is None:
            lines.append(f"# {key} = (not set): {allowed_range(info)}")
            continue
        comment = allowed_range(info)
        lines.append(f"{_toml_scalar(key, value)}  # {comment}")
    lines += sources_toml(sources or {})
    return "\n".join(lines) + "\n"


def written_columns(rows: Sequence[BaseModel], spec: TableSpec) -> list[str]:
    """The columns a table is written with: ``source`` only when some row has one."""
    if spec.model is SourceEntry or any(getattr(r, SOURCE_COLUMN, None) for r in rows):
        return spec.columns
    return spec.required_columns


def table_rows(case: Case, spec: TableSpec) -> list[list[Any]]:
    """The rows of a case table as lists of values in column order."""
    return [[getattr(row, c) for c in spec.columns] for row in getattr(case, spec.name)]


def _write_csv(file: Path, rows: Sequence[BaseModel], spec: TableSpec) -> None:
    columns = written_columns(rows, spec)
    with file.open("w", newline="", encoding=CSV_ENCODING) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([format_value(getattr(row, c)) for c in columns])


def has_sources(case: Case) -> bool:
    """Whether the case carries any source data (then SOURCES.md is written with it)."""
    rows = (r for spec in TABLES for r in getattr(case, spec.name))
    return bool(case.sources or case.source_list or case.notes or any(r.source for r in rows))  # type: ignore[attr-defined]


def save_case(case: Case, path: str | Path) -> Path:
    """Write a case in the folder format; refuse an existing non-empty folder.

    With sources, also ``sources.csv`` and ``notes.md``; ``bekostiging.io.sources.save_case_folder``
    adds the generated ``SOURCES.md``.
    """
    folder = Path(path)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} exists and is not an empty folder; choose a new one")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SETTINGS_FILE).write_text(settings_toml(case.settings, case.sources), encoding=CSV_ENCODING)
    for spec in TABLES:
        _write_csv(folder / spec.file, getattr(case, spec.name), spec)
    if case.source_list:
        _write_csv(folder / SOURCE_LIST.file, case.source_list, SOURCE_LIST)
    if case.notes:
        (folder / NOTES_FILE).write_text(case.notes, encoding=CSV_ENCODING)
    return folder
