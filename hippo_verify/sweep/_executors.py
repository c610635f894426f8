"""Where the tasks run: in this process, in a local process pool, or on a Dask cluster.

Each executor takes the task list and yields the records as they finish (in any order);
all three run the same function, ``_task.run_task``, which reads and writes the same
on-disk oracle cache. The Dask path needs the ``distributed`` package (the ``dask``
extra: ``pip install 'hippo-verify[dask]'``).
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager

from .._errors import InvalidArgumentError
from ._task import run_task

__all__ = ["dask_records", "pool_records", "serial_records"]


def serial_records(tasks: Sequence[dict]) -> Iterator[dict]:
    """Run the tasks one after another in this process."""
    for task in tasks:
        yield run_task(task)


def start_method() -> str:
    """ "fork" on Linux (workers start at once with the modules already imported; each task
    sets torch to its own thread count first, as torch's DataLoader workers do), "spawn"
    elsewhere."""
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def pool_records(tasks: Sequence[dict], workers: int) -> Iterator[dict]:
    """Run the tasks in ``workers`` processes (``start_method()``). A worker that dies
    breaks the pool: finished records have been yielded already, the rest raise
    ``BrokenProcessPool``."""
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_task, task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def _distributed():
    try:
        import distributed
    except ImportError:
        raise InvalidArgumentError(
            "--dask needs the distributed package: pip install 'hippo-verify[dask]'"
        ) from None
    return distributed


@contextmanager
def _client(address: str, workers: int):
    """A client of the scheduler at ``address``; ``local`` starts a LocalCluster of
    ``workers`` single-threaded worker processes for the duration."""
    distributed = _distributed()
    if address == "local":
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
    else:
        with distributed.Client(address, timeout="30s") as client:
            yield client


def dask_records(tasks: Sequence[dict], address: str, workers: int = 2) -> Iterator[dict]:
    """Run the tasks on the Dask cluster at ``address`` (``tcp://host:port``, or ``local``
    for a LocalCluster of ``workers`` processes). Dask reschedules the tasks of a worker
    that dies; the records come back as they finish."""
    distributed = _distributed()
    with _client(address, workers) as client:
        futures = client.map(run_task, list(tasks), key=[f"hv-{t['id']}" for t in tasks])
        try:
            for future in distributed.as_completed(futures):
                yield future.result()
        finally:
            client.cancel(futures)
