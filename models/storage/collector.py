"""The one switch of Python's cyclic garbage collector, shared by every layer that pauses it.

Two kinds of work pause it, and they overlap:

- bulk work (`models.storage.bulk.bulk_work`): a million short-lived tuples are built, none in a
  cycle, and each allocation would count towards a collection that walks every live object;
- the desktop's background tasks (`desktop.work`): a collection triggered on a worker thread would
  destroy unreachable Qt objects there, off their thread, and crash.

Each pause is a hold on one counter, under a lock: the collector is switched off by the first hold
and back on by the last release, and only if it was on before the first. So a bulk read inside a
background task, or two bulk reads on two threads, never switch it on while another still needs
it off (each used to save and restore `gc.isenabled()` by itself, and the first to finish of two
overlapping pauses switched the collector on under the other).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holds = 0
_was_enabled = False


def hold(*, collect_first: bool = False) -> None:
    """Pause the collector until the matching `release`.

    `collect_first` collects the young generations before the pause when this is the first hold
    (the desktop does, on the GUI thread, so that the pause starts with little garbage waiting).
    """
    global _holds, _was_enabled
    with _lock:
        if _holds == 0:
            _was_enabled = gc.isenabled()
            if collect_first and _was_enabled:
                gc.collect(1)  # the young generations only: a full collection walks the whole heap
            gc.disable()
        _holds += 1


def release(*, age_survivors: bool = False) -> None:
    """End one hold; the last one switches the collector back on if it was on before the first.

    `age_survivors` moves everything the collector tracks to its oldest generation before it is
    switched on again (freezing and unfreezing is two list splices): otherwise the first allocation
    afterwards walks a bulk read's whole result, a million objects still in the youngest generation
    (about 0.15 s at 50,000 children).
    """
    global _holds
    with _lock:
        if _holds == 0:
            raise RuntimeError("the garbage collector was released more often than it was held")
        _holds -= 1
        if _holds == 0 and _was_enabled:
            if age_survivors:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def held() -> bool:
    """Whether any pause is in force."""
    return _holds > 0


@contextmanager
def paused(*, age_survivors: bool = False) -> Iterator[None]:
    """A `hold` for the block, released however it ends."""
    hold()
    try:
        yield
    finally:
        release(age_survivors=age_survivors)
