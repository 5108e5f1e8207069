"""One BLAS thread while a lip-sync job computes, as the command line runs (core.cli).

The students' matrix products are too small to gain from more BLAS threads, and on a busy
machine OpenBLAS's waiting threads cost several times the work itself
(reports/workflow_bench.md: Generate All 4.5x faster with one thread on two shared cores).
BLAS also sums in a thread-dependent order, so one thread gives the command line's numbers.
numpy's OpenBLAS is found in the library folder of its wheel and set through its own
`*_set_num_threads` call for the duration of the job, then set back; where there is none (a
numpy on Apple's Accelerate, another BLAS), nothing changes.
"""

import ctypes
import glob
import os
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

_PREFIXES = ("scipy_openblas", "openblas")  # numpy 2.x wheels, numpy 1.26 wheels
_SUFFIXES = ("64_", "")  # 64-bit integer interface, plain
_FOLDERS = ("../numpy.libs", ".dylibs", "../numpy.libs/.libs")


@lru_cache(maxsize=1)
def _openblas():
    """(get, set) thread-count functions of numpy's OpenBLAS, or None."""
    here = os.path.dirname(np.__file__)
    for folder in _FOLDERS:
        for path in sorted(glob.glob(os.path.join(here, folder, "*openblas*"))):
            try:
                library = ctypes.CDLL(path)  # numpy loaded it already: the same library
            except OSError:
                continue
            for prefix in _PREFIXES:
                for suffix in _SUFFIXES:
                    get = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
                    set_ = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
                    if get is not None and set_ is not None:
                        get.restype, set_.argtypes = ctypes.c_int, [ctypes.c_int]
                        return get, set_
    return None


@contextmanager
def one_blas_thread():
    """Run the block with one OpenBLAS thread (when numpy has OpenBLAS), then set it back."""
    functions = _openblas()
    if functions is None:
        yield
        return
    get, set_ = functions
    before = get()
    set_(1)
    try:
        yield
    finally:
        set_(before)
