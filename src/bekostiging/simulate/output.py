"""What a simulation writes: tidy tables, the yearly summary, the comparison, charts, manifest.

* ``simulation.csv`` — policy, path, month, metric, value: every month's chain metrics and,
  at ``YYYY-12``, the year's money on the ledger (``cash_eur``, ``budget_eur``,
  ``reserve_draw_eur``, ``supplementary_eur``, …; EUR at the case's price year);
* ``summary.csv`` — per policy, year (and ``totaal`` over the years) and indicator: the mean
  and P90 over the paths (probability-weighted);
* ``comparison.csv`` — the headline comparison of the options by simulation: per policy
  the mean and P90 over paths of cash, supplementary funding, late case-months,
  emergency place-months and the IND backlog at the end, each against status-quo
  (:func:`comparison_table`, also used by ``options`` and the annex);
* ``decisions.csv`` — what each policy decided at each planning moment on each path;
* ``simulation.png`` — mean per year per policy (P90 dashed);
* ``manifest.json`` — inputs' sha256, seeds, versions, options, timings.

The folder is written next to its final name and renamed into place when complete, and an
existing folder is never written into.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path as FsPath

import numpy as np
import pandas as pd

from bekostiging.report.i18n import DEFAULT_LANG, Lang

TOTAL_YEAR = "totaal"
STATUS_QUO = "status-quo"
P90 = 0.9
# indicator -> (how a year is made from months, Dutch label, English label, unit scale, unit)
INDICATORS: dict[str, tuple[str, str, str, float, str]] = {
    "cash_eur": ("year", "kasuitgaven", "cash spending", 1e6, "€ mln"),
    "budget_eur": ("year", "begroting", "budget", 1e6, "€ mln"),
    "supplementary_eur": ("year", "aanvullende financiering", "supplementary funding", 1e6, "€ mln"),
    "reserve_draw_eur": ("year", "onttrekking asielreserve", "drawn from the asielreserve", 1e6, "€ mln"),
    "deposit_eur": ("year", "storting asielreserve", "deposit into the asielreserve", 1e6, "€ mln"),
    "reserve_balance_eur": ("end", "stand asielreserve", "asielreserve balance", 1e6, "€ mln"),
    "late_cases": ("sum", "te late zaken", "late cases", 1.0, "zaakmaanden"),
    "emergency_places": ("sum", "noodopvang", "emergency place-months", 1.0, "plaatsmaanden"),
    "ind_decisions": ("sum", "IND-beslissingen", "IND decisions", 1.0, "personen"),
    "inflow_persons": ("sum", "instroom", "inflow", 1.0, "personen"),
    "ind_backlog": ("end", "IND-voorraad eind jaar", "IND backlog at year end", 1.0, "personen"),
    "occupancy": ("end", "COA-bezetting eind jaar", "COA occupancy at year end", 1.0, "personen"),
    "regular_places": ("end", "reguliere plaatsen eind jaar", "regular places at year end", 1.0, "plaatsen"),
}
PALETTE = ("C0", "C1", "C2", "C3", "C4", "C5", "C6", "C8", "C9")  # matplotlib's cycle without its grey
COMPARED = ("cash_eur", "supplementary_eur", "late_cases", "emergency_places", "ind_backlog")


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative weight reaches ``q`` (the P90 of ``analytics.stats``)."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    return float(v[np.searchsorted(cum, q - 1e-12)])


def yearly(tidy: pd.DataFrame) -> pd.DataFrame:
    """policy, path, year, indicator, value: each indicator per year (flows summed, stocks at
    December, money from the ledger) and over all years (``totaal``: flows summed, stocks at
    the end)."""
    rows = []
    frame = tidy.assign(year=tidy["month"].str[:4])
    for name, (how, *_rest) in INDICATORS.items():
        part = frame[frame["metric"] == name]
        if part.empty:
            continue
        if how == "end":
            last = part.sort_values("month").groupby(["policy", "path", "year"], sort=False).tail(1)
            per_year = last[["policy", "path", "year", "value"]]
            total = part.sort_values("month").groupby(["policy", "path"], sort=False).tail(1)
        else:
            per_year = part.groupby(["policy", "path", "year"], as_index=False, sort=False)["value"].sum()
            total = part.groupby(["policy", "path"], as_index=False, sort=False)["value"].sum()
        rows.append(per_year.assign(indicator=name))
        rows.append(
            total.assign(year=TOTAL_YEAR, indicator=name)[["policy", "path", "year", "value", "indicator"]]
        )
    out = pd.concat(rows, ignore_index=True)
    return out[["policy", "path", "year", "indicator", "value"]]


def summary_table(tidy: pd.DataFrame, probabilities: Mapping[str, float]) -> pd.DataFrame:
    """policy, year, indicator, mean, p90, paths: over the paths, probability-weighted."""
    per = yearly(tidy)
    rows = []
    for (policy, year, indicator), g in per.groupby(["policy", "year", "indicator"], sort=False):
        w = g["path"].map(lambda p: probabilities.get(p, 1.0)).to_numpy(dtype=float)
        v = g["value"].to_numpy(dtype=float)
        rows.append(
            {
                "policy": policy,
                "year": year,
                "indicator": indicator,
                "mean": float(np.average(v, weights=w)),
                "p90": weighted_quantile(v, w, P90),
                "paths": len(g),
            }
        )
    return pd.DataFrame(rows)


def comparison_table(summary: pd.DataFrame, reference: str = STATUS_QUO) -> pd.DataFrame:
    """The options compared by simulation over all years: per policy and indicator the mean and
    P90 over paths and their difference with ``reference`` (policy − reference; empty when the
    reference was not simulated). Sorted on mean cash."""
    total = summary[(summary["year"] == TOTAL_YEAR) & summary["indicator"].isin(COMPARED)]
    wide = total.pivot_table(index="policy", columns="indicator", values=["mean", "p90"], sort=False)
    wide.columns = [f"{ind}_{stat}" for stat, ind in wide.columns]
    wide = wide.reset_index()
    if reference in set(wide["policy"]):
        ref = wide[wide["policy"] == reference].iloc[0]
        for ind in COMPARED:
            for stat in ("mean", "p90"):
                col = f"{ind}_{stat}"
                if col in wide.columns:
                    wide[f"{col}_vs_{reference}"] = wide[col] - ref[col]
    if "cash_eur_mean" in wide.columns:
        wide = wide.sort_values("cash_eur_mean", kind="stable")
    return wide.reset_index(drop=True)


def comparison_lines(comparison: pd.DataFrame, lang: Lang = DEFAULT_LANG) -> list[str]:
    """The comparison in words, one line per policy (Dutch number formats by default)."""
    from bekostiging.report.i18n import fmt_number

    lines = []
    for _, r in comparison.iterrows():
        cash = fmt_number(r.get("cash_eur_mean", float("nan")) / 1e6, lang, 1)
        p90 = fmt_number(r.get("cash_eur_p90", float("nan")) / 1e6, lang, 1)
        late = fmt_number(r.get("late_cases_mean", float("nan")), lang)
        em = fmt_number(r.get("emergency_places_mean", float("nan")), lang)
        sup = fmt_number(r.get("supplementary_eur_mean", float("nan")) / 1e6, lang, 1)
        if lang == "nl":
            lines.append(
                f"{r['policy']}: kasuitgaven gemiddeld € {cash} mln (P90 € {p90} mln), aanvullende "
                f"financiering € {sup} mln, te late zaakmaanden {late}, noodopvang {em} plaatsmaanden"
            )
        else:
            lines.append(
                f"{r['policy']}: cash spending mean € {cash} mln (P90 € {p90} mln), supplementary "
                f"funding € {sup} mln, late case-months {late}, emergency {em} place-months"
            )
    return lines


def chart(summary: pd.DataFrame, title: str, lang: Lang = DEFAULT_LANG) -> bytes:
    """Four panels: cash, late case-months, emergency place-months, IND backlog per year;
    per policy the mean (solid) and P90 (dashed) over paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bekostiging.report.i18n import fmt_number

    panels = ("cash_eur", "late_cases", "emergency_places", "ind_backlog")
    fig, axes = plt.subplots(2, 2, figsize=(8.27, 6.5), layout="constrained")
    per_year = summary[summary["year"] != TOTAL_YEAR]
    others = [p for p in dict.fromkeys(summary["policy"]) if p != STATUS_QUO]
    colours = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(others)} | {STATUS_QUO: "grey"}
    for ax, ind in zip(axes.flat, panels, strict=True):
        how, nl, en, scale, unit = INDICATORS[ind]
        part = per_year[per_year["indicator"] == ind]
        for policy, group in part.groupby("policy", sort=False):
            g = group.sort_values("year")
            years = g["year"].astype(int)
            colour = colours[policy]
            ax.plot(
                years, g["mean"] / scale, color=colour, label=policy, linewidth=1.6, marker="o", markersize=3
            )
            ax.plot(years, g["p90"] / scale, color=colour, linestyle="--", linewidth=0.8, marker=".")
        ax.set_title(f"{nl if lang == 'nl' else en} ({unit if lang == 'nl' else _en_unit(unit)})", fontsize=9)
        low, high = ax.get_ylim()
        digits = 1 if high - low < 10 else 0
        ax.yaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(lambda v, _p, d=digits: fmt_number(v, lang, d))
        )
        if not part.empty and part["year"].nunique() == 1:
            only = int(part["year"].iloc[0])
            ax.set_xlim(only - 1, only + 1)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
        del how
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(4, max(1, len(labels))), fontsize=7)
    fig.suptitle(title, fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    return buf.getvalue()


def _en_unit(unit: str) -> str:
    return {
        "zaakmaanden": "case-months",
        "plaatsmaanden": "place-months",
        "personen": "persons",
        "plaatsen": "places",
    }.get(unit, unit)


def write_folder(target: FsPath, files: Mapping[str, bytes]) -> FsPath:
    """Write ``files`` into a new folder ``target``, atomically: a hidden sibling first,
    renamed into place when complete; an existing ``target`` is never touched."""
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose a new --out (nothing is overwritten)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.mkdir()
    try:
        for name, payload in files.items():
            (tmp / name).write_bytes(payload)
        os.rename(tmp, target)  # fails if target appeared meanwhile (non-empty) — never replaced
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def manifest(
    inputs: Mapping[str, FsPath], settings: Mapping[str, object], timings: Mapping[str, float], versions: str
) -> bytes:
    """manifest.json: versions, the sha256 of every input file, settings (seeds, options), timings."""
    import datetime as dt

    from bekostiging.runs.layout import sha256_file

    hashes: dict[str, str] = {}
    for label, root in inputs.items():
        if root.is_file():
            hashes[label] = sha256_file(root)
        elif root.is_dir():
            for f in sorted(root.rglob("*")):
                if f.is_file() and "/." not in f.as_posix():
                    hashes[f"{label}/{f.relative_to(root).as_posix()}"] = sha256_file(f)
    doc = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": versions,
        "settings": dict(settings),
        "timings_seconds": dict(timings),
        "inputs_sha256": hashes,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str).encode("utf-8")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def outputs(
    tidy: pd.DataFrame,
    decisions: pd.DataFrame,
    probabilities: Mapping[str, float],
    title: str,
    lang: Lang,
    manifest_bytes: bytes,
) -> tuple[dict[str, bytes], pd.DataFrame]:
    """Every file of a simulation folder, and the comparison table."""
    summary = summary_table(tidy, probabilities)
    comparison = comparison_table(summary)
    files = {
        "simulation.csv": csv_bytes(tidy),
        "summary.csv": csv_bytes(summary),
        "comparison.csv": csv_bytes(comparison),
        "decisions.csv": csv_bytes(decisions),
        "simulation.png": chart(summary, title, lang),
        "manifest.json": manifest_bytes,
    }
    return files, comparison


def policy_order(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))
