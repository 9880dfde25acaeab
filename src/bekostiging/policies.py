"""Policy presets: readable TOML files with a ``[policy]`` table.

A preset replaces the case's ``[policy]`` section for one solve. Every command
(``solve --policy``, ``options``, ``value``, ``sweep``, ``frontier``) resolves a
preset the same way (``resolve_policy``):

1. a path to an existing file is that file;
2. a name is looked up as ``NAME.toml`` in, in this order,
   a. the folder given with ``--policies`` (an explicit choice on the command line wins),
   b. the case's own ``policies/`` folder (``bekostiging init`` puts a copy of the shipped
      presets there, to edit), for each case folder given (a run's stored copy, then its original),
   c. the presets shipped inside the package (``status-quo``, the 2021 letter's five
      options and ``combinatie``; ``bekostiging.shipped``).

The first file found wins; a name found nowhere is an input problem that lists every
preset name on offer and the folders searched.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bekostiging.errors import InputErrors, InputProblem
from bekostiging.schema import Policy
from bekostiging.shipped import POLICIES_FOLDER, ShippedDataMissingError, shipped_policies_dir

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
VARIANTS = ("asielreserve-huidig",)  # option 2 under today's rule (eindejaarsmarge), issue 9
ALL_PRESETS = (STATUS_QUO, *LETTER_OPTIONS, COMBINED, *VARIANTS)

CaseDirs = Path | Sequence[Path]


def _case_dirs(case_dirs: CaseDirs | None) -> list[Path]:
    if case_dirs is None:
        return []
    return [case_dirs] if isinstance(case_dirs, Path) else list(case_dirs)


def preset_dirs(case_dirs: CaseDirs | None = None, policies_dir: Path | None = None) -> list[Path]:
    """The folders a preset name is looked up in, first match wins (see the module docstring)."""
    folders = [policies_dir] if policies_dir is not None else []
    folders += [d / POLICIES_FOLDER for d in _case_dirs(case_dirs)]
    with contextlib.suppress(ShippedDataMissingError):  # without its data: the user's folders only
        folders.append(shipped_policies_dir())
    return list(dict.fromkeys(folders))


def available_presets(case_dirs: CaseDirs | None = None, policies_dir: Path | None = None) -> list[str]:
    """Every preset name on offer: the shipped ones in their fixed order, then the others by name."""
    folders = [d for d in preset_dirs(case_dirs, policies_dir) if d.is_dir()]
    names = {p.stem for d in folders for p in d.glob(f"*{PRESET_SUFFIX}")}
    known = [n for n in ALL_PRESETS if n in names]
    return known + sorted(names - set(known))


def resolve_policy(
    name_or_path: str, case_dirs: CaseDirs | None = None, policies_dir: Path | None = None
) -> Path:
    """The preset file for a name or a path; InputErrors when there is none."""
    direct = Path(name_or_path)
    if direct.is_file():
        return direct
    folders = preset_dirs(case_dirs, policies_dir)
    for folder in folders:
        candidate = folder / f"{name_or_path}{PRESET_SUFFIX}"
        if candidate.is_file():
            return candidate
    known = available_presets(case_dirs, policies_dir)
    raise InputErrors(
        [
            InputProblem(
                file=name_or_path,
                field="policy",
                found=name_or_path,
                allowed=f"a preset file, or one of: {', '.join(known) or '(no presets found)'} "
                f"(searched {', '.join(str(f) for f in folders)})",
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


def find_policy(
    name_or_path: str | None, case_dirs: CaseDirs | None, default: Policy, policies_dir: Path | None = None
) -> tuple[Policy, Path | None]:
    """The policy of a solve and the preset file it came from (``None``: ``default``, the case's own)."""
    if name_or_path is None:
        return default, None
    path = resolve_policy(name_or_path, case_dirs, policies_dir)
    return load_policy(path), path


def policy_for(
    name_or_path: str | None, case_dirs: CaseDirs | None, default: Policy, policies_dir: Path | None = None
) -> Policy:
    """The policy of a solve: the preset named (resolved as ``resolve_policy``), else ``default``."""
    return find_policy(name_or_path, case_dirs, default, policies_dir)[0]
