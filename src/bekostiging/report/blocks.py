"""The building blocks of a report: headings, paragraphs, tables, images, page breaks.

The annex (``document.py``), the value-of-information section (``analysis.py``) and
the comparison (``compare_out.py``) produce these; the renderers (``render.py``,
``xlsx.py``) only decide how they look. Kept apart so that the producers do not
import each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bekostiging.report.i18n import Lang


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False  # shown prominently (the solver status)
    warning: bool = False  # shown as a warning (not proven optimal, no plan)


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()  # right-align these columns
    small: bool = False
    source: str = ""  # the source line under the table


@dataclass(frozen=True)
class Image:
    title: str
    png: bytes = field(repr=False)
    source: str = ""  # the source line under the figure


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Image | PageBreak


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    lang: Lang
    blocks: tuple[Block, ...]
