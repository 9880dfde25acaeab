"""Files in, validated objects out (and back): cases, Excel workbooks, scenario sets.

The model never reads files; everything it sees went through these loaders, which
report every input problem at once as ``bekostiging.errors.InputErrors``.
"""

from bekostiging.io.case import load_case, save_case

__all__ = ["load_case", "save_case"]
