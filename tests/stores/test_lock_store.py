from __future__ import annotations

import threading
import time

import pytest

from assistant.stores.lock_store import (
    InMemoryLockStore,
    LockTimeout,
    RedisLockStore,
    create_lock_store,
)


@pytest.fixture(params=["memory", "redis"])
def locks(request):  # type: ignore[no-untyped-def]
    if request.param == "memory":
        return InMemoryLockStore(timeout_s=2)
    return RedisLockStore(request.getfixturevalue("redis_url"), timeout_s=2, prefix=f"vha:test:{time.time_ns()}:")


def test_one_turn_at_a_time_per_conversation(locks) -> None:  # type: ignore[no-untyped-def]
    trace: list[str] = []

    def turn(name: str) -> None:
        with locks.lock("conv"):
            trace.append(f"{name}-start")
            time.sleep(0.05)
            trace.append(f"{name}-end")

    threads = [threading.Thread(target=turn, args=(f"t{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(trace) == 8
    for i in range(0, 8, 2):  # every start is immediately followed by its own end
        assert trace[i].replace("-start", "") == trace[i + 1].replace("-end", "")


def test_different_conversations_do_not_wait_for_each_other(locks) -> None:  # type: ignore[no-untyped-def]
    with locks.lock("a"):
        started = time.perf_counter()
        with locks.lock("b"):
            pass
    assert time.perf_counter() - started < 1.0


def test_busy_conversation_times_out_with_a_clear_error() -> None:
    locks = InMemoryLockStore(timeout_s=0.1)
    with locks.lock("busy"):
        errors: list[BaseException] = []

        def contender() -> None:
            try:
                with locks.lock("busy"):
                    pass
            except LockTimeout as exc:
                errors.append(exc)

        t = threading.Thread(target=contender)
        t.start()
        t.join()
    assert errors and isinstance(errors[0], LockTimeout)


def test_unknown_lock_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported lock store URL"):
        create_lock_store("zookeeper://x")
