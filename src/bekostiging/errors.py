"""Errors that reach the user: input problems (exit 2) and solver failures.

Library code raises these; the CLI turns them into plain lines and an exit code,
never a traceback. The lines speak the user's language (:meth:`InputProblem.text`,
:func:`problem_lines` with ``lang``): Dutch by default, English with ``--lang en``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bekostiging.messages import Lang, field_word, line_word, localise


@dataclass(frozen=True)
class InputProblem:
    """One problem in one input file, located as precisely as the format allows.

    ``row`` is the 1-based line in a CSV file (header = line 1), the row number in
    an Excel sheet, the line of the key (or of its table) in a TOML file, or ``None``.
    ``column`` is the CSV column,
    the Excel cell (``"Settings!C7"``) or the settings key path (``"ind.attrition_per_year"``).
    """

    file: str
    field: str
    found: str
    allowed: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: Lang) -> str:
        """The problem as one line in ``lang``: file, row, column, field, found — allowed.

        ``nl``: ``series.csv, rij 3, kolom permit_share: permit_share = 1.5 — een getal ≥ 0 en ≤ 1
        (aandeel)``; file names, keys and columns stay as the file spells them.
        """
        where = self.file
        if self.row is not None:  # a line of a TOML file, a row of a CSV file or sheet
            where += f", {line_word('line' if self.file.endswith('.toml') else 'row', lang)} {self.row}"
        if self.column is not None and self.column != self.field:  # a CSV column or a cell (Settings!C7)
            cell = lang == "nl" and "!" in self.column
            where += f", {line_word('cell' if cell else 'column', lang)} {self.column}"
        found, allowed = localise(str(self.found), lang, found=True), localise(self.allowed, lang)
        return f"{where}: {field_word(self.field, lang)} = {found} — {allowed}"


MAX_PROBLEMS_PER_FILE = 50  # problem lines shown per file; the rest are counted


def problem_lines(
    problems: list[InputProblem], limit: int = MAX_PROBLEMS_PER_FILE, lang: Lang = "en"
) -> list[str]:
    """One line per problem in ``lang``, at most ``limit`` per file, then how many more that file has.

    A million bad rows give 50 lines and ``FILE: 999,950 more problems not shown``
    (``nog 999.950 problemen niet getoond``), not a million lines.
    """
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    lines: list[str] = []
    for problem in problems:
        if shown.get(problem.file, 0) < limit:
            shown[problem.file] = shown.get(problem.file, 0) + 1
            lines.append(problem.text(lang))
        else:
            hidden[problem.file] = hidden.get(problem.file, 0) + 1
    for file, count in hidden.items():
        more = line_word("more" if count != 1 else "more_one", lang).format(count=count_text(count, lang))
        lines.append(f"{file}: {more}")
    return lines


def count_text(count: int, lang: Lang) -> str:
    """A count with the language's thousands separator: ``1.234`` (nl), ``1,234`` (en)."""
    text = f"{count:,}"
    return text.replace(",", ".") if lang == "nl" else text


class InputErrors(Exception):
    """All problems found in an input, raised together after collecting them."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(problem_lines(self.problems)))


class SolverFailure(Exception):
    """The solver could not be run or returned no usable answer (not infeasibility)."""
