"""The one switch of the garbage collector: overlapping pauses never switch it on under each other."""

from __future__ import annotations

import gc
import threading

import pytest

from models.storage import bulk, collector


def test_overlapping_pauses_keep_the_collector_off_until_the_last_ends() -> None:
    assert gc.isenabled()
    collector.hold()
    collector.hold()
    collector.release()
    assert not gc.isenabled(), "the first pause to end switched the collector on under the second"
    collector.release()
    assert gc.isenabled()


def test_bulk_reads_on_two_threads_overlapping() -> None:
    """Thread A's bulk read ends while thread B's is still running: B keeps the collector off."""
    inside_b = threading.Event()
    a_done = threading.Event()
    seen: list[bool] = []

    def b() -> None:
        with bulk.bulk_work():
            inside_b.set()
            a_done.wait(10)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=b)
    with bulk.bulk_work():
        thread.start()
        inside_b.wait(10)
    a_done.set()
    thread.join(10)
    assert seen == [False]
    assert gc.isenabled()


def test_a_bulk_read_inside_a_background_hold_does_not_switch_it_on() -> None:
    collector.hold(collect_first=True)
    try:
        with bulk.bulk_work():
            pass
        assert not gc.isenabled()
    finally:
        collector.release()
    assert gc.isenabled()


def test_releasing_more_than_held_is_a_bug_not_a_silent_switch() -> None:
    with pytest.raises(RuntimeError, match="released more often"):
        collector.release()
    assert gc.isenabled()
