"""Where ``--paths NAME`` finds its paths: named sources first, then the case's scenario sets.

A source is a function ``(case, request) -> list[Path]``, registered under a name with
:func:`register`. The back-test registers ``history`` (real monthly inflow 2014–2025, the
published MPP vintage at each planning moment as ``Path.forecaster``, the chain's state
in January 2014 as ``Path.initial``) and the named stress paths; their data are theirs,
the option parsing and this hook are the engine's. ``request`` carries ``--from/--to``
(whole calendar years) and the seed. Every other name is a scenario set of the case
(``CASE/scenarios/NAME``): its paths start in the case's first month, with the adaptive
stand-in vintages (``paths.AdaptiveForecaster``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FsPath

import numpy as np

from bekostiging.schema import Case
from bekostiging.simulate.calendar import SimulationInputError
from bekostiging.simulate.paths import Path, paths_from_set


@dataclass(frozen=True)
class PathRequest:
    """What the command line asks of a source: the calendar years and the seed."""

    first_year: int | None = None
    last_year: int | None = None
    seed: int = 0


PathSource = Callable[[Case, PathRequest], list[Path]]
_SOURCES: dict[str, PathSource] = {}


def register(name: str, source: PathSource) -> None:
    """Make ``--paths name`` call ``source`` (a later registration replaces an earlier one)."""
    _SOURCES[name] = source


def registered() -> list[str]:
    _load_plugins()
    return sorted(_SOURCES)


def _load_plugins() -> None:
    """Import the modules that register sources (the back-test's), if they exist."""
    import importlib

    for module in ("bekostiging.simulate.history",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def cut(paths: list[Path], request: PathRequest) -> list[Path]:
    """The paths cut to ``--from/--to`` (whole years; a path must cover them)."""
    if request.first_year is None and request.last_year is None:
        return paths
    out = []
    for p in paths:
        first = f"{request.first_year:04d}-01" if request.first_year is not None else p.start
        last = f"{request.last_year:04d}-12" if request.last_year is not None else p.months[-1]
        out.append(p.window(first, last))
    return out


def load_paths(name: str, case: Case, case_dir: FsPath | None, request: PathRequest) -> list[Path]:
    """The paths of ``--paths name`` (see the module docstring)."""
    _load_plugins()
    if name in _SOURCES:
        return _SOURCES[name](case, request)
    from bekostiging.io.scenarios import load_scenario_set
    from bekostiging.model.data import scenario_inflows

    folders = [case_dir / "scenarios" / name] if case_dir is not None else []
    folder = next((f for f in folders if f.is_dir()), None)
    if folder is None:
        sets = sorted(p.name for p in (case_dir / "scenarios").iterdir() if p.is_dir()) if case_dir else []
        raise SimulationInputError(
            f"--paths {name!r}: no such path source or scenario set; choose from "
            f"{', '.join([*registered(), *sets]) or '(none)'}"
        )
    scenario_set = load_scenario_set(folder, case)
    inflows = scenario_inflows(scenario_set)
    inflow = np.stack([s.inflow_persons for s in inflows])
    housing = None
    if all(s.housing_persons is not None for s in inflows):
        housing = np.stack([s.housing_persons for s in inflows])  # type: ignore[misc]
    paths = paths_from_set(case, list(scenario_set.names), inflow, list(scenario_set.probabilities), housing)
    return cut(paths, request)
