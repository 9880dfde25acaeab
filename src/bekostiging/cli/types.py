"""Click option types shared by every command.

``FiniteFloatRange`` is the only float type the commands use: click's own
``FloatRange`` lets ``nan`` through every bound (no comparison with nan is true)
and ``inf`` through an open upper end, which then failed deep inside a solve or
while writing the manifest. Here both are refused at the command line (exit 2).
"""

from __future__ import annotations

import math
from typing import Any

import click


class FiniteFloatRange(click.FloatRange):
    """A float in a range that must also be finite (``nan``, ``inf`` and ``-inf`` refused)."""

    name = "finite float range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number
