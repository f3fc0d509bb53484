import numpy as np  # noqa: F401 - loads the BLAS whose threads are limited
from threadpoolctl import threadpool_info

from retrieval.blas import one_blas_thread


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_request_time_products_run_on_one_blas_thread_and_the_setting_is_restored_after() -> None:
    before = _blas_threads()
    with one_blas_thread():
        assert set(_blas_threads()) == {1}
    assert _blas_threads() == before
