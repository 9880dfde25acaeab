"""The names of the policy options as the 2021 letter gives them, in Dutch and English.

Shared by the options section of the annex, the simulation section and the options workbook
(one place, so that no report module has to import another's section to name an option).
"""

from __future__ import annotations

from bekostiging.report.i18n import Lang

STATUS_QUO = "status-quo"
# preset -> (Dutch, English): short names a reader recognises from the letter
PRESET_WORDS: dict[str, tuple[str, str]] = {
    "status-quo": ("Huidig beleid (financiering volgt de MPP)", "Status quo (funding follows the MPP)"),
    "flexpool": ("Optie 1: flexibele pool", "Option 1: flexible pool"),
    "asielreserve": ("Optie 2: versterkte asielreserve", "Option 2: strengthened asylum reserve"),
    "asielreserve-huidig": (
        "Optie 2 met de huidige eindejaarsmarge",
        "Option 2 with today's end-of-year margin",
    ),
    "boven-mpp": ("Optie 3: stabiel boven de MPP financieren", "Option 3: stable funding above the MPP"),
    "reservecapaciteit": ("Optie 4: reservecapaciteit COA", "Option 4: COA reserve capacity"),
    "lagere-bezettingsgraad": ("Optie 5: lagere bezettingsgraad COA", "Option 5: lower COA occupancy rate"),
    "combinatie": ("Alle vijf opties samen", "All five options combined"),
    "vrij": ("Alle maatregelen vrij (aanbevolen plan)", "All levers free (recommended plan)"),
}
OWN_PRESET = ("Eigen variant {n}", "Own variant {n}")


def preset_words(name: str, lang: Lang, number: int = 1) -> str:
    """A policy preset as the letter names it; a preset of one's own as 'own variant n'."""
    pick = 0 if lang == "nl" else 1
    if name in PRESET_WORDS:
        return PRESET_WORDS[name][pick]
    return OWN_PRESET[pick].format(n=number)
