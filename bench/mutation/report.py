"""Mutation score per file and the surviving mutants, from mutmut's results in ``mutants/`` (``make mutate``).

Run from the repository root after ``mutmut run`` (arguments: ``mutants`` folders to merge, for runs
split over copies of the tree; default ``mutants/``). Writes ``bench/mutation/score.md`` (per file:
mutants, killed, survived, no tests, not checked, score) and ``bench/mutation/survivors.md`` (each
survivor with its diff). Survivors judged equivalent (no test can tell them apart from the code)
are listed by hand in ``bench/mutation/equivalent.toml`` with the reason; they are shown as such and
the score is given with and without them.

Score = (killed + timeout) / (mutants checked), as mutmut counts it; "no tests" (no selected test
reaches the function) counts against the score, "not checked" (the run did not get to it) is left out
and reported.

``--sample FILE`` (e.g. ``bench/mutation/sample.txt``, a fixed stratified random sample of the
mutant names, one a line) counts only the mutants named there: the score of a run over the sample
(``make mutate MUTATE="$(cat bench/mutation/sample.txt)"``), with a 95 % Wilson interval for the
score of all mutants.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
OUT = ROOT / "bench" / "mutation"
EQUIVALENT = OUT / "equivalent.toml"
KILLED = {1, 3, 36, 24, -24, 152, 255, 37}  # killed, pytest internal error (a kill), timeouts, type check
SURVIVED = {0}
NO_TESTS = {5, 33}
SKIPPED = {34}
PERCENT = 100.0
Z95 = 1.959964  # two-sided 95 % normal quantile


def _wilson(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k / n (in %)."""
    if n == 0:
        return float("nan"), float("nan")
    p, z2 = k / n, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return PERCENT * (centre - half), PERCENT * (centre + half)


def _status(code: int | None) -> str:
    if code is None:
        return "not checked"
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    if code in SKIPPED:
        return "skipped"
    return "suspicious"


def _equivalent() -> dict[str, str]:
    if not EQUIVALENT.is_file():
        return {}
    return {k: str(v) for k, v in tomllib.loads(EQUIVALENT.read_text(encoding="utf-8")).items()}


def _diff(name: str, source: Path) -> str:
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        return get_diff_for_mutant(name, path=source)
    except Exception as exc:  # the diff is a courtesy; the name is the record
        return f"(no diff: {exc})"


def _metas(folders: list[Path]) -> list[tuple[Path, Path]]:
    """(mutants folder, meta file) per source file; where several folders hold the same file
    (runs split over copies of the tree), the one with the most mutants checked."""
    best: dict[Path, tuple[int, Path, Path]] = {}
    for folder in folders:
        for meta in folder.rglob("*.py.meta"):
            codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
            checked = sum(c is not None for c in codes.values())
            rel = meta.relative_to(folder)
            if rel not in best or checked > best[rel][0]:
                best[rel] = (checked, folder, meta)
    return [(folder, meta) for _, (_, folder, meta) in sorted(best.items())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, help="mutants/ folders (default: mutants/)")
    parser.add_argument("--sample", type=Path, help="count only the mutant names in this file")
    parser.add_argument(
        "--note", type=Path, help="a Markdown file shown under the heading (how the run was made)"
    )
    args = parser.parse_args()
    folders = [f.resolve() for f in args.folders] or [MUTANTS]
    sample = set(args.sample.read_text(encoding="utf-8").split()) if args.sample else None
    metas = _metas(folders)
    if not metas:
        print("no mutmut results in mutants/: run `make mutate` first", file=sys.stderr)
        return 1
    equivalent = _equivalent()
    rows, survivors = [], []
    totals: Counter[str] = Counter()
    for folder, meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if sample is not None:
            codes = {n: c for n, c in codes.items() if n in sample}
        source = meta.with_suffix("")  # mutants/src/.../x.py
        rel = source.relative_to(folder)
        count = Counter(_status(c) for c in codes.values())
        eq = [n for n, c in codes.items() if _status(c) == "survived" and n in equivalent]
        checked = sum(v for k, v in count.items() if k not in ("not checked", "skipped"))
        if checked == 0 and count["not checked"] == 0:
            continue
        score = PERCENT * count["killed"] / checked if checked else float("nan")
        score_eq = PERCENT * (count["killed"] + len(eq)) / checked if checked else float("nan")
        rows.append((str(rel), len(codes), count, len(eq), checked, score, score_eq))
        totals.update(count)
        totals["equivalent"] += len(eq)
        totals["mutants"] += len(codes)
        for name, code in sorted(codes.items()):
            if _status(code) == "survived":
                survivors.append((str(rel), name, equivalent.get(name), source))
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    scope = (
        f"the {sum(r[1] for r in rows)} mutants of the sample `{args.sample}`"
        if sample is not None
        else "all mutants"
    )
    head = [
        "# Mutation score (mutmut)",
        "",
        f"Written by `bench/mutation/report.py` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC at commit "
        f"{commit.stdout.strip() or '?'} from the results in "
        f"{', '.join(f'`{f}`' for f in folders)}, over {scope}. Score = killed / checked; "
        "'with equivalents' also counts the survivors judged equivalent in `equivalent.toml`.",
        "",
        *([args.note.read_text(encoding="utf-8").strip(), ""] if args.note else []),
        "| file | mutants | killed | survived | equivalent | no tests | not checked | score "
        "| with equivalents |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines = [
        f"| `{f}` | {n} | {c['killed']} | {c['survived']} | {e} | {c['no tests']} | {c['not checked']} | "
        f"{s:.1f} % | {se:.1f} % |"
        for f, n, c, e, _checked, s, se in rows
    ]
    checked = sum(r[4] for r in rows)
    if checked:
        lines.append(
            f"| **all** | {totals['mutants']} | {totals['killed']} | {totals['survived']} | "
            f"{totals['equivalent']} | {totals['no tests']} | {totals['not checked']} | "
            f"{PERCENT * totals['killed'] / checked:.1f} % | "
            f"{PERCENT * (totals['killed'] + totals['equivalent']) / checked:.1f} % |"
        )
        if sample is not None:
            lo, hi = _wilson(totals["killed"] + totals["equivalent"], checked)
            lines += [
                "",
                f"95 % interval (Wilson) for the score with equivalents of all mutants, from this random "
                f"sample: {lo:.1f} % to {hi:.1f} %.",
            ]
    (OUT / "score.md").write_text("\n".join(head + lines) + "\n", encoding="utf-8")
    body = ["# Surviving mutants", "", "Each survivor with its diff; equivalent ones with the reason.", ""]
    for rel, name, reason, source in survivors:
        body += [f"## `{name}` ({rel})", ""]
        if reason:
            body += [f"Equivalent: {reason}", ""]
        body += ["```diff", _diff(name, source).rstrip(), "```", ""]
    (OUT / "survivors.md").write_text("\n".join(body), encoding="utf-8")
    print("\n".join(head[-2:] + lines))
    print(f"wrote {OUT / 'score.md'} and {OUT / 'survivors.md'} ({len(survivors)} survivors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
