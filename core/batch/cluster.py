"""A Dask client: on a local cluster sized to the machine, or on an existing scheduler."""

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import LipSyncError

CONNECT_TIMEOUT_S = 20
WORKERS_TIMEOUT_S = 120
# Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 in their workers, which turns off glibc's
# dynamic mmap threshold: every numpy temporary over 128 KiB is then mmapped and faulted in
# afresh, and a line takes 2.5x longer (measured: 100 vs 40 ms per 3 s clip). Unset it.
WORKER_ENVIRON_UNSET = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator:
    """Yield a `distributed.Client`; closed (and a local cluster shut down) on exit.

    Without a scheduler address: a LocalCluster of `workers` processes (default: one per core),
    one thread each. With one (tcp://host:8786): connect, then wait for `workers` workers
    (default 1) so the batch does not sit in a queue that nothing serves.
    """
    import dask
    from distributed import Client, LocalCluster

    if scheduler is None:
        n_workers = workers or os.cpu_count() or 1
        with (
            dask.config.set(WORKER_ENVIRON_UNSET),
            LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as error:
        raise LipSyncError(f"{scheduler}: cannot reach the Dask scheduler ({error}).") from None
    with client:
        try:
            client.wait_for_workers(workers or 1, timeout=WORKERS_TIMEOUT_S)
        except TimeoutError:
            raise LipSyncError(
                f"{scheduler}: fewer than {workers or 1} Dask workers joined within "
                f"{WORKERS_TIMEOUT_S} s; start them with `dask worker {scheduler}`."
            ) from None
        yield client
