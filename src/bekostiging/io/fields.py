"""What a field of the schema allows, in words, and a pydantic error as (field, found, allowed):
the text of every problem line (``a number ≥ 0 and ≤ 1 (share)``).

Part of :mod:`bekostiging.io.case` (which re-exports every name).
"""

from __future__ import annotations

import difflib
import enum
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

MAX_CLOSE_MATCHES = 1  # suggestions offered for a misspelt key


CLOSE_MATCH_CUTOFF = 0.6  # difflib similarity needed to suggest a key


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` → (X, True); anything else → (annotation, False)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def field_at(model: type[BaseModel], loc: Sequence[str | int]) -> FieldInfo | None:
    """The pydantic field a validation-error location points to, if any."""
    current: Any = model
    info: FieldInfo | None = None
    for part in loc:
        current, _ = _unwrap_optional(current)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            info = current.model_fields[part]
            current = info.annotation
        elif origin is dict:
            if part == "[key]":
                return None
            current = typing.get_args(current)[1]
            info = None
        elif origin in (tuple, list):
            current = typing.get_args(current)[0]
            info = None
        else:
            return None
    return info


def _kind(annotation: Any) -> str:
    annotation, optional = _unwrap_optional(annotation)
    origin = typing.get_origin(annotation)
    if annotation is bool:
        text = "true or false"
    elif annotation is int:
        text = "a whole number"
    elif annotation is float:
        text = "a number"
    elif annotation is str:
        text = "text"
    elif origin is typing.Literal:
        text = "one of " + ", ".join(str(a) for a in typing.get_args(annotation))
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        text = "one of " + ", ".join(str(m.value) for m in annotation)
    else:
        text = "a value"
    return text + (" or empty" if optional else "")


def _range(info: FieldInfo) -> str:
    parts: list[str] = []
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            parts.append(f"≥ {meta.ge:g}")
        elif isinstance(meta, annotated_types.Gt):
            parts.append(f"> {meta.gt:g}")
        elif isinstance(meta, annotated_types.Le):
            parts.append(f"≤ {meta.le:g}")
        elif isinstance(meta, annotated_types.Lt):
            parts.append(f"< {meta.lt:g}")
        elif isinstance(meta, annotated_types.MinLen) and meta.min_length > 0:
            parts.append("not empty")
    return " and ".join(parts)


def unit_of(info: FieldInfo) -> str:
    """The declared unit of a field (``""`` when it has none)."""
    extra = info.json_schema_extra
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def allowed_range(info: FieldInfo) -> str:
    """What a field allows, e.g. ``a number ≥ 0 and ≤ 0.5 (share per year)``."""
    text = _kind(info.annotation)
    bounds = _range(info)
    if bounds:
        text += f" {bounds}"
    unit = unit_of(info)
    if unit:
        text += f" ({unit})"
    return text


def _found(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, Mapping):
        return "(a section)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def translate_error(
    error: Mapping[str, Any], model: type[BaseModel], data: Mapping[str, Any] | None = None
) -> tuple[str, str, str]:
    """A pydantic error as (field path, value found, allowed)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[-1] == "[key]":
        path = ".".join(str(p) for p in loc[:-1])
        expected = (error.get("ctx") or {}).get("expected", "")
        return path, "(unknown section)", f"one of {expected}".replace("'", "")
    path = ".".join(str(p) for p in loc)
    info = field_at(model, loc)
    if kind == "missing":
        needed = allowed_range(info) if info is not None else "a section"
        desc = f" — {info.description}" if info is not None and info.description else ""
        return path, "(missing)", f"required: {needed}{desc}"
    if kind == "extra_forbidden":
        parent = field_at(model, loc[:-1]) if len(loc) > 1 else None
        parent_model = _model_of(parent.annotation) if parent is not None else None
        if len(loc) == 1:
            parent_model = model
        known = list(parent_model.model_fields) if parent_model is not None else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=MAX_CLOSE_MATCHES, cutoff=CLOSE_MATCH_CUTOFF)
        hint = f" (did you mean {close[0]}?)" if close else ""
        where = f"[{'.'.join(str(p) for p in loc[:-1])}]" if len(loc) > 1 else "the top level"
        return path, _found(error.get("input")), f"no such key in {where}{hint}"
    allowed = allowed_range(info) if info is not None else error["msg"]
    if kind == "finite_number":
        allowed = allowed.replace("a number", "a finite number", 1)
    return path, _found(error.get("input")), allowed


def _model_of(annotation: Any) -> type[BaseModel] | None:
    annotation, _ = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
