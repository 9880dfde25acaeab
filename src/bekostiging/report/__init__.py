"""The memo annex and run comparisons: PDF, HTML, Excel and Markdown from run folders.

Reports read run folders only (``bekostiging.runs.store.read_run``); they never
touch Pyomo. Dutch by default, English on request.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from bekostiging.report.document import build_report
from bekostiging.report.i18n import Lang, check_lang
from bekostiging.report.render import to_html, to_markdown, to_pdf
from bekostiging.report.xlsx import write_report_xlsx
from bekostiging.runs.store import RunRecord

FORMATS = ("pdf", "html", "xlsx", "md")
DEFAULT_FORMATS = ("pdf", "html", "xlsx")
FILE_STEM = {"nl": "bijlage", "en": "annex"}


class ReportError(Exception):
    """A report cannot be written; the message says what to do."""


def report_paths(record: RunRecord, formats: Sequence[str], lang: Lang, out_dir: Path) -> dict[str, Path]:
    return {fmt: out_dir / f"{FILE_STEM[lang]}-{record.run_id}-{lang}.{fmt}" for fmt in formats}


def write_report(
    record: RunRecord,
    formats: Sequence[str] = DEFAULT_FORMATS,
    lang: str = "nl",
    out_dir: Path | None = None,
    overwrite: bool = False,
    options_dir: Path | None = None,
    simulation_dirs: Sequence[Path] = (),
) -> list[Path]:
    """Write the annex of ``record`` in each format; returns the files written.

    Existing files are never replaced unless ``overwrite`` is true; files are
    written to a temporary name first and renamed, so a failure leaves no half file.
    """
    language = check_lang(lang)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if record.failed or record.manifest.status not in ("optimal", "limit"):
        raise ReportError(
            f"run {record.run_id} has no usable plan (status {record.manifest.status}); "
            "there is nothing to report — see its error.txt and solver.log"
        )
    target_dir = out_dir if out_dir is not None else record.path / "report"
    paths = report_paths(record, formats, language, target_dir)
    existing = [p for p in paths.values() if p.exists()]
    if existing and not overwrite:
        raise ReportError(f"{existing[0]} exists; choose another --out folder or pass --overwrite")
    target_dir.mkdir(parents=True, exist_ok=True)
    # the workbook is built from the run's tables; the annex document only for the text formats
    text_formats = any(f != "xlsx" for f in paths)
    doc = build_report(record, language, options_dir, simulation_dirs) if text_formats else None
    written = []
    for fmt, path in paths.items():
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            if fmt == "xlsx":
                write_report_xlsx(record, language, tmp, options_dir=options_dir)
            elif doc is None:
                raise ReportError(f"no annex document for {fmt}")  # unreachable: built above
            elif fmt == "pdf":
                tmp.write_bytes(to_pdf(doc))
            elif fmt == "html":
                tmp.write_text(to_html(doc), encoding="utf-8")
            else:
                tmp.write_text(to_markdown(doc, target_dir, path.stem), encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)  # only still there when writing failed
        written.append(path)
    return written


__all__ = ["DEFAULT_FORMATS", "FORMATS", "ReportError", "build_report", "write_report"]
