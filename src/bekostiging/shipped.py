"""The data that ships inside the package, found with ``importlib.resources``.

The repository keeps it in ``data/`` at its root (the layout of the design card):
the default case ``nl-2026`` with its scenario sets and ``SOURCES.md``, the policy
presets in ``policies/`` and the history dataset in ``history/``. The package reaches
that folder as ``bekostiging/data``: in a source tree (editable install, or
``PYTHONPATH=src``) through the link ``src/bekostiging/data -> ../../data``; in an
sdist or wheel as real files, copied there at build time (``package-data`` in
``pyproject.toml``). Nothing here depends on the working directory or on where the
source tree lies, so ``bekostiging solve`` runs the shipped default case from any folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE = "bekostiging"
DATA_FOLDER = "data"
DEFAULT_CASE_NAME = "nl-2026"
POLICIES_FOLDER = "policies"
HISTORY_FOLDER = "history"


class ShippedDataMissingError(RuntimeError):
    """The installation lacks its shipped data (a broken build or a checkout without the link)."""


def data_root() -> Path:
    """The shipped ``data`` folder of this installation, as a file-system path.

    Installed packages live on the file system (pip unpacks wheels), so the
    resource is a ``Path``; anything else (a zip import) is refused with a message.
    """
    resource = files(PACKAGE) / DATA_FOLDER
    if not isinstance(resource, Path) or not resource.is_dir():
        raise ShippedDataMissingError(
            f"this installation of {PACKAGE} has no shipped data folder ({resource}); "
            "reinstall it from a wheel or sdist, or name a case folder"
        )
    return resource


def shipped_path(*parts: str) -> Path:
    """A file or folder inside the shipped data, e.g. ``shipped_path("policies")``."""
    return data_root().joinpath(*parts)


def default_case_dir() -> Path:
    """The shipped default case (``nl-2026``): settings, tables, ``SOURCES.md``, ``scenarios/``."""
    return shipped_path(DEFAULT_CASE_NAME)


def shipped_policies_dir() -> Path:
    """The shipped policy presets: ``status-quo``, the 2021 letter's five options, ``combinatie``."""
    return shipped_path(POLICIES_FOLDER)


def history_dir() -> Path:
    """The shipped history dataset (``data/history``: inflow, COA, IND, MPP vintages, spending)."""
    return shipped_path(HISTORY_FOLDER)


def is_shipped(folder: Path) -> bool:
    """Whether ``folder`` lies inside this installation's shipped data."""
    try:
        root = data_root().resolve()
    except ShippedDataMissingError:
        return False
    return folder.resolve().is_relative_to(root)
