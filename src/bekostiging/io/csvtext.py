"""CSV text as Excel writes it in a Dutch locale: one reading rule for every CSV file.

Excel with Dutch regional settings saves CSV with ``;`` between cells and a decimal
comma (``0,6``). Case tables (``bekostiging.io.case``) and scenario sets
(``bekostiging.io.scenarios``) both read through these functions, so the two accept
exactly the same files.
"""

from __future__ import annotations

import math

SEMICOLON = ";"  # CSV delimiter of Excel in a Dutch locale; accepted on reading
COMMA = ","
DECIMAL_COMMA = ","  # decimal separator of a Dutch locale ("0,25"); accepted on reading
DECIMAL_POINT = "."


def csv_delimiter(first_line: str) -> str:
    """``;`` for a file saved by a Dutch-locale Excel (no comma in the header), else ``,``."""
    return SEMICOLON if SEMICOLON in first_line and COMMA not in first_line else COMMA


def decimal_point(text: str) -> str:
    """A number's text with a single decimal comma (``0,6``) read as a point (``0.6``).

    Text with a point, or with more than one comma, is left as it is (and fails as a
    number where a number is needed): ``1,000,000`` is not silently 1.
    """
    if text.count(DECIMAL_COMMA) == 1 and DECIMAL_POINT not in text:
        return text.replace(DECIMAL_COMMA, DECIMAL_POINT)
    return text


def parse_number(text: str) -> float | None:
    """A finite number (decimal comma accepted), or ``None``."""
    try:
        value = float(decimal_point(text))
    except ValueError:
        return None
    return value if math.isfinite(value) else None
