"""Run folders (store), progress display and run comparison; no Pyomo in here."""

from bekostiging.runs.store import (
    Manifest,
    RunAlteredError,
    RunRecord,
    RunStoreError,
    Terminated,
    find_run,
    list_runs,
    read_run,
    resolve_runs_dir,
    start_run,
    verify_run,
    write_run,
)

__all__ = [
    "Manifest",
    "RunAlteredError",
    "RunRecord",
    "RunStoreError",
    "Terminated",
    "find_run",
    "list_runs",
    "read_run",
    "resolve_runs_dir",
    "start_run",
    "verify_run",
    "write_run",
]
