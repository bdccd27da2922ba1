"""How a build works with Python's cyclic garbage collector.

A build holds millions of small objects that live until it ends: the extractions' index, the entities of
resolution, then the graph. The collector would rescan all of them each time the heap grows by a quarter,
up to half of resolution's and the exports' time, and find nothing: none of them is garbage, and the code
that makes them makes no cycles. So a build freezes what it keeps (:func:`long_lived_objects`) and pauses
the collector where it only makes objects that live on (:func:`collector_paused`).
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator

__all__ = ["collector_paused", "long_lived_objects"]


@contextlib.contextmanager
def long_lived_objects() -> Iterator[Callable[..., None]]:
    """Yield ``keep(collect=False)``, which tells the collector that every object alive now lives until the
    build ends (:func:`gc.freeze`); the build calls it as extractions pile up, and with ``collect`` (a full
    collection first, so no garbage is kept) once they are all in, and once the graph is built.

    Frozen objects are still freed when nothing refers to them; at the end they are handed back to the
    collector. A caller that froze objects itself is left alone.
    """
    def keep(collect: bool = False) -> None:
        if collect:
            gc.collect()
        gc.freeze()

    if gc.get_freeze_count():
        yield lambda collect=False: None
        return
    try:
        yield keep
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the collector (nothing made inside forms a cycle worth collecting); restart it as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
