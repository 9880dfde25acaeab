"""External programs that some tests need: Chromium, pdftotext, LibreOffice (issue 15).

``require_tool`` returns the program's path when it is installed. When it is not, the test
is skipped locally with a visible reason (``pytest -ra`` lists it), but under ``CI=true`` it
FAILS: CI must never go green without the check having run. ``make test`` installs these
programs as root where it can and stops under ``CI=true`` when it cannot (``Makefile``,
target ``tools``, the same command-to-package table as :data:`TOOLS`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Tool:
    commands: tuple[str, ...]  # names tried in order on the PATH
    package: str  # the Debian package that provides it
    purpose: str  # which tests need it


CHROMIUM = Tool(("chromium", "chromium-browser"), "chromium", "the HTML annex in a headless browser")
PDFTOTEXT = Tool(("pdftotext",), "poppler-utils", "the PDF annex text as a reader sees it")
LIBREOFFICE = Tool(("soffice", "libreoffice"), "libreoffice-calc-nogui", "workbooks saved in Calc")
TOOLS = (CHROMIUM, PDFTOTEXT, LIBREOFFICE)


def in_ci() -> bool:
    """True under ``CI=true`` (any letter case), as CI services set it."""
    return os.environ.get("CI", "").strip().lower() == "true"


def find_tool(tool: Tool) -> str | None:
    for name in tool.commands:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_tool(tool: Tool) -> str:
    """The tool's path; else fail under ``CI=true``, skip (with the reason) anywhere else."""
    found = find_tool(tool)
    if found is not None:
        return found
    reason = (
        f"{tool.commands[0]} is not installed (Debian package {tool.package}; `make test` installs it "
        f"as root): needed for {tool.purpose}"
    )
    if in_ci():
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)
