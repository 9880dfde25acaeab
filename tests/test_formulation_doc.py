"""The written model reproduces the code: ``model/formulation.md`` against the builders and the schema.

* every constraint family (a module-level ``def add_*`` anywhere in ``src/bekostiging/``:
  ``model/first_stage.py``, ``model/second_stage.py``, ``multistage.py``, …) has its section
  ``### add_*`` in the document, and every such section names a family that exists;
* every case field (``case.toml`` key, CSV column of a case table) has its row in the
  document's "Case fields" table with the schema's unit and default, and every row of
  that table names a field that exists.

A failure prints the rows the document lacks, ready to paste (fill in the symbol).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from bekostiging.io.case import SETTINGS_FILE, TABLES
from bekostiging.schema import Settings, field_unit

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "model" / "formulation.md"
PACKAGE = REPO / "src" / "bekostiging"
FIELDS_HEADING = "## Case fields"
REQUIRED = "required"
NOT_SET = "not set"
FLOAT_TOLERANCE = 1e-12


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- families


def code_families() -> set[str]:
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        names |= set(re.findall(r"^def (add_\w+)\(", path.read_text(encoding="utf-8"), flags=re.M))
    return names


def doc_families(text: str) -> set[str]:
    return set(re.findall(r"^###\s+`?(add_\w+)`?\s*$", text, flags=re.M))


def test_every_model_family_has_its_section_in_the_document() -> None:
    families = code_families()
    assert {"add_staff_balance", "add_penalties", "add_occupancy_norm"} <= families  # the scan works
    missing = sorted(families - doc_families(_doc()))
    assert not missing, f"model/formulation.md lacks a '### <name>' section for: {missing}"


def test_every_family_section_of_the_document_exists_in_the_code() -> None:
    stale = sorted(doc_families(_doc()) - code_families())
    assert not stale, f"model/formulation.md has sections for families the code does not build: {stale}"


# --------------------------------------------------------------------------- case fields


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def format_default(value: Any) -> str:
    """A default as the document writes it."""
    if value is PydanticUndefined:
        return REQUIRED
    if value is None:
        return NOT_SET
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return f'"{value}"'
    if hasattr(value, "value"):
        return f'"{value.value}"'
    return str(value)


def schema_fields() -> Iterator[tuple[str, str, str, str]]:
    """(file, field, unit, default) of every case field, in schema order.

    Sections of ``case.toml`` are dotted (``coa.max_fill_rate``); a section that is a
    dict (categories) is written ``categories.*.decision_work``; CSV columns are bare.
    """

    def walk(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str, str]]:
        for name, info in model.model_fields.items():
            annotation = info.annotation
            origin = typing.get_origin(annotation)
            if origin is dict:
                sub = _model_of(typing.get_args(annotation)[1])
                if sub is not None:
                    yield from walk(sub, f"{prefix}{name}.*.")
                    continue
            sub = _model_of(annotation)
            if sub is not None:
                yield from walk(sub, f"{prefix}{name}.")
                continue
            default = info.default if info.default_factory is None else info.default_factory()  # type: ignore[call-arg]
            yield f"{prefix}{name}", field_unit(model, name), format_default(default)

    for field, unit, default in walk(Settings, ""):
        yield SETTINGS_FILE, field, unit, default
    for spec in TABLES:
        for name, info in spec.model.model_fields.items():
            yield spec.file, name, field_unit(spec.model, name), format_default(info.default)


def _expand(field: str) -> list[str]:
    """``{registration,ind,dtv}.cohort_fte`` -> one field per partner."""
    match = re.search(r"\{([^}]*)\}", field)
    if match is None:
        return [field]
    options = [o.strip() for o in match.group(1).split(",")]
    return [x for o in options for x in _expand(field[: match.start()] + o + field[match.end() :])]


EMPTY_CELLS = ("—", "-", "")  # a unit cell for a field without a unit


def _cell(text: str) -> str:
    text = text.strip().strip("`").strip()
    return "" if text in EMPTY_CELLS else text


def doc_fields(text: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(file, field) -> (unit, default) from the "Case fields" table of the document."""
    start = text.find(f"\n{FIELDS_HEADING}")
    assert start >= 0, f"model/formulation.md has no '{FIELDS_HEADING}' section"
    section = text[start + 1 :]
    end = section.find("\n## ", 1)
    section = section if end < 0 else section[:end]
    rows: dict[tuple[str, str], tuple[str, str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) != 5 or cells[0] in ("file", "") or set(cells[0]) <= {"-", ":"}:
            continue
        file, field, _symbol, unit, default = cells
        for name in _expand(_cell(field)):
            rows[(_cell(file), name)] = (_cell(unit), _cell(default))
    return rows


def _same_default(documented: str, actual: str) -> bool:
    if documented == actual:
        return True
    try:
        return abs(float(documented) - float(actual)) <= FLOAT_TOLERANCE * max(1.0, abs(float(actual)))
    except ValueError:
        return False


def _row(file: str, field: str, unit: str, default: str) -> str:
    return f"| `{file}` | `{field}` | | {unit} | {default} |"


def test_every_case_field_is_in_the_document_with_its_unit_and_default() -> None:
    documented = doc_fields(_doc())
    expected = list(schema_fields())
    assert len(expected) > 60  # the walk reaches settings and tables
    missing = [_row(*e) for e in expected if (e[0], e[1]) not in documented]
    assert not missing, "model/formulation.md 'Case fields' lacks rows:\n" + "\n".join(missing)
    wrong = [
        f"{file} {field}: document says unit {documented[(file, field)][0]!r}, default "
        f"{documented[(file, field)][1]!r}; the schema {unit!r}, {default!r}"
        for file, field, unit, default in expected
        if documented[(file, field)][0] != unit or not _same_default(documented[(file, field)][1], default)
    ]
    assert not wrong, "model/formulation.md 'Case fields' disagrees with schema.py:\n" + "\n".join(wrong)


def test_every_documented_case_field_exists() -> None:
    actual = {(f, n) for f, n, _u, _d in schema_fields()}
    stale = sorted(k for k in doc_fields(_doc()) if k not in actual)
    assert not stale, f"model/formulation.md 'Case fields' names fields the schema lacks: {stale}"


def test_the_document_parser_catches_a_missing_default() -> None:
    """The check itself can fail: a document with a changed default or a dropped row is caught."""
    text = _doc()
    rows = doc_fields(text)
    key = ("case.toml", "coa.max_fill_rate")
    assert key in rows
    line = next(x for x in text.splitlines() if x.startswith("| `case.toml` | `coa.max_fill_rate`"))
    altered = doc_fields(text.replace(line, line.replace(rows[key][1], "0.5")))
    assert not _same_default(altered[key][1], rows[key][1])
    assert key not in doc_fields(text.replace(line + "\n", ""))
