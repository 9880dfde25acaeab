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


MAX_PROBLEMS_PER_FILE = 50  # problem lines shown per file; the rest are counted


def problem_lines(problems: list[InputProblem], limit: int = MAX_PROBLEMS_PER_FILE) -> list[str]:
    """One line per problem, at most ``limit`` per file, then how many more that file has.

    A million bad rows give 50 lines and ``FILE: 999,950 more problems not shown``,
    not a million lines.
    """
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    lines: list[str] = []
    for problem in problems:
        if shown.get(problem.file, 0) < limit:
            shown[problem.file] = shown.get(problem.file, 0) + 1
            lines.append(str(problem))
        else:
            hidden[problem.file] = hidden.get(problem.file, 0) + 1
    for file, count in hidden.items():
        lines.append(f"{file}: {count:,} more problem{'s' if count != 1 else ''} not shown")
    return lines


class InputErrors(Exception):
    """All problems found in an input, raised together after collecting them."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(problem_lines(self.problems)))


class SolverFailure(Exception):
    """The solver could not be run or returned no usable answer (not infeasibility)."""
