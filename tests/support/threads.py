"""Work that must race: each piece on its own thread, all released together."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def at_once(works: Sequence[Callable[[], T]], timeout: float = 60.0) -> tuple[list[T], list[BaseException]]:
    """Runs every one of `works` on its own thread, released together by a barrier. Returns the results
    of those that returned (in the order given) and the errors of those that raised."""
    barrier = threading.Barrier(len(works))

    def run(work: Callable[[], T]) -> T:
        barrier.wait(timeout=10)
        return work()

    results: list[T] = []
    errors: list[BaseException] = []
    with ThreadPoolExecutor(len(works)) as pool:
        for future in [pool.submit(run, work) for work in works]:
            error = future.exception(timeout=timeout)
            if error is None:
                results.append(future.result())
            else:
                errors.append(error)
    return results, errors
