"""The graph: model, build, linking, queries, stores and exports.

Linking multiplies many small matrices; a multi-threaded BLAS only spins on those (measured: 40 → 26 ms
CPU per document), so numpy's thread pools default to one thread unless the user has chosen otherwise.
"""

import os as _os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")
