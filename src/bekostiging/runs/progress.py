"""A progress display for building and solving: one line, updated in place.

In a terminal the line is redrawn in place (carriage return); elsewhere (a log
file, CI) plain lines are written, one per phase change and at most one per
``plain_interval`` seconds otherwise. ``quiet`` shows nothing but warnings;
``verbose`` also shows every :meth:`Progress.note`. ``lang="nl"`` shows the phases, labels
and amounts in Dutch (``oplossen  0:39  plan € 18.861,1 mln  ondergrens …  marge 0,01%``).

The pipeline calls :meth:`Progress.update` (it is also usable as a plain
callback: ``on_progress=progress.update``)::

    progress.update(phase="solving", incumbent=1.2e9, bound=1.1e9, gap=0.08)
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from enum import IntEnum
from typing import TextIO

PLAIN_INTERVAL_SECONDS = 10.0  # non-terminal output: at most one unchanged-phase line this often
TTY_INTERVAL_SECONDS = 0.1  # terminal redraws: at most ten a second
SECONDS_PER_MINUTE = 60
EUR_MILLION = 1e6


class Verbosity(IntEnum):
    QUIET = 0
    NORMAL = 1
    VERBOSE = 2


def _fmt_elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), SECONDS_PER_MINUTE)
    return f"{minutes:d}:{secs:02d}"


def _fmt_money(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"€{value / EUR_MILLION:,.1f}m"


# The pipeline's phase names (English identifiers) in the user's words; an unknown phase is shown as is.
PHASE_WORDS_NL = {
    "starting": "starten",
    "MPP baseline": "MPP-basisrun",
    "building model": "model bouwen",
    "reduced problem": "verkleind probleem",
    "solving": "oplossen",
    "done": "klaar",
    "value of information": "waarde van informatie",
}
# incumbent, bound, gap
LABELS = {"nl": ("plan", "ondergrens", "marge"), "en": ("incumbent", "bound", "gap")}


class Progress:
    """Progress of one build-and-solve, shown as one line."""

    def __init__(
        self,
        stream: TextIO | None = None,
        verbosity: Verbosity = Verbosity.NORMAL,
        *,
        is_tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        plain_interval: float = PLAIN_INTERVAL_SECONDS,
        lang: str = "en",
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.verbosity = verbosity
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)()) if is_tty is None else is_tty
        self._clock = clock
        self._start = clock()
        self._plain_interval = plain_interval
        self.lang = "nl" if lang == "nl" else "en"
        self._last_emit = -math.inf
        self._last_width = 0
        self.phase = "starting"
        self.incumbent: float | None = None
        self.bound: float | None = None
        self.gap: float | None = None

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    def line(self) -> str:
        """The current progress line (without line ending)."""
        incumbent_word, bound_word, gap_word = LABELS[self.lang]
        if self.lang == "nl":
            from bekostiging.report.i18n import fmt_eur, fmt_percent  # lazy: report imports runs

            phase = PHASE_WORDS_NL.get(self.phase, self.phase)
            money, percent = (lambda v: fmt_eur(v, "nl")), (lambda v: fmt_percent(v, "nl", 2))
        else:
            phase, money, percent = self.phase, _fmt_money, (lambda v: f"{v:.2%}")
        parts = [f"{phase:<10}", _fmt_elapsed(self.elapsed)]
        if self.incumbent is not None or self.bound is not None:
            parts.append(f"{incumbent_word} {money(self.incumbent)}")
            parts.append(f"{bound_word} {money(self.bound)}")
        if self.gap is not None and math.isfinite(self.gap):
            parts.append(f"{gap_word} {percent(self.gap)}")
        return "  ".join(parts)

    def update(
        self,
        phase: str | None = None,
        *,
        incumbent: float | None = None,
        bound: float | None = None,
        gap: float | None = None,
    ) -> None:
        """Record new state and redraw when due. ``None`` keeps the previous value."""
        phase_changed = phase is not None and phase != self.phase
        if phase_changed:
            self.phase = str(phase)
        if incumbent is not None:
            self.incumbent = incumbent
        if bound is not None:
            self.bound = bound
        if gap is not None:
            self.gap = gap
        if self.verbosity == Verbosity.QUIET:
            return
        now = self._clock()
        interval = TTY_INTERVAL_SECONDS if self.is_tty else self._plain_interval
        if phase_changed or now - self._last_emit >= interval:
            self._emit(self.line())
            self._last_emit = now

    __call__ = update

    def note(self, text: str) -> None:
        """A message shown only with ``--verbose`` (on its own line)."""
        if self.verbosity >= Verbosity.VERBOSE:
            self._message(text)

    def warn(self, text: str) -> None:
        """A message shown at every verbosity."""
        self._message(text)

    def close(self, final: str | None = None) -> None:
        """End the in-place line (and print ``final`` unless quiet)."""
        if self.is_tty and self._last_width:
            self.stream.write("\n")
            self._last_width = 0
        if final and self.verbosity > Verbosity.QUIET:
            self.stream.write(final + "\n")
        self.stream.flush()

    def _message(self, text: str) -> None:
        if self.is_tty and self._last_width:
            self.stream.write("\r" + " " * self._last_width + "\r")
            self._last_width = 0
        self.stream.write(text + "\n")
        self.stream.flush()

    def _emit(self, text: str) -> None:
        if self.is_tty:
            pad = max(self._last_width - len(text), 0)
            self.stream.write("\r" + text + " " * pad)
            self._last_width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
