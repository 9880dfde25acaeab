"""Side-by-side comparison of stored runs, and the differences in their inputs.

Pure pandas over run folders: values per run, with the absolute and relative
difference of every later run against the first. Input differences are found
by diffing the stored inputs (``inputs/case``): settings keys in TOML files,
cells in CSV files (rows matched on their key columns), added or removed rows
and files, plus the run settings in the manifest (scenario set, solver
options, seed).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bekostiging.analytics.chain import read_value_table
from bekostiging.report import data
from bekostiging.report.i18n import unit_kind
from bekostiging.runs.store import SCENARIOS_SUBDIR, RunRecord, parse_run_id

MAX_DIFFS_PER_FILE = 200  # beyond this a file's differences are counted, not listed
NUMBER_RTOL = 1e-12  # numbers equal within this relative tolerance are not a difference
# Columns that identify a row in an input CSV (besides every text column).
KEY_COLUMNS = frozenset(
    {"year", "period", "month", "scenario", "category", "partner", "stock", "location", "lever", "quantity"}
)
DIFF_COLUMNS = ["run", "file", "where", "column", "old", "new"]
RUN_SETTINGS_FILE = "(run settings)"
ROW_ADDED = "(row added)"
ROW_REMOVED = "(row removed)"
FILE_ADDED = "(file added)"
FILE_REMOVED = "(file removed)"
TEXT_CHANGED = "(text changed)"
MORE = "(more)"
COLUMN_MARK = "(column)"  # a whole column added or removed
# Δ% is shown only against a first value of at least this share of the larger of the two: a
# change from (almost) nothing is said by Δ alone, not by a percentage of tens of thousands.
MEANINGFUL_BASE_SHARE = 0.01
RATIO_MEASURES = frozenset({"ratio"})  # a difference of ratios is in percentage points: no Δ%


def run_label(record: RunRecord) -> str:
    """``name-hex`` of a run id (short and unique enough for column headers)."""
    parsed = parse_run_id(record.run_id)
    if parsed is None:
        return record.run_id
    return f"{parsed[1]}-{record.run_id[-6:]}"


def side_by_side(
    frames: Sequence[pd.DataFrame], labels: Sequence[str], keys: Sequence[str], value: str
) -> pd.DataFrame:
    """Keys, one value column per run, then ``Δ <label>`` and ``Δ% <label>`` for every run after the first.

    Δ% is relative to the first run's absolute value; empty when that is zero or missing,
    when it is below :data:`MEANINGFUL_BASE_SHARE` of the larger value (a change from almost
    nothing), and for ratios (their Δ is in percentage points).
    """
    merged: pd.DataFrame | None = None
    for frame, label in zip(frames, labels, strict=True):
        part = frame[[*keys, value]].rename(columns={value: label})
        merged = part if merged is None else merged.merge(part, on=list(keys), how="outer")
    if merged is None:
        return pd.DataFrame()
    first = labels[0]
    for label in labels[1:]:
        delta = merged[label] - merged[first]
        base = merged[first].abs().replace(0.0, np.nan)
        larger = np.fmax(merged[first].abs(), merged[label].abs()).fillna(0.0)
        base = base.where(base.fillna(0.0) >= MEANINGFUL_BASE_SHARE * larger)
        if "measure" in merged.columns:
            base = base.where(~merged["measure"].astype(str).isin(RATIO_MEASURES))
        if "unit" in merged.columns:
            base = base.where(merged["unit"].astype(str).map(unit_kind) != "percent")
        merged[f"Δ {label}"] = delta
        merged[f"Δ% {label}"] = delta / base
    return merged.reset_index(drop=True)


@dataclass(frozen=True)
class Comparison:
    """Everything ``compare`` shows; each frame is ready to print or write."""

    labels: tuple[str, ...]
    run_ids: tuple[str, ...]
    statuses: tuple[str, ...]
    levers: pd.DataFrame  # lever, unit, <runs>, Δ, Δ%
    funding: pd.DataFrame  # partner, year, measure (budget_eur | ratio), <runs>, Δ, Δ%
    kpis: pd.DataFrame  # kpi, unit, <runs>, Δ, Δ%
    costs: pd.DataFrame  # partner, component, stage, <runs>, Δ, Δ%
    inputs: pd.DataFrame  # run, file, where, column, old, new
    cost_per_year: pd.DataFrame  # run, year, value (EUR, expected)
    backlog_per_year: pd.DataFrame  # run, year, value (persons, expected, year end)
    value: pd.DataFrame = field(default_factory=pd.DataFrame)  # measure, unit, <runs>, Δ, Δ% (VSS, EVPI…)


def compare_runs(records: Sequence[RunRecord]) -> Comparison:
    if len(records) < 2:
        raise ValueError("compare needs at least two runs")
    labels = _unique_labels([run_label(r) for r in records])
    levers = side_by_side([r.table("levers") for r in records], labels, ["lever", "unit"], "value")
    levers = data.in_order(levers, "lever", data.FIVE_LEVERS)
    funding_frames = []
    for r in records:
        f = data.funding_table(r)
        if f.empty:
            f = pd.DataFrame(columns=["partner", "year", "budget_eur", "ratio"])
        long = f.melt(id_vars=["partner", "year"], value_vars=["budget_eur", "ratio"], var_name="measure")
        funding_frames.append(long)
    funding = side_by_side(funding_frames, labels, ["partner", "year", "measure"], "value")
    if not funding.empty:
        funding = funding.sort_values(["measure", "partner", "year"], kind="stable").reset_index(drop=True)
    kpis = side_by_side([data.expected_kpis(r) for r in records], labels, ["kpi", "unit"], "value")
    costs = side_by_side(
        [data.expected_costs(r, ["kind", "partner", "component", "stage"], kinds=None) for r in records],
        labels,
        ["kind", "partner", "component", "stage"],
        "value_eur",
    )
    cost_year = pd.concat(
        [
            data.expected_costs(r, ["year"]).rename(columns={"value_eur": "value"}).assign(run=lab)
            for r, lab in zip(records, labels, strict=True)
        ],
        ignore_index=True,
    )
    backlog_year = pd.concat(
        [
            data.expected_year_end(r, data.BACKLOG_QUANTITY).assign(run=lab)
            for r, lab in zip(records, labels, strict=True)
        ],
        ignore_index=True,
    )
    value = side_by_side([_value_measures(r) for r in records], labels, ["measure", "unit"], "value")
    if not value.empty and value[list(labels)].isna().all().all():
        value = pd.DataFrame()
    else:
        value = data.in_order(value, "measure", VALUE_ORDER)
    diffs = [input_differences(records[0], r, lab) for r, lab in zip(records[1:], labels[1:], strict=True)]
    return Comparison(
        labels=tuple(labels),
        run_ids=tuple(r.run_id for r in records),
        statuses=tuple(r.manifest.status for r in records),
        levers=levers,
        funding=funding,
        kpis=kpis,
        costs=costs,
        inputs=pd.concat(diffs, ignore_index=True) if diffs else pd.DataFrame(columns=DIFF_COLUMNS),
        cost_per_year=cost_year[["run", "year", "value"]] if not cost_year.empty else cost_year,
        backlog_per_year=backlog_year[["run", "year", "value"]] if not backlog_year.empty else backlog_year,
        value=value,
    )


VALUE_SECTIONS = ("value", "status_quo")  # rows of analysis/value.csv shown side by side
VALUE_ORDER = ("RP", "EV", "EEV", "WS", "VSS", "EVPI", "status_quo", "saving_vs_status_quo")


def _value_measures(record: RunRecord) -> pd.DataFrame:
    """RP, EV, EEV, WS, VSS, EVPI and the status-quo saving of a run (empty rows when not analysed)."""
    table = read_value_table(record.path)
    if table is None:
        return pd.DataFrame(columns=["measure", "unit", "value"])
    rows = table[table["section"].isin(VALUE_SECTIONS)]
    return rows[["measure", "unit", "value"]].astype({"value": float})


def _unique_labels(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
    return out


# --------------------------------------------------------------------------- input differences


def _same(a: object, b: object) -> bool:
    fa, fb = _as_float(a), _as_float(b)
    if fa is not None and fb is not None:
        if math.isnan(fa) and math.isnan(fb):
            return True
        return math.isclose(fa, fb, rel_tol=NUMBER_RTOL, abs_tol=0.0)
    return str(a) == str(b)


def _as_float(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        return None


def _show(v: object) -> str:
    return "" if v is None else str(v)


CASE_SETTINGS = "case.toml"


def _settings_values(path: Path) -> dict[str, object]:
    """The keys of a settings file; for a case's ``case.toml`` also every key it leaves to the
    schema's default, at that default (a run solved with a command-line override stores the
    whole effective case, a plain run the file as written: the defaults are no difference)."""
    written = data.flatten(tomllib.loads(path.read_text(encoding="utf-8")))
    if path.name != CASE_SETTINGS:
        return written
    from bekostiging.errors import InputErrors
    from bekostiging.io.case import load_case

    try:
        effective = data.flatten(load_case(path.parent).settings.model_dump(mode="json"))
    except InputErrors:  # a stored case this version no longer reads: compare the files as written
        return written
    return {**effective, **written}


def diff_settings(old: Path, new: Path, file: str) -> list[tuple[str, str, str, str, str]]:
    a = _settings_values(old)
    b = _settings_values(new)
    rows = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            rows.append((file, key, "", _show(a[key]), ROW_REMOVED))
        elif key not in a:
            rows.append((file, key, "", ROW_ADDED, _show(b[key])))
        elif not _same(a[key], b[key]):
            rows.append((file, key, "", _show(a[key]), _show(b[key])))
    return rows


def _key_columns(frame: pd.DataFrame) -> list[str]:
    """Known identifying columns when the file has them, else every text column."""
    known = [c for c in frame.columns if c in KEY_COLUMNS]
    if known:
        return known
    return [c for c in frame.columns if _as_float_column(frame[c]) is None]


def _as_float_column(col: pd.Series) -> pd.Series | None:
    """The column as floats, or None when any non-empty cell is not a number."""
    converted = pd.to_numeric(col.replace("", np.nan), errors="coerce")
    if converted.isna().sum() > (col == "").sum():
        return None
    return converted


def diff_csv(old: Path, new: Path, file: str) -> list[tuple[str, str, str, str, str]]:
    """Cell differences of two CSV files, rows matched on their key columns (else by position)."""
    a = pd.read_csv(old, dtype=str, keep_default_na=False)
    b = pd.read_csv(new, dtype=str, keep_default_na=False)
    rows: list[tuple[str, str, str, str, str]] = []
    if list(a.columns) != list(b.columns):
        for c in a.columns.difference(b.columns):
            rows.append((file, "", str(c), COLUMN_MARK, ROW_REMOVED))
        for c in b.columns.difference(a.columns):
            rows.append((file, "", str(c), ROW_ADDED, COLUMN_MARK))
    common = [c for c in a.columns if c in b.columns]
    keys = [k for k in _key_columns(a[common]) if k in common]
    values = [c for c in common if c not in keys]
    unique = keys and not a.duplicated(keys).any() and not b.duplicated(keys).any()
    if unique:
        ai, bi = a.set_index(keys), b.set_index(keys)
    else:
        keys = ["row"]
        ai = a.assign(row=[str(i + 2) for i in range(len(a))]).set_index("row")
        bi = b.assign(row=[str(i + 2) for i in range(len(b))]).set_index("row")

    def where(idx: object) -> str:
        parts = idx if isinstance(idx, tuple) else (idx,)
        return ", ".join(f"{k}={v}" for k, v in zip(keys, parts, strict=True))

    for idx in ai.index.difference(bi.index):
        rows.append((file, where(idx), "", ", ".join(ai.loc[idx, values].astype(str)), ROW_REMOVED))
    for idx in bi.index.difference(ai.index):
        rows.append((file, where(idx), "", ROW_ADDED, ", ".join(bi.loc[idx, values].astype(str))))
    shared = ai.index.intersection(bi.index, sort=False)
    for idx in shared:
        for col in values:
            va, vb = ai.at[idx, col], bi.at[idx, col]
            if not _same(va, vb):
                rows.append((file, where(idx), str(col), str(va), str(vb)))
    return rows


def _normalised_files(record: RunRecord) -> dict[str, Path]:
    """Stored input files by a name that ignores the scenario set's folder name."""
    root = record.case_copy
    out: dict[str, Path] = {}
    if not root.is_dir():
        return out
    for f in sorted(root.rglob("*")):
        if not f.is_file():
            continue
        rel = f.relative_to(root).parts
        if rel[0] == SCENARIOS_SUBDIR and len(rel) > 2:
            name = "/".join((SCENARIOS_SUBDIR, "*", *rel[2:]))
        else:
            name = "/".join(rel)
        out[name] = f
    return out


def _run_settings(record: RunRecord) -> dict[str, object]:
    raw = record.manifest.raw
    solver = raw.get("solver", {})
    flat = {
        "scenario_set": raw.get("scenarios", {}).get("name"),
        "seed": raw.get("seed"),
        "solver": f"{solver.get('name', '')} {solver.get('version', '')}".strip(),
    }
    flat.update({f"solver.{k}": v for k, v in solver.get("options", {}).items()})
    flat.update(data.flatten(raw.get("settings", {}), "settings"))
    return flat


def input_differences(first: RunRecord, other: RunRecord, label: str) -> pd.DataFrame:
    """What differs in the stored inputs of ``other`` against ``first`` (old → new)."""
    rows: list[tuple[str, str, str, str, str]] = []
    a_set, b_set = _run_settings(first), _run_settings(other)
    for key in sorted(set(a_set) | set(b_set)):
        va, vb = a_set.get(key), b_set.get(key)
        if not _same(_show(va), _show(vb)):
            rows.append((RUN_SETTINGS_FILE, key, "", _show(va), _show(vb)))
    fa, fb = _normalised_files(first), _normalised_files(other)
    for name in sorted(set(fa) | set(fb)):
        if name not in fb:
            rows.append((name, "", "", "", FILE_REMOVED))
            continue
        if name not in fa:
            rows.append((name, "", "", "", FILE_ADDED))
            continue
        if fa[name].read_bytes() == fb[name].read_bytes():
            continue
        if name.endswith(".toml"):
            found = diff_settings(fa[name], fb[name], name)
        elif name.endswith(".csv"):
            found = diff_csv(fa[name], fb[name], name)
        else:
            found = [(name, "", "", "", TEXT_CHANGED)]
        if len(found) > MAX_DIFFS_PER_FILE:
            extra = len(found) - MAX_DIFFS_PER_FILE
            found = [*found[:MAX_DIFFS_PER_FILE], (name, MORE, "", "", f"+{extra}")]
        rows += found
    frame = pd.DataFrame(rows, columns=DIFF_COLUMNS[1:])
    frame.insert(0, "run", label)
    return frame
