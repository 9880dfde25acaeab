"""OpenBLAS's thread count in this process, for the length of a simulated path.

numpy and scipy each load their own OpenBLAS (``scipy_openblas64_`` and ``scipy_openblas``),
which by default start a thread per core and keep them spinning for a while after each call.
The simulation calls BLAS only on tiny arrays (the lookahead's log-AR(1) fit: L-BFGS-B on five
parameters at every planning year), where the extra threads do no work but burn the other
core: on nl-2026 (``hist-50`` path 1, lookahead) the path took 17.8 CPU s with the default
threads and 12.6 s with one, and the same cash (``bench/README.md``). On a 2-core machine
with 2 workers that spinning is taken from the other worker. :func:`blas_threads` sets every
loaded OpenBLAS to ``n`` threads and restores the old counts afterwards, through each
library's own ``*_set_num_threads`` (as ``threadpoolctl`` does); where the libraries cannot be
found (not Linux, another BLAS) it does nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

_MAPS = Path("/proc/self/maps")
# (setter, getter) symbol pairs: scipy-openblas 64-bit, scipy-openblas 32-bit, plain OpenBLAS
_SYMBOLS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)


def _loaded_openblas() -> tuple[str, ...]:
    """Paths of the OpenBLAS libraries mapped into this process (Linux)."""
    try:
        text = _MAPS.read_text()
    except OSError:
        return ()
    found = {line.split()[-1] for line in text.splitlines() if "openblas" in line and ".so" in line}
    return tuple(sorted(p for p in found if p.startswith("/")))


@lru_cache(maxsize=8)
def _controls(paths: tuple[str, ...]) -> tuple[tuple[object, object], ...]:
    out = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for setter, getter in _SYMBOLS:
            set_fn, get_fn = getattr(lib, setter, None), getattr(lib, getter, None)
            if set_fn is not None and get_fn is not None:
                set_fn.argtypes, set_fn.restype = [ctypes.c_int], None
                get_fn.argtypes, get_fn.restype = [], ctypes.c_int
                out.append((set_fn, get_fn))
                break
    return tuple(out)


def openblas_controls() -> tuple[tuple[object, object], ...]:
    """(set, get) of every loaded OpenBLAS; scipy's is loaded first (its L-BFGS-B uses it)."""
    import scipy.linalg  # noqa: F401  (maps scipy's OpenBLAS, as the lookahead's fit will)

    return _controls(_loaded_openblas())


@contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Every loaded OpenBLAS at ``n`` threads for the block (None: as they are), then restored."""
    if n is None:
        yield
        return
    controls = openblas_controls()
    old = [get() for _set, get in controls]  # type: ignore[operator]
    for set_fn, _get in controls:
        set_fn(n)  # type: ignore[operator]
    try:
        yield
    finally:
        for (set_fn, _get), k in zip(controls, old, strict=True):
            set_fn(k)  # type: ignore[operator]
