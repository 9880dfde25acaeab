"""Months as numbers (``"2026-04"`` <-> consecutive integers) and the simulation's input error."""

from __future__ import annotations

from bekostiging.schema import MONTHS_PER_YEAR


class SimulationInputError(ValueError):
    """A simulation input the engine cannot use (the CLI turns it into exit 2)."""


def month_index(label: str) -> int:
    """``"2026-04"`` -> 2026 * 12 + 3: months as consecutive integers."""
    try:
        year, month = int(label[:4]), int(label[5:7])
    except ValueError as exc:
        raise SimulationInputError(f"not a month label (YYYY-MM): {label!r}") from exc
    if len(label) != 7 or label[4] != "-" or not 1 <= month <= MONTHS_PER_YEAR:
        raise SimulationInputError(f"not a month label (YYYY-MM): {label!r}")
    return year * MONTHS_PER_YEAR + month - 1


def month_label(index: int) -> str:
    """The inverse of :func:`month_index`."""
    return f"{index // MONTHS_PER_YEAR:04d}-{index % MONTHS_PER_YEAR + 1:02d}"


def months_between(start: str, end: str) -> list[str]:
    """Month labels from ``start`` up to, not including, ``end``."""
    return [month_label(i) for i in range(month_index(start), month_index(end))]
