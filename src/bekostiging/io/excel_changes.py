"""What the user changed in an imported workbook: compared with the hidden ``_exported`` sheet,
a value edited while its source was left in place gets ``changed by user on DATE``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bekostiging.io.case import (
    SOURCE_COLUMN,
    TABLES,
    format_value,
    row_key,
    settings_rows,
)
from bekostiging.io.excel_layout import EXPORTED_COLUMNS, EXPORTED_SHEET, SETS_SHEET, _text
from bekostiging.io.excel_write import set_digests
from bekostiging.schema import Case, ScenarioSet


def _read_exported(wb: Any) -> dict[str, tuple[str, str]]:
    """path -> (value text, source) as exported; empty for a workbook without the sheet."""
    if EXPORTED_SHEET not in wb.sheetnames:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for row in wb[EXPORTED_SHEET].iter_rows(min_row=2, max_col=len(EXPORTED_COLUMNS)):
        path, value, source = (_text(c.value) for c in row)
        if path:
            out[path] = (value, source)
    return out


def user_mark(today: dt.date, was: str, source: str) -> str:
    """The source of a value the user changed: when, and the value and source it replaced."""
    text = f"changed by user on {today.isoformat()}; was {was}"
    return f"{text} ({source})" if source else text


def mark_user_changes(
    case: Case, exported: dict[str, tuple[str, str]], today: dt.date
) -> tuple[Case, list[str]]:
    """Mark values that differ from the export and kept their exported source (or an empty one)."""
    if not exported:
        return case, []
    changed: list[str] = []
    sources = dict(case.sources)
    for section, key, value, _ in settings_rows(case.settings):
        path = f"{section}.{key}"
        if path not in exported or exported[path][0] == format_value(value):
            continue
        old_source = exported[path][1]
        if sources.get(path, "") in ("", old_source):  # the source left in place (or emptied)
            sources[path] = user_mark(today, exported[path][0] or "not set", old_source)
            changed.append(path)
    updates: dict[str, Any] = {"sources": sources}
    for spec in TABLES:
        rows = []
        for row in getattr(case, spec.name):
            key = row_key(spec.name, row)
            rows.append(row)
            current = row.source or ""  # type: ignore[attr-defined]
            if key not in exported:
                if not current:
                    rows[-1] = row.model_copy(update={SOURCE_COLUMN: f"added by user on {today.isoformat()}"})
                    changed.append(key)
                continue
            diffs = [
                f"{c} was {exported[f'{key}.{c}'][0]}"
                for c in spec.required_columns
                if f"{key}.{c}" in exported and exported[f"{key}.{c}"][0] != format_value(getattr(row, c))
            ]
            old_source = exported[key][1]
            if diffs and current in ("", old_source):
                text = f"changed by user on {today.isoformat()}; {', '.join(diffs)}"
                text += f" ({old_source})" if old_source else ""
                rows[-1] = row.model_copy(update={SOURCE_COLUMN: text})
                changed.append(key)
        updates[spec.name] = tuple(rows)
    return Case.model_validate({**dict(case), **updates}), changed


def mark_user_set_changes(
    sets: Sequence[ScenarioSet], exported: dict[str, tuple[str, str]], today: dt.date
) -> tuple[list[ScenarioSet], list[str]]:
    """A set whose inflow or probabilities were edited, with its provenance left as
    exported, gets ``changed by user on DATE`` in its provenance notes."""
    out: list[ScenarioSet] = []
    changed: list[str] = []
    for original in sets:
        path = f"{SETS_SHEET}[{original.name}]"
        content, provenance = set_digests(original)
        edited = path in exported and exported[path][0] != content and exported[path][1] == provenance
        if not edited:
            out.append(original)
            continue
        prov = original.provenance
        mark = f"changed by user on {today.isoformat()} (case import)"
        notes = f"{prov.notes} {mark}" if prov.notes else mark
        out.append(original.model_copy(update={"provenance": prov.model_copy(update={"notes": notes})}))
        changed.append(path)
    return out, changed
