"""Scenario sets as folders of files: read (all problems at once), write, resolve.

A scenario set is a folder ``<name>/`` with three files:

``scenarios.csv``
    ``scenario,probability,description`` — one row per scenario; probabilities
    >= 0 and summing to 1 within :data:`~bekostiging.schema.PROBABILITY_TOLERANCE`.
``inflow.csv``
    ``scenario,period,category,persons`` — long format, one row per scenario x
    period x inflow category, persons >= 0 (persons arriving in that period).
``housing.csv`` (optional)
    ``scenario,period,persons`` — the housing outflow of status holders per
    scenario and period (persons housed by municipalities); without the file every
    scenario has the case's ``series.housing_outflow_persons``.
``provenance.toml``
    ``method``, ``seed``, ``source``, ``created`` (the data vintage, a date),
    ``generator``, ``notes`` — see :class:`~bekostiging.schema.Provenance`.

:func:`load_scenario_set` collects every problem as an
:class:`~bekostiging.errors.InputProblem` (file, row, column, field, found,
allowed) and raises them together as :class:`~bekostiging.errors.InputErrors`.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tomli_w
from pydantic import ValidationError

from bekostiging.errors import InputErrors, InputProblem
from bekostiging.io.csvtext import csv_delimiter, parse_number
from bekostiging.schema import (
    MAX_PERSONS,
    MONTHS_PER_YEAR,
    PROBABILITY_TOLERANCE,
    Case,
    Category,
    Provenance,
    ScenarioInfo,
    ScenarioSet,
)

SCENARIOS_FILE = "scenarios.csv"
INFLOW_FILE = "inflow.csv"
PROVENANCE_FILE = "provenance.toml"
SCENARIOS_COLUMNS = ("scenario", "probability", "description")
INFLOW_COLUMNS = ("scenario", "period", "category", "persons")
HOUSING_FILE = "housing.csv"  # optional: housing outflow per scenario and period
HOUSING_COLUMNS = ("scenario", "period", "persons")
SCENARIO_SETS_DIR = "scenarios"  # scenario sets of a case live in CASE/scenarios/<name>/
FIRST_DATA_LINE = 2  # CSV line of the first data row (the header is line 1)
MAX_LISTED = 6  # most missing items named in one problem line
CLOSE_SET_CUTOFF = 0.6  # difflib similarity needed to suggest a scenario set for a mistyped name
QUARTERS_PER_YEAR = 4

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


# --------------------------------------------------------------------------- periods


def _period_key(label: str) -> tuple[str, int] | None:
    """``("month", n)`` or ``("quarter", n)`` with n counted from year 0, or None."""
    if m := _MONTH_RE.match(label):
        return "month", int(m.group(1)) * MONTHS_PER_YEAR + int(m.group(2)) - 1
    if q := _QUARTER_RE.match(label):
        return "quarter", int(q.group(1)) * QUARTERS_PER_YEAR + int(q.group(2)) - 1
    return None


def _label(kind: str, n: int) -> str:
    if kind == "month":
        return f"{n // MONTHS_PER_YEAR}-{n % MONTHS_PER_YEAR + 1:02d}"
    return f"{n // QUARTERS_PER_YEAR}-Q{n % QUARTERS_PER_YEAR + 1}"


def _contiguous(labels: Sequence[str]) -> list[str]:
    """All periods from the first to the last of ``labels`` (same kind, valid labels)."""
    keys = [k for k in (_period_key(x) for x in labels) if k is not None]
    if not keys:
        return []
    kind = keys[0][0]
    numbers = [n for k, n in keys if k == kind]
    return [_label(kind, n) for n in range(min(numbers), max(numbers) + 1)]


# --------------------------------------------------------------------------- reading


def _read_csv(
    path: Path, columns: Sequence[str], required: Sequence[str], problems: list[InputProblem]
) -> list[tuple[int, dict[str, str]]] | None:
    """Rows as (line number, {column: text}); None (with a problem) if unreadable."""
    name = path.name
    if not path.is_file():
        problems.append(InputProblem(name, "file", "missing", f"a CSV file {name} in the set folder"))
        return None
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            first_line = handle.readline()
            handle.seek(0)
            reader = csv.reader(handle, delimiter=csv_delimiter(first_line))
            header = next(reader, None)
            if header is None:
                problems.append(
                    InputProblem(name, "header", "empty file", f"header {','.join(columns)}", row=1)
                )
                return None
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            unknown = [h for h in header if h not in columns]
            if missing or unknown:
                found = ",".join(header)
                problems.append(
                    InputProblem(
                        name,
                        "header",
                        found,
                        f"columns {','.join(columns)} (required: {','.join(required)})",
                        row=1,
                    )
                )
                return None
            rows: list[tuple[int, dict[str, str]]] = []
            for line, values in enumerate(reader, start=FIRST_DATA_LINE):
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    problems.append(
                        InputProblem(
                            name,
                            "row",
                            f"{len(values)} values",
                            f"{len(header)} values, one per column",
                            row=line,
                        )
                    )
                    continue
                rows.append((line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(InputProblem(name, "file", f"unreadable ({exc})", "a UTF-8 CSV file"))
        return None


def _number(text: str) -> float | None:
    """A finite number; a single decimal comma (Dutch Excel) is read as a point."""
    return parse_number(text)


def _read_scenarios(
    path: Path, problems: list[InputProblem]
) -> tuple[list[tuple[int, ScenarioInfo]], set[str]] | None:
    """Valid scenarios as (line, info), and every name listed (valid or not)."""
    rows = _read_csv(path, SCENARIOS_COLUMNS, ("scenario", "probability"), problems)
    if rows is None:
        return None
    name = path.name
    infos: list[tuple[int, ScenarioInfo]] = []
    seen: dict[str, int] = {}
    sum_ok = True
    for line, row in rows:
        scenario = row["scenario"]
        if not scenario:
            problems.append(
                InputProblem(name, "scenario", "(empty)", "a non-empty name", row=line, column="scenario")
            )
            sum_ok = False
            continue
        if scenario in seen:
            problems.append(
                InputProblem(
                    name,
                    "scenario",
                    scenario,
                    f"unique names (first on row {seen[scenario]})",
                    row=line,
                    column="scenario",
                )
            )
            sum_ok = False
            continue
        seen[scenario] = line
        probability = _number(row["probability"])
        if probability is None or not 0.0 <= probability <= 1.0:
            problems.append(
                InputProblem(
                    name,
                    "probability",
                    row["probability"] or "(empty)",
                    "a number from 0 to 1",
                    row=line,
                    column="probability",
                )
            )
            sum_ok = False
            continue
        info = ScenarioInfo(
            scenario=scenario, probability=probability, description=row.get("description", "")
        )
        infos.append((line, info))
    if not rows:
        problems.append(InputProblem(name, "scenario", "no rows", "at least one scenario"))
        return None
    if sum_ok:
        total = math.fsum(info.probability for _, info in infos)
        if abs(total - 1.0) > PROBABILITY_TOLERANCE:
            problems.append(
                InputProblem(
                    name,
                    "probability",
                    f"sum {total:.12g}",
                    f"probabilities summing to 1 (within {PROBABILITY_TOLERANCE:g})",
                    column="probability",
                )
            )
    return infos, set(seen)


def _read_inflow(
    path: Path,
    scenario_names: set[str] | None,
    expected_periods: Sequence[str] | None,
    problems: list[InputProblem],
) -> tuple[dict[tuple[str, str, Category], float], set[tuple[str, str, Category]], list[str]] | None:
    """Valid values by (scenario, period, category), the keys present, the periods to cover."""
    rows = _read_csv(path, INFLOW_COLUMNS, INFLOW_COLUMNS, problems)
    if rows is None:
        return None
    name = path.name
    allowed_categories = ", ".join(c.value for c in Category)
    values: dict[tuple[str, str, Category], float] = {}
    first_line: dict[tuple[str, str, Category], int] = {}
    labels_seen: list[str] = []
    for line, row in rows:
        ok = True
        scenario, period = row["scenario"], row["period"]
        if scenario_names is not None and scenario not in scenario_names:
            problems.append(
                InputProblem(
                    name,
                    "scenario",
                    scenario or "(empty)",
                    f"a scenario listed in {SCENARIOS_FILE}",
                    row=line,
                    column="scenario",
                )
            )
            ok = False
        if _period_key(period) is None:
            problems.append(
                InputProblem(
                    name, "period", period or "(empty)", "YYYY-MM or YYYY-Qn", row=line, column="period"
                )
            )
            ok = False
        elif expected_periods is not None and period not in expected_periods:
            problems.append(
                InputProblem(
                    name,
                    "period",
                    period,
                    f"a period of the horizon {expected_periods[0]}..{expected_periods[-1]}",
                    row=line,
                    column="period",
                )
            )
            ok = False
        try:
            category: Category | None = Category(row["category"])
        except ValueError:
            problems.append(
                InputProblem(
                    name,
                    "category",
                    row["category"] or "(empty)",
                    f"one of {allowed_categories}",
                    row=line,
                    column="category",
                )
            )
            category, ok = None, False
        persons = _number(row["persons"])
        if persons is None or not 0 <= persons <= MAX_PERSONS:
            problems.append(
                InputProblem(
                    name,
                    "persons",
                    row["persons"] or "(empty)",
                    f"a number >= 0 and <= {MAX_PERSONS:,.0f} (persons arriving in the period)",
                    row=line,
                    column="persons",
                )
            )
            ok = False
        if category is None or (scenario_names is not None and scenario not in scenario_names):
            continue
        key = (scenario, period, category)
        if key in first_line:
            problems.append(
                InputProblem(
                    name,
                    "row",
                    f"{scenario}/{period}/{category.value}",
                    f"each scenario x period x category once (first on row {first_line[key]})",
                    row=line,
                )
            )
            continue
        first_line[key] = line
        labels_seen.append(period)
        if ok and persons is not None:
            values[key] = persons
    periods = list(expected_periods) if expected_periods is not None else _contiguous(labels_seen)
    return values, set(first_line), periods


def _read_housing(
    path: Path, names: list[str], periods: Sequence[str], problems: list[InputProblem]
) -> np.ndarray | None:
    """The optional housing file as an array (scenarios, periods); None when absent or broken."""
    if not path.is_file():
        return None
    rows = _read_csv(path, HOUSING_COLUMNS, HOUSING_COLUMNS, problems)
    if rows is None:
        return None
    index = {n: i for i, n in enumerate(names)}
    slot = {p: i for i, p in enumerate(periods)}
    out = np.full((len(names), len(periods)), np.nan)
    for line, row in rows:
        scenario, period, persons = row["scenario"], row["period"], _number(row["persons"])
        if scenario not in index:
            allowed = f"a scenario listed in {SCENARIOS_FILE}"
            problems.append(
                InputProblem(
                    HOUSING_FILE, "scenario", scenario or "(empty)", allowed, row=line, column="scenario"
                )
            )
        elif period not in slot:
            allowed = f"a period {periods[0]}..{periods[-1]}" if periods else "a period of the set"
            problems.append(
                InputProblem(HOUSING_FILE, "period", period or "(empty)", allowed, row=line, column="period")
            )
        elif persons is None or persons < 0:
            problems.append(
                InputProblem(
                    HOUSING_FILE,
                    "persons",
                    row["persons"] or "(empty)",
                    "a number >= 0 (status holders housed in the period)",
                    row=line,
                    column="persons",
                )
            )
        else:
            out[index[scenario], slot[period]] = persons
    if np.isnan(out).any() and not problems:
        missing = int(np.isnan(out).sum())
        problems.append(
            InputProblem(
                HOUSING_FILE,
                "scenario x period",
                f"{missing} values missing",
                "one row per scenario x period, or no housing file at all",
            )
        )
    return out


def _read_provenance(path: Path, problems: list[InputProblem]) -> Provenance | None:
    name = path.name
    if not path.is_file():
        problems.append(InputProblem(name, "file", "missing", f"a TOML file {name} in the set folder"))
        return None
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(InputProblem(name, "file", f"unreadable ({exc})", "valid TOML"))
        return None
    try:
        return Provenance.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "provenance"
            found = str(err.get("input", "")) if err["type"] != "missing" else "missing"
            problems.append(InputProblem(name, key, found, err["msg"], column=key))
        return None


def _sets_beside(folder: Path) -> str:
    """``; sets in data/nl-2026/scenarios: hist-200, hist-50, mpp (did you mean hist-50?)``.

    The sets next to a set that does not exist, and the closest name, so a mistyped
    name says what there is; empty when the folder above holds no set.
    """
    parent = folder.parent
    try:
        names = sorted(p.name for p in parent.iterdir() if (p / SCENARIOS_FILE).is_file())
    except OSError:
        return ""
    if not names:
        return ""
    close = difflib.get_close_matches(folder.name, names, n=1, cutoff=CLOSE_SET_CUTOFF)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"; sets in {parent}: {', '.join(names)}{hint}"


def load_scenario_set(path: Path | str, case: Case | None = None) -> ScenarioSet:
    """Read a scenario-set folder; raise :class:`InputErrors` listing every problem.

    With ``case``, the set must cover exactly the case's periods; without it, the
    periods from the first to the last one found (no gaps allowed).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise InputErrors(
            [
                InputProblem(
                    str(folder),
                    "scenario set",
                    "no such folder",
                    f"a folder with {SCENARIOS_FILE}, {INFLOW_FILE} and {PROVENANCE_FILE}"
                    + _sets_beside(folder),
                )
            ]
        )
    problems: list[InputProblem] = []
    read = _read_scenarios(folder / SCENARIOS_FILE, problems)
    infos, names = read if read is not None else (None, None)
    expected = case.periods if case is not None else None
    inflow = _read_inflow(folder / INFLOW_FILE, names, expected, problems)
    provenance = _read_provenance(folder / PROVENANCE_FILE, problems)
    if infos is not None and inflow is not None:
        _check_coverage(infos, *inflow, problems)
    if problems or infos is None or inflow is None or provenance is None:
        raise InputErrors(problems)
    values, _, periods = inflow
    housing = _read_housing(folder / HOUSING_FILE, [info.scenario for _, info in infos], periods, problems)
    if problems:
        raise InputErrors(problems)
    categories = tuple(Category)
    array = np.zeros((len(infos), len(periods), len(categories)))
    period_index = {p: i for i, p in enumerate(periods)}
    for scenario_i, (_, info) in enumerate(infos):
        for p in periods:
            for c_i, c in enumerate(categories):
                array[scenario_i, period_index[p], c_i] = values[(info.scenario, p, c)]
    return ScenarioSet(
        name=folder.resolve().name,
        provenance=provenance,
        scenarios=tuple(info for _, info in infos),
        periods=tuple(periods),
        categories=categories,
        inflow_persons=array,
        housing_persons=housing,
    )


def _check_coverage(
    infos: list[tuple[int, ScenarioInfo]],
    values: dict[tuple[str, str, Category], float],
    keys: set[tuple[str, str, Category]],
    periods: list[str],
    problems: list[InputProblem],
) -> None:
    """Every scenario must have every period x category (one problem per scenario)."""
    present: dict[str, set[tuple[str, Category]]] = defaultdict(set)
    for scenario, period, category in keys:
        present[scenario].add((period, category))
    for line, info in infos:
        missing = [
            f"{p}/{c.value}" for p in periods for c in Category if (p, c) not in present[info.scenario]
        ]
        if missing:
            listed = ", ".join(missing[:MAX_LISTED]) + (" …" if len(missing) > MAX_LISTED else "")
            problems.append(
                InputProblem(
                    INFLOW_FILE,
                    "period x category",
                    f"scenario {info.scenario} lacks {len(missing)} rows: {listed}",
                    f"one row per period x category for every scenario "
                    f"({len(periods)} periods x {len(Category)} categories, "
                    f"scenario listed on {SCENARIOS_FILE} row {line})",
                )
            )


# --------------------------------------------------------------------------- writing


def _number_text(value: float) -> str:
    """Shortest exact text: integers without a decimal point, else repr."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def write_scenario_set(scenario_set: ScenarioSet, path: Path | str) -> Path:
    """Write the set as a folder; refuse a folder that exists and is not empty.

    Output is deterministic: the same set gives byte-identical files.
    """
    folder = Path(path)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputErrors(
            [
                InputProblem(
                    str(folder),
                    "output folder",
                    "exists and is not empty",
                    "a new or empty folder (scenario sets are never overwritten)",
                )
            ]
        )
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / SCENARIOS_FILE).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SCENARIOS_COLUMNS)
        for info in scenario_set.scenarios:
            writer.writerow([info.scenario, repr(float(info.probability)), info.description])
    with (folder / INFLOW_FILE).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(INFLOW_COLUMNS)
        for s_i, info in enumerate(scenario_set.scenarios):
            for p_i, period in enumerate(scenario_set.periods):
                for c_i, category in enumerate(scenario_set.categories):
                    value = scenario_set.inflow_persons[s_i, p_i, c_i]
                    writer.writerow([info.scenario, period, category.value, _number_text(value)])
    if scenario_set.housing_persons is not None:
        with (folder / HOUSING_FILE).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(HOUSING_COLUMNS)
            for s_i, info in enumerate(scenario_set.scenarios):
                for p_i, period in enumerate(scenario_set.periods):
                    writer.writerow(
                        [info.scenario, period, _number_text(scenario_set.housing_persons[s_i, p_i])]
                    )
    provenance = scenario_set.provenance.model_dump(exclude_none=True)
    with (folder / PROVENANCE_FILE).open("wb") as handle:
        tomli_w.dump(provenance, handle)
    return folder


# --------------------------------------------------------------------------- resolving


def resolve_scenario_set(case_dir: Path | str, name_or_path: str | Path) -> Path:
    """A bare name resolves to ``case_dir/scenarios/<name>``; anything else is a path.

    A bare name (no path separator) that is a folder of the case wins over a
    folder of the same name in the working directory.
    """
    text = str(name_or_path)
    candidate = Path(case_dir) / SCENARIO_SETS_DIR / text
    is_bare_name = "/" not in text and "\\" not in text and text not in {".", ".."}
    if is_bare_name and (candidate.is_dir() or not Path(text).exists()):
        return candidate
    return Path(text)
