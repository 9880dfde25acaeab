"""Error messages in the user's language: Dutch by default, English with ``--lang en``.

Library code states input problems in English (``InputProblem.found``/``allowed``,
``Violation``, pydantic's messages) and click states usage errors in English; the
edge that shows them to a user (the CLI) passes each text through :func:`localise`.
For Dutch, :data:`CATALOGUE` holds every message as an English template and its
Dutch text, in the register of a ministry's forms. A template's ``{name}`` stands for
a value shown as it is (a file name, a number, a column of the file); ``{name:t}``
for a phrase that is itself translated (``a number ≥ 0 and ≤ 1 (share)``); ``{name:n}``
for a number the program formatted (``10,000,000`` becomes ``10.000.000``). A value
found in an input is translated only when the program wrote it (:data:`FOUND`).

The language is known before any option is parsed (:func:`lang_from_args`): the
command line's ``--lang`` (also when click refuses the rest of the line), else the
environment variable ``BEKOSTIGING_LANG``, else Dutch.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Literal

# The report's languages (bekostiging.report.i18n, which a test keeps equal); not imported
# from there, because the report package imports this one's users (errors.py).
Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
DEFAULT_LANG: Lang = "nl"

LANG_ENV = "BEKOSTIGING_LANG"  # the language when the command line names none
LANG_OPTION = "--lang"

_current: contextvars.ContextVar[Lang | None] = contextvars.ContextVar("bekostiging_lang", default=None)


def env_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """``BEKOSTIGING_LANG`` when it names a language (``nl``, ``en``), else Dutch."""
    value = (os.environ if environ is None else environ).get(LANG_ENV, "").strip().lower()
    return value if value in LANGS else DEFAULT_LANG  # type: ignore[return-value]


def lang_from_args(args: Sequence[str], environ: Mapping[str, str] | None = None) -> Lang:
    """The language a command line asks for, read before click parses it.

    The last valid ``--lang X`` or ``--lang=X`` wins (as click's own parsing does);
    nothing after ``--`` counts. Without one: :func:`env_lang`.
    """
    found: Lang | None = None
    items = list(args)
    for i, arg in enumerate(items):
        if arg == "--":
            break
        if arg == LANG_OPTION and i + 1 < len(items):
            value = items[i + 1]
        elif arg.startswith(LANG_OPTION + "="):
            value = arg.split("=", 1)[1]
        else:
            continue
        if value in LANGS:
            found = value  # type: ignore[assignment]
    return found if found is not None else env_lang(environ)


def current_lang() -> Lang:
    """The language of the command being run (:func:`use_lang`), else :func:`env_lang`."""
    lang = _current.get()
    return lang if lang is not None else env_lang()


@contextlib.contextmanager
def use_lang(lang: Lang) -> Iterator[None]:
    """Messages shown inside the block speak ``lang``."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


# --------------------------------------------------------------------------- words

UNIT_NL: dict[str, str] = {  # every unit declared on a schema field (a test keeps this complete)
    "months": "maanden",
    "month": "maand",
    "months per year": "maanden per jaar",
    "days": "dagen",
    "year": "jaar",
    "years": "jaren",
    "share": "aandeel",
    "share per month": "aandeel per maand",
    "share per year": "aandeel per jaar",
    "share per period": "aandeel per periode",
    "share of the budget": "aandeel van de begroting",
    "share of the base housing outflow": "aandeel van de basisuitstroom naar huisvesting",
    "ratio": "verhouding",
    "ratio to the monthly mean": "verhouding tot het maandgemiddelde",
    "probability": "kans",
    "persons": "personen",
    "persons per year": "personen per jaar",
    "persons per period": "personen per periode",
    "places": "plaatsen",
    "locations": "locaties",
    "teams": "teams",
    "cohorts": "cohorten",
    "FTE": "fte",
    "EUR": "€",
    "EUR per year": "€ per jaar",
    "EUR per place-year": "€ per plaatsjaar",
    "EUR per FTE-year": "€ per fte-jaar",
    "EUR per FTE": "€ per fte",
    "EUR per location": "€ per locatie",
    "EUR per person-year": "€ per persoonsjaar",
    "EUR per person-day": "€ per persoonsdag",
    "EUR per person housed": "€ per gehuisveste persoon",
    "EUR per case-month": "€ per zaak-maand",
    "EUR per EUR": "€ per €",
    "weight per EUR": "weging per €",
    "weight per EUR-year": "weging per euro-jaar",
    "trainee FTE per productive FTE": "fte in opleiding per productieve fte",
    "cases per FTE-year": "zaken per fte-jaar",
    "FTE-work per case relative to a first application": (
        "fte-werk per zaak, ten opzichte van een eerste aanvraag"
    ),
    "FTE per place": "fte per plaats",
    "nareis per permit": "nareizigers per vergunning",
}

# Words the problem line itself uses: (Dutch, English).
LINE_WORDS: dict[str, tuple[str, str]] = {
    "row": ("rij", "row"),
    "line": ("regel", "line"),
    "column": ("kolom", "column"),
    "cell": ("cel", "column"),  # English has always said "column Settings!C7"
    "more": ("nog {count} problemen niet getoond", "{count} more problems not shown"),
    "more_one": ("nog 1 probleem niet getoond", "1 more problem not shown"),
    "summary": (
        "{count} probleem gevonden; pas de invoer aan en voer de opdracht opnieuw uit.",
        "{count} problem found; fix the input and run again.",
    ),
    "summary_many": (
        "{count} problemen gevonden; pas de invoer aan en voer de opdracht opnieuw uit.",
        "{count} problems found; fix the input and run again.",
    ),
    "error": ("Fout: {message}", "Error: {message}"),
    "usage": ("Gebruik:", "Usage:"),
}


def line_word(key: str, lang: Lang) -> str:
    """A word of the problem line (:data:`LINE_WORDS`) in ``lang``."""
    nl, en = LINE_WORDS[key]
    return nl if lang == "nl" else en


FIELD_NL: dict[str, str] = {  # fields that are words, not a key or column of the file
    "file": "bestand",
    "header": "kopregel",
    "row": "rij",
    "scenario set": "scenarioset",
    "history": "historie",
    "default case": "standaardcasus",
    "output folder": "uitvoermap",
    "(case folder)": "(casusmap)",
    "case": "casus",
    "scenario x period": "scenario x periode",
    "period x category": "periode x categorie",
}

# --------------------------------------------------------------------------- the catalogue

# Values found (``InputProblem.found``) that the program wrote, not the user: only these
# are translated in a found value, so a value typed in a file is always shown as typed.
FOUND: tuple[tuple[str, str], ...] = (
    ("(empty)", "(leeg)"),
    ("(missing)", "(ontbreekt)"),
    ("missing", "ontbreekt"),
    ("(none)", "(geen)"),
    ("(a section)", "(een sectie)"),
    ("(unknown section)", "(onbekende sectie)"),
    ("(unknown key)", "(onbekende sleutel)"),
    ("(missing column)", "(kolom ontbreekt)"),
    ("(unknown column)", "(onbekende kolom)"),
    ("(duplicate column)", "(dubbele kolom)"),
    ("(duplicate)", "(dubbel)"),
    ("no such folder", "map bestaat niet"),
    ("empty file", "leeg bestand"),
    ("no rows", "geen rijen"),
    ("unreadable", "onleesbaar"),
    ("unreadable ({reason})", "onleesbaar ({reason})"),
    ("exists and is not empty", "bestaat al en is niet leeg"),
    ("does not fit the case", "past niet bij de casus"),
    ("{count} values missing", "{count} waarden ontbreken"),
    ("{count} values", "{count} waarden"),
    ("{count} cells", "{count} cellen"),
    ("sum {value:n}", "som {value:n}"),
    ("mean {value:n}", "gemiddelde {value:n}"),
    ("missing {what}", "ontbreekt: {what}"),
    ("scenario {name} lacks {count} rows: {rows}", "scenario {name} mist {count} rij(en): {rows}"),
    ("occupancy {count:n} persons in reception", "bezetting {count:n} personen in de opvang"),
)

# (English template, Dutch template), most specific first: the first full match wins.
CATALOGUE: tuple[tuple[str, str], ...] = (
    # where a generated scenario set came from (scenarios/generate.py writes it in provenance.toml)
    (
        "data/history (yearly total inflow, MPP vintages) and {rest:t}",
        "data/history (jaarlijkse totale instroom, MPP-edities) en {rest:t}",
    ),
    ("MPP September {year} ({key}), {path}", "MPP september {year} ({key}), {path}"),
    (
        "Yearly first applications and nareis of data/history (inflow_yearly.csv, sources in "
        "data/history/SOURCES.md), bekostiging.scenarios.history",
        "Eerste aanvragen en nareizigers per jaar uit data/history (inflow_yearly.csv, bronnen in "
        "data/history/SOURCES.md), bekostiging.scenarios.history",
    ),
    # a duplicate row (io/case.py adds where the first one is)
    ("{allowed:t} (already in row {row})", "{allowed:t} (staat al in rij {row})"),
    # what is allowed: files and folders
    ("a folder with case.toml and CSV tables", "een map met case.toml en CSV-tabellen"),
    (
        "a folder with {a}, {b} and {c}; sets in {folder}: {names} (did you mean {name}?)",
        "een map met {a}, {b} en {c}; scenariosets in {folder}: {names} (bedoelt u {name}?)",
    ),
    (
        "a folder with {a}, {b} and {c}; sets in {folder}: {names}",
        "een map met {a}, {b} en {c}; scenariosets in {folder}: {names}",
    ),
    ("a folder with {a}, {b} and {c}", "een map met {a}, {b} en {c}"),
    ("a folder with {what}", "een map met {what}"),
    (
        "a new or empty folder (scenario sets are never overwritten)",
        "een nieuwe of lege map (scenariosets worden nooit overschreven)",
    ),
    ("a CSV file with columns {columns}", "een CSV-bestand met de kolommen {columns}"),
    ("a CSV file with {columns}", "een CSV-bestand met {columns}"),
    ("a CSV file {name} in the set folder", "een CSV-bestand {name} in de map van de set"),
    ("a TOML file {name} in the set folder", "een TOML-bestand {name} in de map van de set"),
    ("a CSV file {name} in {folder}", "een CSV-bestand {name} in {folder}"),
    ("a UTF-8 CSV file", "een CSV-bestand in UTF-8"),
    ("UTF-8 text", "tekst in UTF-8"),
    ("valid TOML", "geldige TOML"),
    ("valid TOML with a [policy] table ({reason})", "geldige TOML met een tabel [policy] ({reason})"),
    ("a [policy] table", "een tabel [policy]"),
    ("a [sources] table", "een tabel [sources]"),
    ("a settings file {name}", "een instellingenbestand {name}"),
    ("an .xlsx workbook", "een Excel-werkmap (.xlsx)"),
    ("a sheet named {name}", "een werkblad met de naam {name}"),
    ("a row in the {name} sheet", "een rij in het werkblad {name}"),
    ("a set of the {name} sheet", "een set uit het werkblad {name}"),
    ("first columns {columns}", "als eerste kolommen {columns}"),
    ("both a section and a key", "zowel een sectie als een sleutel"),
    ("each key once (already in row {row})", "elke sleutel één keer (staat al in rij {row})"),
    (
        "row {units} holds the units ({expected}); data starts at row {first}",
        "rij {units} bevat de eenheden ({expected}); de gegevens beginnen op rij {first}",
    ),
    (
        "a preset file, or one of: {names:t} (searched {folders})",
        "een presetbestand, of een van: {names:t} (gezocht in {folders})",
    ),
    ("(no presets found)", "(geen presets gevonden)"),
    # what is allowed: headers and rows
    ("header {columns}", "kopregel {columns}"),
    ("columns {columns} (required: {required})", "kolommen {columns} (verplicht: {required})"),
    ("columns {columns} (did you mean {name}?)", "kolommen {columns} (bedoelt u {name}?)"),
    ("columns {columns}", "kolommen {columns}"),
    ("a column {name}: {allowed:t}", "een kolom {name}: {allowed:t}"),
    ("each column once", "elke kolom één keer"),
    ("{count} values, one per column", "{count} waarden, één per kolom"),
    ("at most {count} cells, one per column", "hoogstens {count} cellen, één per kolom"),
    ("at least one data row", "minstens één rij met gegevens"),
    ("at least one scenario", "minstens één scenario"),
    ("a non-empty name", "een naam (niet leeg)"),
    ("a unique name", "een unieke naam"),
    ("a unique key", "een unieke sleutel"),
    ("unique names (first on row {row})", "unieke namen (eerst op rij {row})"),
    ("each {what} once (first on row {row})", "elke combinatie {what} één keer (eerst op rij {row})"),
    ("each year x parameter once", "elk jaar x parameter één keer"),
    ("each period once", "elke periode één keer"),
    ("each month once", "elke maand één keer"),
    ("each month 1..12 exactly once", "elke maand 1..12 precies één keer"),
    ("each stock (and category) once", "elke voorraad (en categorie) één keer"),
    ("one row per year and category", "één rij per jaar en categorie"),
    (
        "one row per scenario x period, or no housing file at all",
        "één rij per scenario x periode, of helemaal geen huisvestingsbestand",
    ),
    (
        "one row per period x category for every scenario ({periods} periods x {categories} categories, "
        "scenario listed on {file} row {row})",
        "één rij per periode x categorie voor elk scenario ({periods} perioden x {categories} categorieën, "
        "scenario staat in {file} op rij {row})",
    ),
    (
        "a row for every year {first}..{last} and category",
        "een rij voor elk jaar {first}..{last} en elke categorie",
    ),
    ("a row for {what}", "een rij voor {what}"),
    ("a scenario listed in {file}", "een scenario dat in {file} staat"),
    # what is allowed: periods and horizon
    ("YYYY-MM or YYYY-Qn", "YYYY-MM of YYYY-Qn (jaar-maand of jaar-kwartaal)"),
    ("a period of the horizon {first}..{last}", "een periode van de horizon {first}..{last}"),
    ("a period {first}..{last}", "een periode {first}..{last}"),
    ("a period of the set", "een periode van de set"),
    ("a month of the horizon {span}", "een maand van de horizon {span}"),
    ("a quarter of the horizon {span}", "een kwartaal van de horizon {span}"),
    ("a {unit} of the horizon {span}", "een periode ({unit}) van de horizon {span}"),
    ("every period of the horizon {span}", "elke periode van de horizon {span}"),
    ("shorter than the horizon ({months} months)", "korter dan de horizon ({months} maanden)"),
    (
        "shorter than the horizon ({months} months = horizon.years x 12)",
        "korter dan de horizon ({months} maanden = horizon.years x 12)",
    ),
    ("a whole year", "een jaartal"),
    # what is allowed: numbers
    (
        "a number >= 0 and <= {most:n} (persons arriving in the period)",
        "een getal >= 0 en <= {most:n} (personen die in de periode aankomen)",
    ),
    (
        "a number >= 0 (status holders housed in the period)",
        "een getal >= 0 (statushouders die in de periode een woning krijgen)",
    ),
    ("a number from 0 to 1", "een getal van 0 tot en met 1"),
    ("a share between 0 and 1", "een aandeel tussen 0 en 1"),
    ("probabilities summing to 1 (within {tolerance:n})", "kansen die samen 1 zijn (binnen {tolerance:n})"),
    ("the 12 factors average 1 (within {tolerance:n})", "de 12 factoren gemiddeld 1 (binnen {tolerance:n})"),
    (
        "at most the initial capacity {count:n} (open places x coa.max_fill_rate + "
        "coa.initial_emergency_places)",
        "hoogstens de capaciteit bij de start, {count:n} (open plaatsen x coa.max_fill_rate + "
        "coa.initial_emergency_places)",
    ),
    ("at most {what} ({value})", "hoogstens {what} ({value})"),
    ("a number >= {least}", "een getal >= {least}"),
    # what is allowed: categories, stocks, sources, history
    ("one of {items:t}", "een van {items:t}"),
    ("empty or one of {items}", "leeg of een van {items}"),
    ("a [categories.{name}] section (all of: {names})", "een sectie [categories.{name}] (alle: {names})"),
    (
        "stock {stock} needs a category ({categories})",
        "voorraad {stock} heeft een categorie nodig ({categories})",
    ),
    (
        "empty for stock {stock} (only {stocks} take a category)",
        "leeg voor voorraad {stock} (alleen {stocks} hebben een categorie)",
    ),
    (
        "a value exactly when the status is not 'missing'",
        "een waarde, precies wanneer de status niet 'missing' is",
    ),
    (
        "an address, or a note starting 'estimate:' or 'derived:'",
        "een adres, of een notitie die begint met 'estimate:' of 'derived:'",
    ),
    ("enough history to calibrate the method", "genoeg historie om de methode te kalibreren"),
    ("known totals in every origin year", "bekende totalen in elk startjaar"),
    ("a source text", "een brontekst"),
    (
        "a settings key (section.key, e.g. ind.initial_fte) or a table column (table.column, e.g. "
        "series.permit_share)",
        "een instellingssleutel (sectie.sleutel, bijv. ind.initial_fte) of een tabelkolom (tabel.kolom, "
        "bijv. series.permit_share)",
    ),
    (
        "keys of the source list with an optional note ('S23' or 'S41, S11: note'), 'estimate: reasoning', "
        "'definition: text' or 'changed by user on YYYY-MM-DD …'",
        "sleutels uit de bronnenlijst met eventueel een toelichting ('S23' of 'S41, S11: toelichting'), "
        "'estimate: onderbouwing', 'definition: tekst' of 'changed by user on YYYY-MM-DD …'",
    ),
    ("a source: {forms:t}", "een bron: {forms:t}"),
    ("a reasoning after '{prefix}' ({forms:t})", "een onderbouwing na '{prefix}' ({forms:t})"),
    ("a reasoning after '{prefix}'", "een onderbouwing na '{prefix}'"),
    ("a real date after 'by user on' (YYYY-MM-DD)", "een bestaande datum na 'by user on' (YYYY-MM-DD)"),
    (
        "a key of the source list (sources.csv is empty or missing), or {forms:t}",
        "een sleutel uit de bronnenlijst (sources.csv is leeg of ontbreekt), of {forms:t}",
    ),
    (
        "a key of the source list ({keys}), or {forms:t}",
        "een sleutel uit de bronnenlijst ({keys}), of {forms:t}",
    ),
    ("a key of {file}", "een sleutel uit {file}"),
    # settings keys (pydantic, rendered by io/fields.py)
    ("required: {allowed:t} — {description}", "verplicht: {allowed:t}"),
    ("required: {allowed:t}", "verplicht: {allowed:t}"),
    ("a section", "een sectie"),
    (
        "no such key in the top level (did you mean {name}?)",
        "onbekende sleutel op het hoogste niveau (bedoelt u {name}?)",
    ),
    ("no such key in the top level", "onbekende sleutel op het hoogste niveau"),
    ("no such key in {section} (did you mean {name}?)", "onbekende sleutel in {section} (bedoelt u {name}?)"),
    ("no such key in {section}", "onbekende sleutel in {section}"),
    # pydantic's own messages (where no field tells what is allowed)
    ("Field required", "verplicht veld"),
    ("Extra inputs are not permitted", "onbekende sleutel"),
    ("Value error, {message:t}", "{message:t}"),
    ("Input should be a valid number, unable to parse string as a number", "een getal"),
    ("Input should be a valid number", "een getal"),
    ("Input should be a finite number", "een eindig getal"),
    ("Input should be a valid integer, unable to parse string as an integer", "een geheel getal"),
    ("Input should be a valid integer, got a number with a fractional part", "een geheel getal"),
    ("Input should be a valid integer", "een geheel getal"),
    ("Input should be a valid boolean, unable to interpret input", "true of false"),
    ("Input should be a valid boolean", "true of false"),
    ("Input should be a valid string", "tekst"),
    ("Input should be a valid date or datetime, {reason}", "een datum (YYYY-MM-DD)"),
    ("Input should be a valid date, {reason}", "een datum (YYYY-MM-DD)"),
    ("Input should be a valid dictionary or instance of {name}", "een sectie"),
    ("Input should be a valid dictionary", "een sectie"),
    ("Input should be a valid list", "een lijst"),
    ("String should have at least {count} character", "tekst van minstens {count} teken"),
    ("String should have at least {count} characters", "tekst van minstens {count} tekens"),
    ("Input should be greater than or equal to {value}", "een waarde >= {value}"),
    ("Input should be greater than {value}", "een waarde > {value}"),
    ("Input should be less than or equal to {value}", "een waarde <= {value}"),
    ("Input should be less than {value}", "een waarde < {value}"),
    ("Input should be {a} or {b}", "{a} of {b}"),
    ("Input should be {a}", "{a}"),
    # click: usage errors (the parts click builds; see click/exceptions.py and click/types.py)
    ("Missing argument {name}.", "Argument {name} ontbreekt."),
    ("Missing option {name}.", "Optie {name} ontbreekt."),
    ("Missing parameter {name}.", "Parameter {name} ontbreekt."),
    ("Missing argument {name}. Choose from:", "Argument {name} ontbreekt. Kies uit:"),
    ("Missing option {name}. Choose from:", "Optie {name} ontbreekt. Kies uit:"),
    (
        "No such option {name}. (Did you mean one of: {names}?)",
        "Onbekende optie {name}. (Bedoelt u een van: {names}?)",
    ),
    ("No such option {name}. (Did you mean {names}?)", "Onbekende optie {name}. (Bedoelt u {names}?)"),
    ("No such option: {name}", "Onbekende optie: {name}"),
    ("No such option {name}.", "Onbekende optie {name}."),
    ("No such command {name}.", "Onbekende opdracht {name}."),
    ("Option {name} requires an argument.", "Optie {name} vraagt een waarde."),
    ("Option {name} requires {count} arguments.", "Optie {name} vraagt {count} waarden."),
    ("Option {name} does not take a value.", "Optie {name} neemt geen waarde."),
    ("Got unexpected extra argument ({args})", "Onverwacht extra argument ({args})"),
    ("Got unexpected extra arguments ({args})", "Onverwachte extra argumenten ({args})"),
    ("Invalid value for {name}: {message:t}", "Ongeldige waarde voor {name}: {message:t}"),
    ("Invalid value: {message:t}", "Ongeldige waarde: {message:t}"),
    ("{value} is not one of {choices}.", "{value} is niet een van {choices}."),
    ("{value} is not a valid integer.", "{value} is geen geheel getal."),
    ("{value} is not a valid integer range.", "{value} is geen geheel getal."),
    ("{value} is not a valid float.", "{value} is geen getal."),
    ("{value} is not a valid float range.", "{value} is geen getal."),
    ("{value} is not a valid finite float range.", "{value} is geen eindig getal."),
    ("{value} is not a valid boolean.", "{value} is geen ja/nee-waarde (true of false)."),
    ("{value} is not a valid {kind}.", "{value} is geen geldige waarde ({kind})."),
    ("{value} is not in the range {range}.", "{value} ligt niet in het bereik {range}."),
    ("{value} is not {choice}.", "{value} is niet {choice}."),
    ("{value} is not a finite number.", "{value} is geen eindig getal."),
    ("Directory {path} does not exist.", "Map {path} bestaat niet."),
    ("File {path} does not exist.", "Bestand {path} bestaat niet."),
    ("Path {path} does not exist.", "Pad {path} bestaat niet."),
    ("Directory {path} is a file.", "Map {path} is een bestand."),
    ("File {path} is a directory.", "Bestand {path} is een map."),
    ("Path {path} is a directory.", "Pad {path} is een map."),
    ("Path {path} is a file.", "Pad {path} is een bestand."),
    ("{kind} {path} is not readable.", "{path} is niet leesbaar."),
    ("{kind} {path} is not writable.", "{path} is niet schrijfbaar."),
    ("Could not open file {path}: {reason}", "Bestand {path} kan niet worden geopend: {reason}"),
    ("Try '{command} {option}' for help.", "Zie '{command} {option}' voor uitleg."),
    ("Aborted!", "Afgebroken."),
    # the commands' own usage errors
    ("{value}: expected A-B or A (integers, A <= B)", "{value}: verwacht A-B of A (gehele getallen, A <= B)"),
    ("{found}: choose from {names}", "{found}: kies uit {names}"),
    ("horizons start at 1 (1-H)", "horizonnen beginnen bij 1 (1-H)"),
    (
        "choose from {names} (comma-separated), not {value}",
        "kies uit {names} (gescheiden door komma's), niet {value}",
    ),
    ("{value} is not a finite number", "{value} is geen eindig getal"),
    ("{value} is negative; values must be 0 or more", "{value} is negatief; waarden moeten 0 of meer zijn"),
    ("{value} is above {most}", "{value} is groter dan {most}"),
    ("--branching applies only with --stages yearly", "--branching geldt alleen met --stages yearly"),
    (
        "--analyse compares two-stage plans; use it without --stages yearly",
        "--analyse vergelijkt tweefasenplannen; gebruik het zonder --stages yearly",
    ),
    ("give at least two runs to compare", "geef minstens twee runs om te vergelijken"),
    (
        "give exactly one of --late-penalty LIST and --funding-ratio LIST",
        "geef precies één van --late-penalty LIJST en --funding-ratio LIJST",
    ),
    (
        "{path} exists and is not empty; choose a new folder",
        "{path} bestaat al en is niet leeg; kies een nieuwe map",
    ),
    (
        "{path} exists and is not empty; choose a new folder for --out",
        "{path} bestaat al en is niet leeg; kies een nieuwe map voor --out",
    ),
    (
        "{path} exists and is not an empty folder; choose a new one",
        "{path} bestaat al en is geen lege map; kies een nieuwe",
    ),
    (
        "{path} exists; use --force to overwrite it",
        "{path} bestaat al; gebruik --force om het te overschrijven",
    ),
    (
        "{path} already exists; choose a new --out (nothing is overwritten)",
        "{path} bestaat al; kies een nieuwe --out (er wordt niets overschreven)",
    ),
    (
        "{path} already holds an options table; choose a new --out",
        "{path} bevat al een optietabel; kies een nieuwe --out",
    ),
    (
        "{path} exists and is never replaced; use --out for a new folder",
        "{path} bestaat al en wordt nooit vervangen; gebruik --out voor een nieuwe map",
    ),
    (
        "{path} exists and is never replaced; use --out",
        "{path} bestaat al en wordt nooit vervangen; gebruik --out",
    ),
    (
        "{path} exists and is never replaced; `bekostiging show` prints it",
        "{path} bestaat al en wordt nooit vervangen; `bekostiging show` toont het",
    ),
    ("run {run} has no plan (status {status})", "run {run} heeft geen plan (status {status})"),
    (
        "run {run} failed and has no results to compare",
        "run {run} is mislukt en heeft geen uitkomsten om te vergelijken",
    ),
    (
        "run {run} has no stored scenario set; it cannot be re-solved",
        "run {run} heeft geen opgeslagen scenarioset; hij kan niet opnieuw worden doorgerekend",
    ),
    (
        "run {run} has no two-stage plan (first_stage table)",
        "run {run} heeft geen tweefasenplan (tabel first_stage)",
    ),
    (
        "saa measures the expected cost: the run must be risk-neutral",
        "saa meet de verwachte kosten: de run moet risiconeutraal zijn",
    ),
    # run folders (runs/reading.py, runs/layout.py): a run named on the command line
    (
        "no runs folder at {path}; pass --runs-dir or set {env}",
        "geen map met runs in {path}; geef --runs-dir of zet {env}",
    ),
    (
        "no run {run} in {path}; `bekostiging runs` lists them",
        "geen run {run} in {path}; `bekostiging runs` toont de runs",
    ),
    (
        "{run} matches {count} runs ({runs}…); give more of the id",
        "{run} past bij {count} runs ({runs}…); geef meer van de id",
    ),
    (
        "{path} has no {file}: it is not a finished run folder",
        "{path} heeft geen {file}: het is geen afgeronde runmap",
    ),
    (
        "manifest has no {key} key; the run folder is damaged",
        "het manifest mist de sleutel {key}; de runmap is beschadigd",
    ),
    (
        "{file} is not valid JSON ({reason}); the run folder is damaged",
        "{file} is geen geldige JSON ({reason}); de runmap is beschadigd",
    ),
    (
        "{file} is listed in the manifest but missing; the run folder is damaged",
        "{file} staat in het manifest maar ontbreekt; de runmap is beschadigd",
    ),
    (
        "run {run} was altered after it was stored: {files} (sha256 differs from {manifest}); "
        "refusing to use it — restore the files or solve again",
        "run {run} is na het opslaan gewijzigd: {files} (sha256 wijkt af van {manifest}); de run wordt niet "
        "gebruikt — zet de bestanden terug of reken opnieuw",
    ),
    ("{names}; allowed: {allowed}", "{names}; toegestaan: {allowed}"),
    ("{count} is more than the {n} scenarios of {name}", "{count} is meer dan de {n} scenario's van {name}"),
    (
        "{path} is not what the sources give; run `bekostiging case sources {case}`",
        "{path} komt niet overeen met de bronnen; voer `bekostiging case sources {case}` uit",
    ),
    (
        "{value}: give positive whole numbers separated by commas, e.g. 3 or 3,2,2,2",
        "{value}: geef positieve gehele getallen, gescheiden door komma's, bijv. 3 of 3,2,2,2",
    ),
    (
        "{value}: give multi, single or a positive whole number",
        "{value}: geef multi, single of een positief geheel getal",
    ),
    (
        "--method lshaped decomposes the two-stage form; use it without --stages yearly",
        "--method lshaped ontleedt het tweefasenmodel; gebruik het zonder --stages yearly",
    ),
    (
        "rerun needs the solve pipeline, which is missing: {reason}",
        "rerun heeft de rekenketen van solve nodig, en die ontbreekt: {reason}",
    ),
    (
        "the stored inputs of {run} no longer load: {reason}",
        "de opgeslagen invoer van {run} laat zich niet meer inlezen: {reason}",
    ),
    (
        "the stored case of {run} no longer loads: {reason}",
        "de opgeslagen casus van {run} laat zich niet meer inlezen: {reason}",
    ),
    (
        "the MPP-mid baseline of policy {name} has no plan: {reason}",
        "de basisrun op de MPP-middenraming van beleid {name} heeft geen plan: {reason}",
    ),
    (
        "run {run} stored no first_stage table; solve it again to evaluate",
        "run {run} heeft geen tabel first_stage opgeslagen; reken hem opnieuw door om te evalueren",
    ),
    ("{reason}; use --out for a new folder", "{reason:t}; gebruik --out voor een nieuwe map"),
    (
        "give comma-separated numbers such as 250,500,1000 (got {value})",
        "geef getallen gescheiden door komma's, zoals 250,500,1000 (gegeven: {value})",
    ),
    ("{value} is not a number (list: {values})", "{value} is geen getal (lijst: {values})"),
    (
        "{path} appeared while writing; it was left as it is",
        "{path} verscheen tijdens het schrijven; het is gelaten zoals het was",
    ),
    (
        "could not find a free run id in {path} after {count} tries",
        "geen vrije run-id gevonden in {path} na {count} pogingen",
    ),
    (
        "{path} already exists; it was left untouched (run kept in {kept})",
        "{path} bestaat al en is niet aangeraakt (run bewaard in {kept})",
    ),
    ("run folder was not published", "de runmap is niet gepubliceerd"),
    (
        "cannot write a run into {path}: {reason}; choose a writable folder with --runs-dir or {env}",
        "kan geen run schrijven in {path}: {reason}; kies een beschrijfbare map met --runs-dir of {env}",
    ),
    (
        "the run block ended without finish(); nothing was stored",
        "het runblok eindigde zonder finish(); er is niets opgeslagen",
    ),
    (
        "case folder {path} does not exist; cannot store the run's inputs",
        "casusmap {path} bestaat niet; de invoer van de run kan niet worden opgeslagen",
    ),
    (
        "scenario set folder {path} does not exist; cannot store the run's inputs",
        "map van de scenarioset {path} bestaat niet; de invoer van de run kan niet worden opgeslagen",
    ),
    (
        "{kind} {path} does not exist; cannot store the run's inputs",
        "{path} bestaat niet; de invoer van de run kan niet worden opgeslagen",
    ),
    (
        "table name {name} is not a plain lower-case identifier",
        "tabelnaam {name} is geen eenvoudige naam in kleine letters",
    ),
    ("no problem to sweep", "geen probleem om door te rekenen"),
    ("no problem to solve", "geen probleem om op te lossen"),
    # options read by the commands themselves (--shock, --executor, simulate's --policy/--paths/…)
    ("--shock: {message:t}", "--shock: {message:t}"),
    ("--paths: {message:t}", "--paths: {message:t}"),
    ("empty; use {form:t}", "leeg; gebruik {form:t}"),
    ("{option}: empty; use {form:t}", "{option}: leeg; gebruik {form:t}"),
    (
        "{option}: year {year} is shocked twice; one change per year",
        "{option}: jaar {year} krijgt twee schokken; één verandering per jaar",
    ),
    ("{part} is not a shock; use {form:t}", "{part} is geen schok; gebruik {form:t}"),
    (
        "YEAR:+N% or YEAR:-N% (for example 2027:+20%), several separated by commas",
        "JAAR:+N% of JAAR:-N% (bijvoorbeeld 2027:+20%), meerdere gescheiden door komma's",
    ),
    (
        "{part}: the change must lie between {least}% and +{most}%",
        "{part}: de verandering ligt tussen {least}% en +{most}%",
    ),
    (
        "{part}: year {year} is not simulated; allowed {first}–{last}",
        "{part}: jaar {year} wordt niet gesimuleerd; toegestaan {first}–{last}",
    ),
    (
        "year {year} is shocked twice; one change per year",
        "jaar {year} krijgt twee schokken; één verandering per jaar",
    ),
    (
        "executor {name} ({env}): use one of {kinds} or a Dask scheduler address such as tcp://host:8786",
        "executor {name} ({env}): gebruik een van {kinds} of het adres van een Dask-scheduler, zoals tcp://host:8786",
    ),
    ("{env}={value}: give a whole number of workers", "{env}={value}: geef een geheel aantal workers"),
    ("workers must be at least 1, got {value}", "workers moet minstens 1 zijn, niet {value}"),
    (
        "--policy {name}: unknown policy; choose from {names}, a combination a+b, lookahead:PRESET or "
        "tuned:x=X,y=Y (or a preset file)",
        "--policy {name}: onbekend beleid; kies uit {names}, een combinatie a+b, lookahead:PRESET of "
        "tuned:x=X,y=Y (of een presetbestand)",
    ),
    ("--policy: give at least one policy name", "--policy: geef minstens één beleidsnaam"),
    ("--replan {names}: unknown; choose from {known}", "--replan {names}: onbekend; kies uit {known}"),
    (
        "--paths {name}: no such path source or scenario set; choose from {names}",
        "--paths {name}: onbekende bron van paden of scenarioset; kies uit {names}",
    ),
    (
        "--tune needs at least two paths (half to tune on, half to judge)",
        "--tune heeft minstens twee paden nodig (de helft om af te stemmen, de helft om te beoordelen)",
    ),
    (
        "--from/--to {years}: the history covers {first}–{last}",
        "--from/--to {years}: de historie beslaat {first}–{last}",
    ),
    (
        "--from {year}: the history path starts in January {first}, the state of "
        "data/history/replay_state.csv; use --from {again} (or leave it out)",
        "--from {year}: het historische pad begint in januari {first}, de toestand van "
        "data/history/replay_state.csv; gebruik --from {again} (of laat het weg)",
    ),
    ("not a month label (YYYY-MM): {label}", "geen maand (YYYY-MM): {label}"),
    (
        "simulate needs a monthly case (horizon.period = 'month')",
        "simulate vraagt een casus per maand (horizon.period = 'month')",
    ),
    ("no paths to simulate", "geen paden om te simuleren"),
    (
        "{message:t}; the run is marked failed: {path}",
        "{message:t}; de run is gemarkeerd als mislukt: {path}",
    ),
    ("stopped by signal {name}", "gestopt door signaal {name}"),
    ("unknown format {names}; choose from {formats}", "onbekend formaat {names}; kies uit {formats}"),
    (
        "run {run} has no usable plan (status {status}); there is nothing to report — "
        "see its error.txt and solver.log",
        "run {run} heeft geen bruikbaar plan (status {status}); er is niets te rapporteren — "
        "zie error.txt en solver.log",
    ),
    ("no annex document for {name}", "geen bijlage voor {name}"),
    (
        "{path} exists; choose another --out folder or pass --overwrite",
        "{path} bestaat al; kies een andere map voor --out of geef --overwrite",
    ),
    # a list of values ending in "x or y" (pydantic's choices): last, as the most general
    ("{items} or {last}", "{items} of {last}"),
)

_PLACEHOLDER = re.compile(r"\{(\w+)(:[tn])?\}")


@cache
def _compiled(found: bool) -> tuple[tuple[re.Pattern[str], str, frozenset[str]], ...]:
    """Each template (of :data:`FOUND`, else of both tables) as an anchored pattern, its
    Dutch text and the names translated in turn."""
    out: list[tuple[re.Pattern[str], str, frozenset[str]]] = []
    for english, dutch in FOUND if found else FOUND + CATALOGUE:
        parts: list[str] = []
        translated: set[str] = set()
        last = 0
        for match in _PLACEHOLDER.finditer(english):
            parts.append(re.escape(english[last : match.start()]))
            parts.append(f"(?P<{match.group(1)}>.+?)")
            if match.group(2):
                translated.add(match.group(1) + match.group(2))
            last = match.end()
        parts.append(re.escape(english[last:]))
        out.append(
            (
                re.compile("".join(parts) + r"\Z", re.DOTALL),
                _PLACEHOLDER.sub(r"{\1}", dutch),
                frozenset(translated),
            )
        )
    return tuple(out)


_RANGE = re.compile(
    r"(?P<kind>a whole number|a finite number|a number|text|true or false|a value|one of .+?)"
    r"(?P<optional> or empty)?"
    r"(?P<bounds>(?: (?:[≥>≤<] \S+|not empty))(?: and (?:[≥>≤<] \S+|not empty))*)?"
    r"(?: \((?P<unit>[^()]+)\))?\Z",
    re.DOTALL,
)
_KIND_NL = {
    "a whole number": "een geheel getal",
    "a finite number": "een eindig getal",
    "a number": "een getal",
    "text": "tekst",
    "true or false": "true of false",
    "a value": "een waarde",
}


def _field_range_nl(text: str) -> str | None:
    """``a number ≥ 0 and ≤ 1 (share)`` (io/fields.py's words for a field) in Dutch."""
    match = _RANGE.match(text)
    if match is None:
        return None
    kind = match.group("kind")
    out = _KIND_NL.get(kind) or "een van " + kind.removeprefix("one of ")
    if match.group("optional"):
        out += " of leeg"
    if match.group("bounds"):
        out += dutch_number(match.group("bounds").replace(" and ", " en ").replace("not empty", "niet leeg"))
    unit = match.group("unit")
    if unit:
        out += f" ({UNIT_NL.get(unit, unit)})"
    return out


def dutch_number(text: str) -> str:
    """A number as Python writes it (``10,000,000``, ``0.5``) in Dutch (``10.000.000``, ``0,5``)."""
    return re.sub(r"\d[\d,]*\.?\d*", lambda m: m.group(0).translate(_SWAP_MARKS), text)


_SWAP_MARKS = str.maketrans({",": ".", ".": ","})


def to_dutch(text: str, found: bool = False) -> str:
    """``text`` in Dutch when the catalogue knows it; else as it is (a name, a number, a path).

    ``found``: a value found in an input, translated only when the program wrote it
    (:data:`FOUND`). Multi-line texts (click's ``Choose from:`` lists) are translated
    line by line.
    """
    if "\n" in text:
        return "\n".join(to_dutch(line, found) for line in text.split("\n"))
    for pattern, dutch, translated in _compiled(found):
        match = pattern.match(text)
        if match is not None:
            values = {
                k: to_dutch(v) if f"{k}:t" in translated else dutch_number(v) if f"{k}:n" in translated else v
                for k, v in match.groupdict().items()
            }
            return dutch.format(**values)
    ranged = None if found else _field_range_nl(text)
    return ranged if ranged is not None else text


def localise(text: str, lang: Lang | None = None, found: bool = False) -> str:
    """``text`` (English, as the library and click write it) in ``lang`` (default: the current one).

    ``found``: a value found in an input (see :func:`to_dutch`).
    """
    lang = current_lang() if lang is None else lang
    return text if lang == "en" else to_dutch(text, found)


def field_word(field: str, lang: Lang) -> str:
    """A problem's field in ``lang``: words are translated, keys and columns of the file are not."""
    return FIELD_NL.get(field, field) if lang == "nl" else field
