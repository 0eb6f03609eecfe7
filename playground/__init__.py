"""Neural Playground: a NumPy multilayer perceptron you can watch, edit and step through."""

import os

# The matrices here are tiny (at most 16 x 16 per layer). A multi-threaded BLAS spends
# more time waking threads than multiplying, and on a busy 2-core machine a 10,000 x 7
# by 7 x 8 product went from 0.1 ms to 1.5-8 ms. One thread per process, always.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from threadpoolctl import threadpool_limits  # noqa: E402  (numpy may be imported already)

threadpool_limits(limits=1, user_api="blas")


def _keep_freed_memory() -> None:
    """Ask glibc's malloc to reuse freed arrays instead of returning them to the system.

    A grid forward pass keeps every layer's values (the heatmaps need them): a dozen
    arrays of ~0.6 MB, each above malloc's default mmap threshold, so each one came as
    fresh pages from the kernel and was page-faulted in: 8.3 ms for the MAX network's
    100 x 100 grid, against 1.7 ms with the memory reused. Elsewhere than glibc: no-op.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 128 << 20)


_keep_freed_memory()
