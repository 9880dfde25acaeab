"""Sources as data: the source list, the source text of every value and column, and their checks.

Every value carries its source: ``Case.sources`` maps a settings key path or a table column
to a source text, each table row has its own ``source`` column. Part of
:mod:`bekostiging.schema` (which re-exports every name).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, model_validator

from bekostiging.inputs.base import SETTINGS_TABLE, Category, Strict, Violation
from bekostiging.inputs.settings import ARTICLE_LINES, Settings
from bekostiging.inputs.tables import TABLE_MODELS

SOURCE_KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"


ESTIMATE_PREFIX = "estimate:"


DEFINITION_PREFIX = "definition:"


USER_MARK_RE = re.compile(r"^(changed|added) by user on (\d{4}-\d{2}-\d{2})")


CITED_KEY_RE = re.compile(r"\b[SN]\d+\b")  # S- and N-keys cited inside a note or reasoning


SOURCE_FORMS = (
    "keys of the source list with an optional note ('S23' or 'S41, S11: note'), "
    "'estimate: reasoning', 'definition: text' or 'changed by user on YYYY-MM-DD …'"
)


SOURCE_LIST_TABLE = "source_list"


MAX_KEYS_SHOWN = 8  # known keys listed in a problem line


TEXT_SHOWN_CHARS = 60  # a long source text is cut in a problem line


class SourceEntry(Strict):
    """Row of ``sources.csv``: one public source (or project document) that values cite."""

    key: str = Field(pattern=SOURCE_KEY_PATTERN, description="Key cited by values, e.g. S23")
    title: str = Field(min_length=1, description="Title of the page or document")
    publisher: str = Field("", description="Who published it")
    url: str = Field("", description="Address (several separated by ' ; ')")
    date: str = Field("", description="Publication date or the years it covers")
    note: str = Field("", description="What the case takes from it")

    @model_validator(mode="before")
    @classmethod
    def _empty_cells_are_defaults(cls, data: Any) -> Any:
        """An empty CSV or Excel cell means the field's default (empty text)."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


def source_keys(text: str) -> list[str]:
    """The source-list keys a source text cites (leading keys and S-keys in the text)."""
    t = text.strip()
    lead: list[str] = []
    lowered = t.lower()
    if not (lowered.startswith((ESTIMATE_PREFIX, DEFINITION_PREFIX)) or USER_MARK_RE.match(t)):
        lead = [k.strip() for k in t.split(":", 1)[0].split(",")]
    found = lead + CITED_KEY_RE.findall(t)
    return list(dict.fromkeys(found))


def source_problem(text: str, known: Sequence[str]) -> tuple[str, str] | None:
    """(found, allowed) when a source text is malformed or cites an unknown key, else None."""
    t = text.strip()
    shown = t if len(t) <= TEXT_SHOWN_CHARS else t[:TEXT_SHOWN_CHARS] + "…"
    if not t:
        return "(empty)", f"a source: {SOURCE_FORMS}"
    lowered = t.lower()
    if lowered in (ESTIMATE_PREFIX[:-1], DEFINITION_PREFIX[:-1]):
        return shown, f"a reasoning after '{lowered}:' ({SOURCE_FORMS})"
    for prefix in (ESTIMATE_PREFIX, DEFINITION_PREFIX):
        if lowered.startswith(prefix) and not t[len(prefix) :].strip():
            return shown, f"a reasoning after '{prefix}'"
    mark = USER_MARK_RE.match(t)
    if mark:
        try:
            date.fromisoformat(mark.group(2))
        except ValueError:
            return shown, "a real date after 'by user on' (YYYY-MM-DD)"
    keys = source_keys(t)
    malformed = [k for k in keys if not re.match(SOURCE_KEY_PATTERN, k)]
    if malformed:
        return shown, SOURCE_FORMS
    unknown = [k for k in keys if k not in known]
    if unknown:
        listed = ", ".join(list(known)[:MAX_KEYS_SHOWN]) + (" …" if len(known) > MAX_KEYS_SHOWN else "")
        where = (
            f"a key of the source list ({listed})"
            if known
            else "a key of the source list (sources.csv is empty or missing)"
        )
        return ", ".join(unknown), f"{where}, or {SOURCE_FORMS}"
    return None


def settings_paths() -> list[str]:
    """Every settings key path a source may be given for, in schema order."""
    paths: list[str] = []
    for name, info in Settings.model_fields.items():
        annotation = info.annotation
        if typing.get_origin(annotation) is dict:
            sub = typing.get_args(annotation)[1]
            keys = ARTICLE_LINES if name == "articles" else tuple(c.value for c in Category)
            paths += [f"{name}.{k}.{key}" for k in keys for key in sub.model_fields]
        else:
            paths += [f"{name}.{key}" for key in annotation.model_fields]  # type: ignore[union-attr]
    return paths


def column_paths() -> list[str]:
    """Every table column a source may be given for (``series.permit_share``)."""
    return [
        f"{table}.{column}"
        for table, model in TABLE_MODELS.items()
        for column in model.model_fields
        if column != "source"
    ]


def check_source_list(entries: Sequence[SourceEntry]) -> list[Violation]:
    """Keys of the source list are unique."""
    found: list[Violation] = []
    first_row: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if entry.key in first_row:
            found.append(
                Violation(
                    "source_key_unique",
                    SOURCE_LIST_TABLE,
                    "key",
                    entry.key,
                    "a unique key",
                    i,
                    first_row[entry.key],
                )
            )
        else:
            first_row[entry.key] = i
    return found


def check_sources(
    sources: Mapping[str, str],
    source_list: Sequence[SourceEntry],
    tables: Mapping[str, Sequence[BaseModel]],
) -> list[Violation]:
    """Every source names a real parameter or column and cites only keys of the source list."""
    known = [e.key for e in source_list]
    paths = set(settings_paths()) | set(column_paths())
    found: list[Violation] = []
    for path, text in sources.items():
        if path not in paths:
            found.append(
                Violation(
                    "source_path_known",
                    SETTINGS_TABLE,
                    f"sources.{path}",
                    "(unknown key)",
                    "a settings key (section.key, e.g. ind.initial_fte) or a table column "
                    "(table.column, e.g. series.permit_share)",
                )
            )
            continue
        problem = source_problem(text, known)
        if problem is not None:
            found.append(Violation("source_known", SETTINGS_TABLE, f"sources.{path}", *problem))
    for table, rows in tables.items():
        for i, row in enumerate(rows):
            text = getattr(row, "source", None)
            if text is None:
                continue
            problem = source_problem(text, known)
            if problem is not None:
                found.append(Violation("source_known", table, "source", *problem, index=i))
    return found
