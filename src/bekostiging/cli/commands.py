"""Registers every sub-command module on the main group (one import per module)."""

from bekostiging.cli import (
    analytics,  # noqa: F401  (value, evaluate)
    case,  # noqa: F401  (validate, case export|import)
    history,  # noqa: F401  (history show)
    init,  # noqa: F401  (init)
    options,  # noqa: F401  (options)
    runs,  # noqa: F401  (runs, show, compare, report, rerun)
    saa,  # noqa: F401  (saa)
    scenarios,  # noqa: F401  (scenarios generate|show|backtest)
    simulate,  # noqa: F401  (simulate)
    solve,  # noqa: F401  (solve)
    sweep,  # noqa: F401  (sweep, frontier)
)
