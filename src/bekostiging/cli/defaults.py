"""What commands use when the user names no case or preset folder: the data shipped in the package.

* ``case_or_default`` — the case folder given, else the shipped default case
  (``bekostiging.shipped``), wherever the command is run from;
* ``case_line`` — the line that says which case a command used (Dutch by default);
* ``policies_option`` — ``--policies DIR``, the preset folder searched first
  (``bekostiging.policies.resolve_policy`` gives the whole order).
"""

from __future__ import annotations

from pathlib import Path

import click

from bekostiging.errors import InputProblem
from bekostiging.shipped import ShippedDataMissingError, default_case_dir, is_shipped

CASE_LINE = {  # (nl, en)
    "label": ("Casus", "Case"),
    "shipped": ("meegeleverde standaardcasus", "the shipped default case"),
    "folder": ("map", "folder"),
}

POLICY_HELP = (
    "Policy preset: a file, or a name looked up in --policies, CASE/policies/, then the shipped presets."
)
policies_option = click.option(
    "--policies",
    "policies_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of policy presets searched first for a preset name; then CASE/policies/, "
    "then the presets shipped with the package.",
)


def case_or_default(case_dir: Path | None) -> Path:
    """``case_dir``, or the shipped default case when none was given; exit 2 when that is missing."""
    if case_dir is not None:
        return case_dir
    try:
        return default_case_dir()
    except ShippedDataMissingError as exc:
        from bekostiging.cli.case import InputProblemsError

        raise InputProblemsError(
            [InputProblem("(shipped data)", "default case", "(missing)", str(exc))]
        ) from exc


def case_line(case_dir: Path, name: str | None = None, lang: str = "nl") -> str:
    """``Casus: nl-2026 — meegeleverde standaardcasus: /…/bekostiging/data/nl-2026`` and the like."""
    i = 0 if lang == "nl" else 1
    kind = CASE_LINE["shipped" if is_shipped(case_dir) else "folder"][i]
    return f"{CASE_LINE['label'][i]}: {name or case_dir.name} — {kind}: {case_dir}"
