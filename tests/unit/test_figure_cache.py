"""The cockpit's per-process figure cache: never older than its TTL, refreshed ahead while in use."""
import threading

import pytest

from engine.reads import cockpit
from engine.reads.cockpit import FigureCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(cockpit.time, "monotonic", fake)
    return fake


def test_a_fresh_entry_is_served_and_an_expired_one_recomputed(clock):
    cache, computed = FigureCache(), []
    compute = lambda: computed.append(1) or len(computed)  # noqa: E731
    assert cache.read("k", 60, compute, compute) == 1
    clock.now += 20
    assert cache.read("k", 60, compute, compute) == 1 and len(computed) == 1
    clock.now += 41                                         # 61 s old: never served
    assert cache.get("k", 60) is None
    assert cache.read("k", 60, compute, compute) == 2


def test_a_read_in_the_second_half_refreshes_in_the_background(clock):
    cache, done = FigureCache(), threading.Event()

    def refresh():
        done.set()
        return "new"

    cache.read("k", 60, lambda: "old", refresh)
    clock.now += 31
    assert cache.read("k", 60, lambda: "unused", refresh) == "old"   # the reader does not wait
    assert done.wait(5)
    for _ in range(100):
        if cache.get("k", 60) == "new":
            break
        threading.Event().wait(0.01)
    assert cache.get("k", 60) == "new"


def test_a_failed_refresh_leaves_the_entry_to_expire(clock, caplog):
    cache = FigureCache()
    cache.read("k", 60, lambda: "old", None)
    clock.now += 45

    def broken():
        raise RuntimeError("database gone")

    assert cache.read("k", 60, lambda: "unused", broken) == "old"
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.daemon:
            thread.join(2)
    assert cache.get("k", 60) == "old" and "cockpit refresh" in caplog.text
    clock.now += 16
    assert cache.get("k", 60) is None


def test_the_cache_stays_small(clock):
    cache = FigureCache(max_entries=2)
    for key in "abc":
        cache.put(key, key)
    assert [cache.get(k, 60) for k in "abc"] == [None, "b", "c"]
