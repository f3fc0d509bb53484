"""One BLAS thread for the small matrix products made while answering a request.

numpy's OpenBLAS keeps its worker threads spinning for a while after each product. On a two-core
machine they then take the cores the sentence encoder needs for the next request, which made the
encoder up to twice as slow on long messages (docs/BENCHMARKS.md). The products made per request
(a few clauses against a few thousand vectors) gain nothing from a second thread anyway.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from typing import Any

_controller: Any = None
_lock = threading.Lock()


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which numpy's (and FAISS's) BLAS run on a single thread."""
    global _controller
    if _controller is None:
        with _lock:
            if _controller is None:
                from threadpoolctl import ThreadpoolController

                _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")
