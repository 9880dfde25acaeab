"""Text cells that a spreadsheet must never run as a formula, and back.

Text from inputs (descriptions, sources, notes, names) can start with ``=``,
``+``, ``-`` or ``@``; Excel and LibreOffice would read such a cell, once edited,
as a formula (OWASP "CSV injection").  :func:`neutralise` prefixes it with an
apostrophe, so it stays text; :func:`restore` removes that apostrophe when a
workbook is read back (``case import``).  Text that itself starts with an
apostrophe gets one more, so ``restore(neutralise(t)) == t`` for every text.
Every workbook the tool writes (reports, ``case export``) goes through here.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV/formula injection prefixes
QUOTE = "'"


def neutralise(text: str) -> str:
    """Text that a spreadsheet would read as a formula, made inert (prefixed with an apostrophe)."""
    return QUOTE + text if text.startswith((*FORMULA_TRIGGERS, QUOTE)) else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given: one added apostrophe removed."""
    if text.startswith(QUOTE) and text[1:].startswith((*FORMULA_TRIGGERS, QUOTE)):
        return text[1:]
    return text


__all__ = ["FORMULA_TRIGGERS", "neutralise", "restore"]
