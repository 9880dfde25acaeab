"""Registers every sub-command module on the main group (one import per module)."""
from bekostiging.cli import (
    case,  # noqa: F401  (validate, case export|import)
    scenarios,  # noqa: F401  (scenarios generate|show)
)
