"""``bekostiging init [DIR]``: start a case of one's own from the shipped default case.

Copies the default case (settings, tables, ``SOURCES.md``, every scenario set) and the
shipped policy presets (into ``DIR/policies/``, where preset names are looked up
before the shipped ones) and writes a short README in Dutch: what to edit and how to
validate it. DIR must be new or empty (exit 2 otherwise), so nothing is ever overwritten.
"""

from __future__ import annotations

import shutil
import string
from importlib.resources import files
from pathlib import Path

import click

from bekostiging import __version__
from bekostiging.cli import main
from bekostiging.cli.defaults import case_or_default
from bekostiging.cli.lang import LANG_DEFAULT_SHOWN
from bekostiging.messages import env_lang
from bekostiging.shipped import POLICIES_FOLDER, shipped_policies_dir

INIT_REFUSED_EXIT = 2
README_NAME = "README.md"
README_TEMPLATE = "init_readme.md"  # beside this module; $name, $source, $version, $dir
SKIPPED = shutil.ignore_patterns("__pycache__", ".*")
MESSAGES = {  # (nl, en)
    "refused": (
        "{dir} bestaat al en is geen lege map; kies een nieuwe of lege map voor de casus",
        "{dir} exists and is not an empty folder; choose a new or empty folder for the case",
    ),
    "done": (
        "Nieuwe casus in {dir}: kopie van de meegeleverde standaardcasus {source} "
        "(case.toml, tabellen, SOURCES.md, scenariosets {sets}) en de beleidspresets in {policies}/.",
        "New case in {dir}: a copy of the shipped default case {source} "
        "(case.toml, tables, SOURCES.md, scenario sets {sets}) and the policy presets in {policies}/.",
    ),
    "next": (
        "Lees {readme}: wat u aanpast en hoe u het controleert. Controleer met: bekostiging validate {dir}",
        "Read {readme} (in Dutch): what to edit and how to check it. Check with: bekostiging validate {dir}",
    ),
}


class InitRefusedError(click.ClickException):
    """DIR exists and is not an empty folder: exit 2, nothing written."""

    exit_code = INIT_REFUSED_EXIT


def _message(key: str, lang: str, **values: object) -> str:
    nl, en = MESSAGES[key]
    return (nl if lang == "nl" else en).format(**values)


def readme_text(name: str, source: str, folder: Path) -> str:
    """The Dutch README of a new case folder."""
    template = files("bekostiging.cli").joinpath(README_TEMPLATE).read_text(encoding="utf-8")
    return string.Template(template).substitute(
        name=name, source=source, version=__version__, dir=folder.as_posix()
    )


def init_case(target: Path) -> list[str]:
    """Copy the shipped default case and presets into ``target`` (new or empty); the scenario sets copied.

    Files are copied without their permission bits (``copyfile``), so the copy is
    writable even when the installation is not.
    """
    source = case_or_default(None)
    shutil.copytree(source, target, ignore=SKIPPED, copy_function=shutil.copyfile, dirs_exist_ok=True)
    shutil.copytree(
        shipped_policies_dir(),
        target / POLICIES_FOLDER,
        ignore=SKIPPED,
        copy_function=shutil.copyfile,
        dirs_exist_ok=True,
    )
    scenarios = target / "scenarios"
    return sorted(p.name for p in scenarios.iterdir() if p.is_dir()) if scenarios.is_dir() else []


@main.command("init")
@click.argument("target", metavar="[DIR]", default=".", type=click.Path(path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default=env_lang,
    show_default=LANG_DEFAULT_SHOWN,
    help="Message language.",
)
def init_cmd(target: Path, lang: str) -> None:
    """Start a case of your own in DIR (default: this folder), which must be new or empty.

    Copies the default case shipped with the package (case.toml, the CSV tables,
    SOURCES.md and its scenario sets) and the shipped policy presets (into
    DIR/policies/), and writes DIR/README.md (in Dutch): what to edit and how to
    check it with `bekostiging validate DIR`. Exit 2, with nothing written, when DIR
    exists and is not an empty folder.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitRefusedError(_message("refused", lang, dir=target))
    source = case_or_default(None)
    sets = init_case(target)
    readme = target / README_NAME
    readme.write_text(readme_text(target.resolve().name, source.name, target), encoding="utf-8")
    listed = ", ".join(sets) or "-"
    click.echo(_message("done", lang, dir=target, source=source.name, sets=listed, policies=POLICIES_FOLDER))
    click.echo(_message("next", lang, readme=readme, dir=target))
