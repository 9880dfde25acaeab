"""Policy presets: readable TOML files with a ``[policy]`` table (see ``data/policies/``).

A preset replaces the case's ``[policy]`` section for one solve. Presets are
found by path, or by name in ``<case>/policies/`` and then ``<case>/../policies/``
(the shipped ones: ``data/policies/status-quo.toml`` and the letter's five options).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from bekostiging.errors import InputErrors, InputProblem
from bekostiging.schema import Policy

PRESET_SUFFIX = ".toml"
STATUS_QUO = "status-quo"
LETTER_OPTIONS = (
    "flexpool",
    "asielreserve",
    "boven-mpp",
    "reservecapaciteit",
    "lagere-bezettingsgraad",
)
COMBINED = "combinatie"
ALL_PRESETS = (STATUS_QUO, *LETTER_OPTIONS, COMBINED)


def preset_dirs(case_dir: Path) -> list[Path]:
    return [case_dir / "policies", case_dir.parent / "policies"]


def resolve_policy(name_or_path: str, case_dir: Path) -> Path:
    """The preset file for a name or a path; InputErrors when there is none."""
    direct = Path(name_or_path)
    if direct.is_file():
        return direct
    for folder in preset_dirs(case_dir):
        candidate = folder / f"{name_or_path}{PRESET_SUFFIX}"
        if candidate.is_file():
            return candidate
    known = sorted({p.stem for d in preset_dirs(case_dir) if d.is_dir() for p in d.glob(f"*{PRESET_SUFFIX}")})
    raise InputErrors(
        [
            InputProblem(
                file=name_or_path,
                field="policy",
                found=name_or_path,
                allowed=f"a preset file, or one of: {', '.join(known) or '(no presets found)'}",
            )
        ]
    )


def load_policy(path: Path) -> Policy:
    """Read and validate a preset; every problem located by file and key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputErrors(
            [InputProblem(str(path), "file", "unreadable", f"valid TOML with a [policy] table ({exc})")]
        ) from exc
    table = raw.get("policy")
    if not isinstance(table, dict):
        raise InputErrors([InputProblem(str(path), "policy", "missing", "a [policy] table")])
    try:
        return Policy.model_validate(table)
    except ValidationError as exc:
        problems = [
            InputProblem(
                file=str(path),
                field="policy." + ".".join(str(x) for x in err["loc"]),
                found=repr(err.get("input")),
                allowed=err["msg"],
                column="policy." + ".".join(str(x) for x in err["loc"]),
            )
            for err in exc.errors()
        ]
        raise InputErrors(problems) from exc


def policy_for(name_or_path: str | None, case_dir: Path, default: Policy) -> Policy:
    """The policy of a solve: the preset named, else the case's own."""
    if name_or_path is None:
        return default
    return load_policy(resolve_policy(name_or_path, case_dir))
