"""Neural Playground: a NumPy multilayer perceptron you can watch, edit and step through."""

import os

# The matrices here are tiny (at most 16 x 16 per layer). A multi-threaded BLAS spends
# more time waking threads than multiplying, and on a busy 2-core machine a 10,000 x 7
# by 7 x 8 product went from 0.1 ms to 1.5-8 ms. One thread per process, always.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from threadpoolctl import threadpool_limits  # noqa: E402  (numpy may be imported already)

threadpool_limits(limits=1, user_api="blas")
