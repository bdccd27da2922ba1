"""A fork server for tests/test_crash.py: imports kgraph once, then for each command forks a child that runs
``kgraph remove`` on a folder with every file write instrumented, so the test can SIGKILL it at a chosen step.

Commands, one per line on stdin, fields split by tabs: ``FOLDER<TAB>STOP<TAB>ARTICLE_ID...``; STOP is
``N STEP``, the N-th time (from 0) the child passes STEP, or ``-`` for never. A step is named by what it does
(``half-written temp file``, ``renamed to graph.json``, ...) and counted by name, not by its place among all
steps: the query store is written on a thread of its own beside the other exports, so its steps fall between
theirs at a different place in each run, while the order of each thread's own steps is fixed. For each command
it prints ``pid N``, then each step the child passes, then ``stopped STEP`` when the child waits at STOP to be
killed (the other thread may print more steps after it), and ``exit STATUS`` once the child is gone. It forks from a process that has not yet written anything (no database threads), which a
forking test process could not promise.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter


def instrument(stop_at: tuple[int, str] | None) -> None:
    """Make every file write in this process report its steps on stdout, and hang at step ``stop_at``
    (occurrence, name)."""
    passed: Counter[str] = Counter()
    lock = threading.Lock()
    real_fdopen, real_replace = os.fdopen, os.replace

    def step(name: str) -> None:
        with lock:
            occurrence = passed[name]
            passed[name] += 1
            if (occurrence, name) == stop_at:
                print(f"stopped {name}", flush=True)
            else:
                print(name, flush=True)
                return
        while True:
            time.sleep(60)

    class HalfThenStep:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            half = len(data) // 2
            self.handle.write(data[:half])
            self.handle.flush()
            step("half-written temp file")
            return self.handle.write(data[half:]) + half

        def __getattr__(self, attr):
            return getattr(self.handle, attr)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

    def fdopen(fd, mode="r", *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        return HalfThenStep(handle) if "w" in mode else handle

    def replace(src, dst, *args, **kwargs):
        real_replace(src, dst, *args, **kwargs)
        step(f"renamed to {os.path.basename(dst)}")

    os.fdopen, os.replace = fdopen, replace


def serve() -> None:
    from kgraph.build import remove

    print("ready", flush=True)
    for command in sys.stdin:
        folder, stop, *article_ids = command.rstrip("\n").split("\t")
        stop_at = None if stop == "-" else (int(stop.split(" ", 1)[0]), stop.split(" ", 1)[1])
        pid = os.fork()
        if pid == 0:
            try:
                instrument(stop_at)
                remove(article_ids, folder)
                os._exit(0)
            except BaseException:  # noqa: BLE001 - the child must never return into the server loop
                os._exit(3)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {status}", flush=True)


if __name__ == "__main__":
    serve()
