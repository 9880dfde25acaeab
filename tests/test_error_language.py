"""Input errors and click's usage errors speak the user's language (mission: Dutch by default).

Through the CLI, for real bad inputs: the Dutch message (no ``--lang``) and the English
one (``--lang en`` or ``BEKOSTIGING_LANG=en``) name the same file, field and row, say
what is allowed in their own words, exit 2 and print no traceback. Before this change
every one of these messages was English under the Dutch default, so each Dutch
assertion below fails on the old output. The catalogue tests keep
``bekostiging.messages`` complete: every message text written in the source, every
field's range and unit, and click's own messages have a Dutch text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel, ValidationError

from bekostiging.cli import main
from bekostiging.errors import InputProblem, problem_lines
from bekostiging.io.case import SOURCE_LIST, TABLES
from bekostiging.io.fields import allowed_range, unit_of
from bekostiging.messages import (
    LANG_ENV,
    UNIT_NL,
    lang_from_args,
    localise,
    to_dutch,
)
from bekostiging.schema import Policy, Settings
from broken_cases import BROKEN, TINY_CASE, Broken, copy_tiny, make_broken, replace

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[1] / "src" / "bekostiging"
SET = "scenarios/two"

# Words of the English messages that a Dutch message never holds (a Dutch text shares
# "in", "is", "set", "status" and the file's own names and columns with English).
ENGLISH = re.compile(
    r"\b(the|and|or|with|one of|a number|whole number|allowed|missing|required|row|line|column|"
    r"problems?|found|fix|Error|Usage|Try|Invalid|value|Missing|argument|option|such|"
    r"did you mean|folder|file|empty|at most|at least|each|unique|share|months|persons)\b"
)
TRACEBACK = "Traceback"


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Exit code and standard error of ``bekostiging ARGS`` (the environment without a language)."""
    result = CliRunner().invoke(main, args, env={LANG_ENV: "", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def _no_english(text: str, allowed: tuple[str, ...] = ()) -> None:
    """No English word in ``text`` once file names, codes and ``allowed`` phrases are set aside."""
    for line in text.splitlines():
        bare = re.sub(r"^.*?: \S+ = .*? — ", "", line)  # file, row, field and value: the file's own words
        bare = re.sub(r"\S+\.(csv|toml|xlsx)\b|\S*/\S*|'[^']*'|\[[^\]]*\]", " ", bare)
        for phrase in allowed:
            bare = bare.replace(phrase, " ")
        word = ENGLISH.search(bare)
        assert word is None, f"English {word.group(0)!r} in a Dutch message: {line!r}"


def _both(args: list[str]) -> tuple[tuple[int, str], tuple[int, str]]:
    """(Dutch, English) runs of the same command line: the default and ``--lang en``."""
    return _run(args), _run([*args, "--lang", "en"])


# --------------------------------------------------------------------------- real bad inputs


def test_bad_case_value_names_file_line_and_range_in_both_languages(tmp_path: Path) -> None:
    """attrition_per_year = 0.7 in case.toml: over its bound of 0.5, a share per year."""
    case_dir = copy_tiny(tmp_path)
    replace("case.toml", "attrition_per_year = 0.1", "attrition_per_year = 0.7")(case_dir)
    line = next(
        i
        for i, text in enumerate((case_dir / "case.toml").read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith("attrition_per_year = 0.7")
    )
    (nl_code, nl), (en_code, en) = _both(["validate", str(case_dir)])
    assert nl_code == en_code == 2
    assert f"case.toml, regel {line}: " in nl and "attrition_per_year = 0.7" in nl
    assert "een getal ≥ 0 en ≤ 0,5 (aandeel per jaar)" in nl
    assert nl.splitlines()[-1] == "1 probleem gevonden; pas de invoer aan en voer de opdracht opnieuw uit."
    assert f"case.toml, line {line}: " in en
    assert "a number ≥ 0 and ≤ 0.5 (share per year)" in en
    assert en.splitlines()[-1] == "1 problem found; fix the input and run again."
    assert TRACEBACK not in nl + en
    _no_english(nl)


def test_bad_scenario_csv_row_through_solve(tmp_path: Path) -> None:
    """inflow.csv line 3: a category the model does not know and a negative count."""
    case_dir = copy_tiny(tmp_path)
    replace(f"{SET}/inflow.csv", "low,2026-01,nareis,5", "low,2026-01,nareiss,-5")(case_dir)
    inflow = str(case_dir / SET / "inflow.csv")
    (nl_code, nl), (en_code, en) = _both(["solve", str(case_dir), "--runs-dir", str(tmp_path / "runs")])
    assert nl_code == en_code == 2
    assert f"{inflow}, rij 3: category = nareiss — een van first, nareis, repeat" in nl
    assert f"{inflow}, row 3: category = nareiss — one of first, nareis, repeat" in en
    assert f"{inflow}, rij 3: persons = -5 — een getal >= 0 en <= " in nl
    assert "(personen die in de periode aankomen)" in nl
    assert "(persons arriving in the period)" in en
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())  # nothing solved
    assert TRACEBACK not in nl + en
    _no_english(nl)


def test_bad_table_cell_names_row_and_column(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    replace("series.csv", "2026-02,10,0.6,0.02", "2026-02,10,sixty,0.02")(case_dir)
    (_, nl), (_, en) = _both(["validate", str(case_dir)])
    assert "series.csv, rij 3: permit_share = sixty — een getal ≥ 0 en ≤ 1 (aandeel)" in nl
    assert "series.csv, row 3: permit_share = sixty — a number ≥ 0 and ≤ 1 (share)" in en
    _no_english(nl)


def test_unknown_scenario_set_names_the_sets_there_and_the_closest(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    (nl_code, nl), (en_code, en) = _both(["solve", str(case_dir), "--scenarios", "tow"])
    assert nl_code == en_code == 2
    sets = case_dir / "scenarios"
    assert f"{sets / 'tow'}: scenarioset = map bestaat niet — een map met scenarios.csv, inflow.csv en " in nl
    assert f"scenariosets in {sets}: two (bedoelt u two?)" in nl
    assert f"{sets / 'tow'}: scenario set = no such folder — a folder with scenarios.csv" in en
    assert f"sets in {sets}: two (did you mean two?)" in en
    assert TRACEBACK not in nl + en
    _no_english(nl)


def test_unknown_settings_key_suggests_the_real_one(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    replace("case.toml", "attrition_per_year = 0.1", "attrition_per_year = 0.1\natrition = 0.1")(case_dir)
    (_, nl), (_, en) = _both(["validate", str(case_dir)])
    assert re.search(
        r"case\.toml, regel \d+: \w+\.atrition = 0\.1 — onbekende sleutel in \[\w+\] "
        r"\(bedoelt u attrition_per_year\?\)",
        nl,
    ), nl
    assert "no such key in [" in en and "(did you mean attrition_per_year?)" in en
    _no_english(nl)


def test_missing_case_folder_is_named_once(tmp_path: Path) -> None:
    """The folder itself is the problem: named as given, not ``DIR/DIR``."""
    missing = tmp_path / "geen-casus"
    (nl_code, nl), (_, en) = _both(["validate", str(missing)])
    assert nl_code == 2
    m = missing
    assert nl.splitlines()[0] == f"{m}: (casusmap) = (ontbreekt) — een map met case.toml en CSV-tabellen"
    assert en.splitlines()[0] == f"{m}: (case folder) = (missing) — a folder with case.toml and CSV tables"


@pytest.mark.parametrize("broken", BROKEN, ids=str)
def test_every_broken_fixture_is_reported_in_dutch(broken: Broken, tmp_path: Path) -> None:
    """Each validation rule's broken copy of tiny-case: the Dutch lines name the same file
    and field as the English ones, with no English words, exit 2."""
    case_dir = make_broken(broken, tmp_path)
    (nl_code, nl), (en_code, en) = _both(["validate", str(case_dir)])
    assert nl_code == en_code == 2
    nl_lines = [line for line in nl.splitlines() if broken.file in line]
    en_lines = [line for line in en.splitlines() if broken.file in line]
    assert any(broken.field in line for line in nl_lines), nl
    assert len(nl_lines) == len(en_lines)
    assert TRACEBACK not in nl + en
    _no_english(nl)


# --------------------------------------------------------------------------- click's usage errors


@pytest.mark.parametrize(
    ("args", "dutch", "english"),
    [
        (["show"], "Fout: Argument 'RUN' ontbreekt.", "Error: Missing argument 'RUN'."),
        (
            ["solve", "--stages", "three"],
            "Fout: Ongeldige waarde voor '--stages': 'three' is niet een van 'two', 'yearly'.",
            "Error: Invalid value for '--stages': 'three' is not one of 'two', 'yearly'.",
        ),
        (
            ["solve", "--time-limit", "abc"],
            "Fout: Ongeldige waarde voor '--time-limit': 'abc' is geen eindig getal.",
            "Error: Invalid value for '--time-limit': 'abc' is not a valid finite float range.",
        ),
        (
            ["solve", "--workers", "0"],
            "Fout: Ongeldige waarde voor '--workers': 0 ligt niet in het bereik x>=1.",
            "Error: Invalid value for '--workers': 0 is not in the range x>=1.",
        ),
        (["solve", "--bogus"], "Fout: Onbekende optie '--bogus'.", "Error: No such option '--bogus'."),
        (["nosuch"], "Fout: Onbekende opdracht 'nosuch'.", "Error: No such command 'nosuch'."),
    ],
)
def test_usage_errors_in_both_languages(args: list[str], dutch: str, english: str) -> None:
    (nl_code, nl), (en_code, en) = _both(args)
    assert nl_code == en_code == 2
    assert dutch in nl, nl
    assert english in en, en
    assert nl.startswith("Gebruik: ") and "' voor uitleg." in nl.splitlines()[1]
    assert en.startswith("Usage: ") and "' for help." in en.splitlines()[1]
    assert TRACEBACK not in nl + en
    _no_english(nl, allowed=("OPTIONS", "COMMAND", "ARGS", "RUN", "CASE_DIR"))


def test_language_from_the_environment_when_the_line_names_none() -> None:
    code, en = _run(["show"], env={LANG_ENV: "en"})
    assert code == 2 and "Error: Missing argument 'RUN'." in en
    code, nl = _run(["show", "--lang", "nl"], env={LANG_ENV: "en"})  # the command line wins
    assert code == 2 and "Fout: Argument 'RUN' ontbreekt." in nl


def test_lang_is_read_before_parsing() -> None:
    assert lang_from_args([]) == "nl"
    assert lang_from_args(["solve", "--lang", "en"], {}) == "en"
    assert lang_from_args(["solve", "--lang=en", "--lang", "nl"], {}) == "nl"  # the last one, as click
    assert lang_from_args(["solve", "--lang", "de"], {}) == "nl"  # click refuses de itself
    assert lang_from_args(["solve", "--", "--lang", "en"], {}) == "nl"
    assert lang_from_args(["solve"], {LANG_ENV: "EN"}) == "en"
    assert lang_from_args(["solve"], {LANG_ENV: "fr"}) == "nl"


# --------------------------------------------------------------------------- the catalogue


def test_problem_lines_in_dutch_count_what_is_left_out() -> None:
    problems = [InputProblem("x.csv", "persons", "-1", "a number >= 0", row=r) for r in range(2, 1_205)]
    nl = problem_lines(problems, limit=2, lang="nl")
    assert nl[:2] == [
        "x.csv, rij 2: persons = -1 — een getal >= 0",
        "x.csv, rij 3: persons = -1 — een getal >= 0",
    ]
    assert nl[-1] == "x.csv: nog 1.201 problemen niet getoond"
    assert problem_lines(problems, limit=2)[-1] == "x.csv: 1,201 more problems not shown"  # English as before


def _sample(node: ast.expr) -> str | None:
    """A literal message with ``X`` for each formatted value; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)  # type: ignore[misc]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return None if left is None or right is None else left + right
    return None


MESSAGE_ARGS = {  # call -> positions of (found, allowed) or of the message
    "InputProblem": (2, 3),
    "Violation": (3, 4),
    "BadParameter": (0,),
    "UsageError": (0,),
    "ClickException": (0,),
    "RunStoreError": (0,),
    "ReportError": (0,),
    "ShockError": (0,),
    "SimulateInputError": (0,),
}
MESSAGE_KEYWORDS = {"found", "allowed", "message"}


def test_every_message_written_in_the_source_has_a_dutch_text() -> None:
    """Each literal found/allowed of an InputProblem or Violation and each message of a click
    error or a run-store error in src/: translated (a new English message without a Dutch
    text fails here, naming its file and line)."""
    untranslated: list[str] = []
    seen = 0
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in MESSAGE_ARGS:
                continue
            texts = [node.args[i] for i in MESSAGE_ARGS[name] if i < len(node.args)]
            texts += [k.value for k in node.keywords if k.arg in MESSAGE_KEYWORDS]
            for text in filter(None, map(_sample, texts)):
                if not re.search(r"[a-zA-Z]", text.replace("X", "")):
                    continue  # a value only (X/X)
                seen += 1
                if to_dutch(text) == text:
                    untranslated.append(f"{path.relative_to(SRC)}:{node.lineno}: {text!r}")
    assert seen > 100  # the scan found the messages
    assert not untranslated, "\n".join(untranslated)


def _fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[tuple[str, object]]:
    if model in seen:
        return []
    seen.add(model)
    out: list[tuple[str, object]] = []
    for name, info in model.model_fields.items():
        out.append((f"{model.__name__}.{name}", info))
        stack = [info.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                out += _fields(annotation, seen)
            stack += list(getattr(annotation, "__args__", ()))
    return out


def test_every_field_range_and_unit_has_dutch_words() -> None:
    """What each settings key and table column allows (io/fields.py), in Dutch; every unit known."""
    seen: set[type[BaseModel]] = set()
    fields = []
    for model in (Settings, *(spec.model for spec in TABLES), SOURCE_LIST.model):
        fields += _fields(model, seen)
    assert len(fields) > 100
    for name, info in fields:
        english = allowed_range(info)  # type: ignore[arg-type]
        assert to_dutch(english) != english, f"{name}: {english!r}"
        unit = unit_of(info)  # type: ignore[arg-type]
        assert not unit or unit in UNIT_NL, f"{name}: unit {unit!r} has no Dutch word"


def test_pydantic_messages_of_a_preset_are_dutch() -> None:
    """A preset's errors are pydantic's own words (no field range): translated too."""
    with pytest.raises(ValidationError) as info:
        Policy.model_validate({"name": "x", "funding_ratio_min": "veel", "bogus": 1})
    for error in info.value.errors():
        assert to_dutch(error["msg"]) != error["msg"], error["msg"]


def test_english_stays_english() -> None:
    for text in ("a number ≥ 0 (share)", "Missing argument 'RUN'.", "(empty)"):
        assert localise(text, "en") == text
    assert to_dutch("hist-50") == "hist-50"  # a name is no message


def test_languages_match_the_reports() -> None:
    from bekostiging.messages import DEFAULT_LANG, LANGS
    from bekostiging.report import i18n

    assert LANGS == i18n.LANGS
    assert DEFAULT_LANG == i18n.DEFAULT_LANG


def test_tiny_case_is_valid_in_both_languages() -> None:
    """No problem, no message: the good case passes quietly whatever the language."""
    (nl_code, nl), (en_code, en) = _both(["validate", str(TINY_CASE)])
    assert nl_code == en_code == 0
    assert nl == en == ""


def test_excel_import_names_sheet_cell_in_dutch(tmp_path: Path) -> None:
    """A bad value in the workbook: the Dutch line names the workbook, row and cell."""
    from openpyxl import load_workbook

    from bekostiging.io.case import load_case
    from bekostiging.io.excel import export_case_xlsx

    workbook = export_case_xlsx(load_case(TINY_CASE), tmp_path / "tiny.xlsx")
    wb = load_workbook(workbook)
    wb["series"]["C6"] = "sixty"
    wb.save(workbook)
    (nl_code, nl), (en_code, en) = _both(["case", "import", str(workbook), "--to", str(tmp_path / "uit")])
    assert nl_code == en_code == 2
    assert "tiny.xlsx, rij 6, cel series!C6: permit_share = sixty — een getal ≥ 0 en ≤ 1 (aandeel)" in nl
    assert "tiny.xlsx, row 6, column series!C6: permit_share = sixty — a number ≥ 0 and ≤ 1 (share)" in en
    assert not (tmp_path / "uit").exists()
    _no_english(nl)


def test_a_group_without_a_command_shows_its_help_as_it_is() -> None:
    """``bekostiging`` alone: click's help (help texts stay as they are), not an error line."""
    code, err = _run([])
    result = CliRunner().invoke(main, [], env={LANG_ENV: ""})
    assert result.output.startswith("Usage: ") and "Fout:" not in result.output and "Fout:" not in err
    assert code == result.exit_code
