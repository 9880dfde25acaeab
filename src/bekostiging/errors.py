"""Errors that reach the user: input problems (exit 2) and solver failures.

Library code raises these; the CLI turns them into plain lines and an exit code,
never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One problem in one input file, located as precisely as the format allows.

    ``row`` is the 1-based line in a CSV file (header = line 1), the row number in
    an Excel sheet, or ``None`` for settings keys.  ``column`` is the CSV column,
    the Excel cell (``"Settings!C7"``) or the settings key path (``"ind.attrition_per_year"``).
    """

    file: str
    field: str
    found: str
    allowed: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None and self.column != self.field:
            where += f", column {self.column}"
        return f"{where}: {self.field} = {self.found!s} — {self.allowed}"


class InputErrors(Exception):
    """All problems found in an input, raised together after collecting them."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SolverFailure(Exception):
    """The solver could not be run or returned no usable answer (not infeasibility)."""
