"""Render a :class:`~bekostiging.report.document.Document` to HTML, Markdown or PDF.

HTML is one self-contained file (CSS inline, charts as embedded PNG, no
scripts, no external requests). Markdown writes its charts as PNG files beside
it. PDF uses reportlab's platypus on A4.
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

from bekostiging.report.document import Block, Document, Heading, Image, PageBreak, Paragraph, Table

NBSP = "\xa0"
# An amount with its sign and unit ("€ 4,0 mln", "€1.2 million", "2026 € 15,6 mln", "500 fte") is one
# word for line breaking: a narrow cell or a line end never splits "€ / 4,0 mln" (issue 11 §1), nor a
# year from its percentage ("2030 / 94,9%" in the funding per partner and year).
_AMOUNT_SPACE = re.compile(
    r"(?<=€) (?=[-\d])|(?<=\d) (?=(mln|million|fte|FTE|%)\b)|(?<=\b\d{4}) (?=€|-?\d[\d.,]*%)"
)


def keep_amounts_together(text: str) -> str:
    """``text`` with the spaces inside amounts made non-breaking (PDF; HTML keeps td.num on one line)."""
    return _AMOUNT_SPACE.sub(NBSP, text)


HTML_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60rem; margin: 2rem auto; color: #1a1a1a;
       font-size: 11pt; line-height: 1.4; padding: 0 1rem; }
h1 { font-size: 1.6rem; border-bottom: 3px solid #154273; padding-bottom: .3rem; color: #154273; }
h2 { font-size: 1.25rem; color: #154273; margin-top: 1.6rem; }
h3 { font-size: 1.05rem; }
.subtitle { color: #555; }
table { border-collapse: collapse; margin: .5rem 0 1.2rem; }
caption { text-align: left; font-weight: bold; padding: .2rem 0; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; vertical-align: top; }
th { background: #e8eef5; text-align: left; }
td.num { text-align: right; white-space: nowrap; }
table.small { font-size: 9pt; }
p.status { font-weight: bold; padding: .5rem; background: #e9f5e9; border-left: 4px solid #2e7d32; }
p.status.warning { background: #fff4e5; border-left-color: #e65100; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; }
figcaption { font-size: 9pt; color: #555; }
.pagebreak { break-after: page; }
.source { font-size: 8pt; color: #555; margin-top: -.9rem; }
figcaption .source { margin-top: 0; }
"""


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(block.level + 1, 4)  # h1 is the document title
        return f"<h{level}>{html.escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        classes = []
        if block.emphasis:
            classes.append("status")
        if block.warning:
            classes.append("warning")
        cls = f' class="{" ".join(classes)}"' if classes else ""
        return f"<p{cls}>{html.escape(block.text)}</p>"
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in block.header)
        body = []
        for row in block.rows:
            cells = []
            for i, cell in enumerate(row):
                num = block.numeric[i] if i < len(block.numeric) else False
                text = html.escape(cell)  # td.num does not wrap (CSS)
                cells.append(f'<td class="num">{text}</td>' if num else f"<td>{text}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        cls = ' class="small"' if block.small else ""
        source = f'<p class="source">{html.escape(block.source)}</p>' if block.source else ""
        return (
            f"<table{cls}><caption>{html.escape(block.title)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{source}"
        )
    if isinstance(block, Image):
        data = base64.b64encode(block.png).decode("ascii")
        alt = html.escape(block.title)
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
            f"<figcaption>{alt}"
            + (f'<br><span class="source">{html.escape(block.source)}</span>' if block.source else "")
            + "</figcaption></figure>"
        )
    return '<div class="pagebreak"></div>'


def to_html(doc: Document) -> str:
    body = "\n".join(_html_block(b) for b in doc.blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="{doc.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(doc.title)} — {html.escape(doc.subtitle)}</title>\n"
        f"<style>{HTML_CSS}</style>\n</head>\n<body>\n"
        f'<h1>{html.escape(doc.title)}</h1>\n<p class="subtitle">{html.escape(doc.subtitle)}</p>\n'
        f"{body}\n</body>\n</html>\n"
    )


def _md_text(text: str) -> str:
    """Text for Markdown: HTML escaped (``<script>`` in a run name or description stays text)."""
    return html.escape(text, quote=False)


def _md_cell(text: str) -> str:
    return _md_text(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(doc: Document, image_dir: Path, image_prefix: str) -> str:
    """Markdown text; charts are written to ``image_dir`` as ``<prefix>-<n>.png``."""
    lines = [f"# {_md_text(doc.title)}", "", f"_{_md_text(doc.subtitle)}_", ""]
    n = 0
    for block in doc.blocks:
        if isinstance(block, Heading):
            lines += ["#" * min(block.level + 1, 6) + " " + _md_text(block.text), ""]
        elif isinstance(block, Paragraph):
            text = f"**{_md_text(block.text)}**" if block.emphasis else _md_text(block.text)
            lines += [("> ⚠ " if block.warning else "") + text, ""]
        elif isinstance(block, Table):
            lines += [f"**{_md_text(block.title)}**", ""]
            lines.append("| " + " | ".join(_md_cell(h) for h in block.header) + " |")
            aligns = [
                ("---:" if (block.numeric[i] if i < len(block.numeric) else False) else "---")
                for i in range(len(block.header))
            ]
            lines.append("| " + " | ".join(aligns) + " |")
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
            if block.source:
                lines += [f"_{_md_text(block.source)}_", ""]
        elif isinstance(block, Image):
            n += 1
            name = f"{image_prefix}-{n}.png"
            image_dir.mkdir(parents=True, exist_ok=True)
            (image_dir / name).write_bytes(block.png)
            lines += [f"![{_md_cell(block.title)}]({name})", ""]
            lines += [f"_{_md_text(block.title)}. {_md_text(block.source)}_", ""] if block.source else []
    return "\n".join(lines)


# --------------------------------------------------------------------------- PDF

PDF_MARGIN_MM = 18
PDF_IMAGE_WIDTH_MM = 170
PDF_IMAGE_HEADROOM_MM = 25  # room above a full-page figure for a heading
PDF_FONT_SIZE = 9
LONG_TABLE_ROWS = 12  # a table longer than this may start low on a page and split
LONG_TABLE_MIN_ROOM_MM = 40  # ... if at least this much room is left for its title and first rows
PDF_SMALL_FONT_SIZE = 7
MIN_COL_CHARS = 6  # PDF column width shares, in characters of the longest cell
MAX_COL_CHARS = 60
NATURAL_WIDTH_CHARS = 80  # tables narrower than this keep reportlab's natural widths
PDF_BRAND_RGB = (0x15 / 255, 0x42 / 255, 0x73 / 255)  # Rijksoverheid dark blue


def to_pdf(doc: Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import (
        CondPageBreak,
        KeepTogether,
        LongTable,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import (
        Image as RLImage,
    )
    from reportlab.platypus import (
        Paragraph as RLParagraph,
    )
    from reportlab.platypus.flowables import PageBreakIfNotEmpty

    brand = colors.Color(*PDF_BRAND_RGB)
    styles = getSampleStyleSheet()
    base = ParagraphStyle(
        "base", parent=styles["BodyText"], fontSize=PDF_FONT_SIZE, leading=PDF_FONT_SIZE * 1.3
    )
    small = ParagraphStyle(
        "small", parent=base, fontSize=PDF_SMALL_FONT_SIZE, leading=PDF_SMALL_FONT_SIZE * 1.25
    )
    small_right = ParagraphStyle("small_right", parent=small, alignment=2)
    table_title = ParagraphStyle("table_title", parent=base, keepWithNext=1)
    table_title_free = ParagraphStyle("table_title_free", parent=base)
    base_right = ParagraphStyle("base_right", parent=base, alignment=2)
    heads = {
        # keepWithNext: a heading never ends a page alone (seen in the rendered annex)
        1: ParagraphStyle("h1x", parent=styles["Heading1"], textColor=brand, fontSize=14, keepWithNext=1),
        2: ParagraphStyle("h2x", parent=styles["Heading2"], textColor=brand, fontSize=11, keepWithNext=1),
        3: ParagraphStyle("h3x", parent=styles["Heading3"], fontSize=9, keepWithNext=1),
    }
    status_ok = ParagraphStyle(
        "status_ok",
        parent=base,
        backColor=colors.HexColor("#e9f5e9"),
        borderPadding=4,
        fontName="Helvetica-Bold",
    )
    status_warn = ParagraphStyle("status_warn", parent=status_ok, backColor=colors.HexColor("#fff4e5"))
    source_style = ParagraphStyle("source", parent=small, textColor=colors.HexColor("#555555"))

    def esc(text: str) -> str:
        return html.escape(keep_amounts_together(text), quote=False)

    story: list[object] = [
        RLParagraph(esc(doc.title), styles["Title"]),
        RLParagraph(esc(doc.subtitle), base),
        Spacer(1, 4 * mm),
    ]
    width = A4[0] - 2 * PDF_MARGIN_MM * mm
    for block in doc.blocks:
        if isinstance(block, Heading):
            story.append(RLParagraph(esc(block.text), heads.get(block.level, heads[3])))
        elif isinstance(block, Paragraph):
            style = (status_warn if block.warning else status_ok) if block.emphasis else base
            story += [RLParagraph(esc(block.text), style), Spacer(1, 2 * mm)]
        elif isinstance(block, Table):
            cell_style = small if block.small else base
            right_style = small_right if block.small else base_right
            rows = [[RLParagraph(f"<b>{esc(h)}</b>", cell_style) for h in block.header]]
            for row in block.rows:
                rows.append(
                    [
                        RLParagraph(
                            esc(c),
                            right_style if (i < len(block.numeric) and block.numeric[i]) else cell_style,
                        )
                        for i, c in enumerate(row)
                    ]
                )
            table = LongTable(rows, repeatRows=1, hAlign="LEFT", colWidths=_col_widths(block, width))
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("TOPPADDING", (0, 0), (-1, -1), 1),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                    ]
                )
            )
            if block.title:
                # a long table starts under its title on the same page and splits (repeating its
                # header); kept whole with its title it left most of a page empty (seen on page 3)
                long = len(block.rows) > LONG_TABLE_ROWS
                if long:
                    story.append(CondPageBreak(LONG_TABLE_MIN_ROOM_MM * mm))
                story.append(
                    RLParagraph(f"<b>{esc(block.title)}</b>", table_title_free if long else table_title)
                )
            story.append(table)
            if block.source:
                story.append(RLParagraph(esc(block.source), source_style))
            story.append(Spacer(1, 3 * mm))
        elif isinstance(block, Image):
            reader = ImageReader(io.BytesIO(block.png))
            w_px, h_px = reader.getSize()
            img_w = min(PDF_IMAGE_WIDTH_MM * mm, width)
            max_h = A4[1] - 2 * PDF_MARGIN_MM * mm - PDF_IMAGE_HEADROOM_MM * mm
            if img_w * h_px / w_px > max_h:  # a tall figure: fit the page height
                img_w = max_h * w_px / h_px
            img = RLImage(io.BytesIO(block.png), width=img_w, height=img_w * h_px / w_px)
            caption = [RLParagraph(f"<b>{esc(block.title)}</b>", small)]
            if block.source:
                caption.append(RLParagraph(esc(block.source), source_style))
            story.append(KeepTogether([img, *caption, Spacer(1, 3 * mm)]))
        elif isinstance(block, PageBreak):
            while story and isinstance(story[-1], Spacer):  # a spacer spilling over made a blank page
                story.pop()
            story.append(PageBreakIfNotEmpty())

    footer = f"{doc.title} — {doc.subtitle}"

    def on_page(canvas: object, document: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", PDF_SMALL_FONT_SIZE)  # type: ignore[attr-defined]
        canvas.drawString(PDF_MARGIN_MM * mm, 10 * mm, footer)  # type: ignore[attr-defined]
        canvas.drawRightString(A4[0] - PDF_MARGIN_MM * mm, 10 * mm, str(document.page))  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    buf = io.BytesIO()
    pdf = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=PDF_MARGIN_MM * mm,
        rightMargin=PDF_MARGIN_MM * mm,
        topMargin=PDF_MARGIN_MM * mm,
        bottomMargin=PDF_MARGIN_MM * mm,
        title=doc.title,
        subject=doc.subtitle,
        lang=doc.lang,
    )
    pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


CHAR_WIDTH_PT = {False: PDF_FONT_SIZE * 0.6, True: PDF_SMALL_FONT_SIZE * 0.6}  # Helvetica, generous
CELL_PADDING_PT = 14  # reportlab's 6 pt left and right, and a margin
MAX_NUMBER_CHARS = 24  # a numeric cell up to this long is one amount (longer: a list, may wrap)


def _col_widths(block: Table, width: float) -> list[float] | None:
    """Share the page width by the longest text per column (bounded), so long texts wrap.

    A numeric column is never narrower than its longest cell and a text column never
    narrower than its longest word: no number or word is split across lines.
    """
    n = len(block.header)
    if n == 0:
        return None
    cells = [[block.header[i]] + [r[i] for r in block.rows if i < len(r)] for i in range(n)]
    longest = [max(len(c) for c in col) for col in cells]
    if sum(longest) < NATURAL_WIDTH_CHARS:  # narrow table: natural widths
        return None
    char = CHAR_WIDTH_PT[block.small]
    minimum = []
    for i, col in enumerate(cells):
        numeric = block.numeric[i] if i < len(block.numeric) else False
        body = col[1:] or [""]
        words = [len(word) for c in col for word in c.split()] or [0]
        whole = [len(c) for c in body if len(c) <= MAX_NUMBER_CHARS]  # one amount: kept on one line
        need = max(*whole, *words) if numeric and whole else max(words)
        minimum.append(need * char + CELL_PADDING_PT)
    bounded = [min(max(v, MIN_COL_CHARS), MAX_COL_CHARS) for v in longest]
    total = sum(bounded)
    shares = [width * v / total for v in bounded]
    if sum(minimum) >= width:  # every column at its minimum, scaled to the page
        return [width * m / sum(minimum) for m in minimum]
    # raise the columns below their minimum, take the room from the others in proportion
    widths = [max(s_, m) for s_, m in zip(shares, minimum, strict=True)]
    excess = sum(widths) - width
    if excess > 0:
        slack = [wd - m for wd, m in zip(widths, minimum, strict=True)]
        total_slack = sum(slack)
        widths = [wd - excess * sl / total_slack for wd, sl in zip(widths, slack, strict=True)]
    return widths
