"""One executor for all per-scenario work: local processes, serial, or a Dask cluster.

Scenario subproblems of the L-shaped method (``decompose.py``), ``evaluate``, the WS and
EEV solves of ``value``, sweeps and options all hand their independent pieces of work to
:func:`open_executor`. What runs them is chosen by the caller's ``kind`` or, when that is
None, by the environment, so a user moves the same command to a cluster without a code
change:

* ``BEKOSTIGING_EXECUTOR=processes`` (default): a local ``spawn`` process pool;
* ``BEKOSTIGING_EXECUTOR=serial``: in this process (debugging, one core);
* ``BEKOSTIGING_EXECUTOR=dask``: a Dask ``LocalCluster`` with one single-threaded worker
  process per worker;
* ``BEKOSTIGING_EXECUTOR=tcp://host:8786`` (any Dask scheduler address): that cluster.

``BEKOSTIGING_WORKERS`` sets the number of local workers when the caller gives none.

**Build once, then only data.** A job may carry a *spec*: a picklable object with a
``token`` and a ``build()`` method (for scenario work: the two-scenario template problem,
from which each worker builds its scenario LP). Each worker process builds the spec once
and keeps it in a per-process cache keyed by the token; afterwards the tasks carry only
scenario data. The process pool receives the spec once per worker through its initializer;
Dask receives it once per worker with ``scatter(broadcast=True)``.

Why Dask (``distributed``): pure pip, no MPI launcher or system libraries, a
``LocalCluster`` for tests and laptops and the same client API against a scheduler on a
cluster (``dask-jobqueue`` for SLURM/PBS); it ships Python functions and objects with
cloudpickle, so the problem's builders go as they are. Ray is heavier (its own object
store and daemons, ~200 MB wheels); MPI through mpi-sppy needs an ``mpiexec`` launch of the
whole program, which does not fit a CLI that also writes run folders.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

EXECUTOR_ENV = "BEKOSTIGING_EXECUTOR"
WORKERS_ENV = "BEKOSTIGING_WORKERS"
KINDS = ("processes", "serial", "dask")
# Worker processes come from a fork server: a fresh process (it never runs HiGHS, so no thread
# pool is forked) that has imported the modules below once; forking it costs milliseconds where
# a spawned interpreter re-imports Pyomo, HiGHS and pandas (~1.5 s a worker). "spawn" where
# there is no fork server (Windows, macOS default).
_PRELOAD = ["bekostiging.decompose", "bekostiging.analytics.evaluate", "bekostiging.model"]
CHUNKS_PER_WORKER = 4  # tasks are sent in chunks: fewer round trips, still balanced

T = TypeVar("T")
R = TypeVar("R")


class Spec(Protocol):
    """What a worker builds once per job: ``build()`` -> the worker's model, cached by ``token``."""

    token: str

    def build(self) -> Any: ...


_BUILT: dict[str, Any] = {}  # per process: spec token -> built model (the worker's cache)
_INSTALLED: dict[str, Spec] = {}  # per process: specs received through the pool initializer


def built(spec: Spec | str) -> Any:
    """The model of ``spec`` in this process, built on first use (a token: a spec installed earlier)."""
    if isinstance(spec, str):
        token = spec
        if token not in _BUILT:
            _BUILT[token] = _INSTALLED[token].build()
        return _BUILT[token]
    if spec.token not in _BUILT:
        _BUILT[spec.token] = spec.build()
    return _BUILT[spec.token]


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _install(token: str, payload: bytes) -> None:
    _INSTALLED[token] = pickle.loads(payload)


def _run_chunk(fn: Callable[..., R], spec: Spec | str | None, chunk: Sequence[Any]) -> list[R]:
    if spec is None:
        return [fn(x) for x in chunk]
    model = built(spec)
    return [fn(model, x) for x in chunk]


def resolve_kind(kind: str | None) -> str:
    """The executor kind: ``kind``, else ``$BEKOSTIGING_EXECUTOR``, else ``processes``."""
    value = kind or os.environ.get(EXECUTOR_ENV, "").strip() or "processes"
    if value in KINDS or "://" in value:
        return value
    raise ValueError(
        f"executor {value!r} ({EXECUTOR_ENV}): use one of {', '.join(KINDS)} or a Dask scheduler address "
        "such as tcp://host:8786"
    )


def resolve_workers(workers: int | None) -> int:
    """``workers``, else ``$BEKOSTIGING_WORKERS``, else ``os.cpu_count()``."""
    if workers is None:
        env = os.environ.get(WORKERS_ENV, "").strip()
        if env:
            try:
                workers = int(env)
            except ValueError as exc:
                raise ValueError(f"{WORKERS_ENV}={env!r}: give a whole number of workers") from exc
        else:
            workers = os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    return workers


def chunked(items: Sequence[T], n_chunks: int) -> list[list[T]]:
    """``items`` cut into at most ``n_chunks`` contiguous, nearly equal chunks (order kept)."""
    n = len(items)
    n_chunks = max(1, min(n_chunks, n))
    bounds = [round(i * n / n_chunks) for i in range(n_chunks + 1)]
    return [list(items[bounds[i] : bounds[i + 1]]) for i in range(n_chunks) if bounds[i] < bounds[i + 1]]


@dataclass
class Executor:
    """Runs ``fn`` over items on the chosen engine; with a spec, ``fn(model, item)``."""

    kind: str
    workers: int
    spec: Spec | None = None
    _pools: list[ProcessPoolExecutor] = field(default_factory=list)
    _client: Any = None
    _cluster: Any = None
    _spec_ref: Any = None
    _addresses: list[str] = field(default_factory=list)

    def start(self) -> None:
        if self.kind == "serial" or (self.workers <= 1 and self.kind == "processes"):
            self.kind = "serial"
            return
        if self.kind == "processes":
            context = _context()
            init: dict[str, Any] = {}
            if self.spec is not None:
                init = {"initializer": _install, "initargs": (self.spec.token, pickle.dumps(self.spec))}
            # one single-process pool per worker: chunk j always goes to worker j mod n, so a
            # worker sees the same scenarios every round (its caches: bases, row bounds)
            self._pools = [
                ProcessPoolExecutor(max_workers=1, mp_context=context, **init) for _ in range(self.workers)
            ]
            return
        from dask.distributed import Client, LocalCluster

        if self.kind == "dask":
            self._cluster = LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        else:
            self._client = Client(self.kind)
            self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        self._addresses = sorted(self._client.scheduler_info().get("workers", {}))
        if self.spec is not None:
            self._spec_ref = self._client.scatter(self.spec, broadcast=True)

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown()
        self._pools = []
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map(self, fn: Callable[..., R], items: Sequence[Any], chunks: int | None = None) -> list[R]:
        """``[fn(model, x) for x in items]`` (``fn(x)`` without a spec), in order."""
        if not items:
            return []
        if self.kind == "serial":
            return _run_chunk(fn, self.spec, items)
        parts = chunked(items, chunks or CHUNKS_PER_WORKER * self.workers)
        if self._pools:
            ref: Spec | str | None = None if self.spec is None else self.spec.token
            n = len(self._pools)
            futures = [self._pools[j % n].submit(_run_chunk, fn, ref, part) for j, part in enumerate(parts)]
            return [r for f in futures for r in f.result()]
        spec_ref = self._spec_ref
        addresses = self._addresses
        futures = [
            self._client.submit(
                _run_chunk, fn, spec_ref, part, pure=False, workers=[addresses[j % len(addresses)]]
            )
            for j, part in enumerate(parts)
        ]
        return [r for part in self._client.gather(futures) for r in part]


@contextmanager
def open_executor(
    workers: int | None = None, kind: str | None = None, spec: Spec | None = None
) -> Iterator[Executor]:
    """An :class:`Executor` for one job (see the module docstring for ``kind`` and ``spec``)."""
    ex = Executor(resolve_kind(kind), resolve_workers(workers), spec)
    ex.start()
    try:
        yield ex
    finally:
        ex.close()


def map_tasks(
    fn: Callable[[T], R], items: Sequence[T], workers: int | None, kind: str | None = None
) -> list[R]:
    """``[fn(x) for x in items]`` on the environment's executor (order kept)."""
    n = min(resolve_workers(workers), max(1, len(items)))
    if n <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    with open_executor(n, kind) as ex:
        return ex.map(fn, items)
