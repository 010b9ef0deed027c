"""Preparing inputs while the model runs: an ordered map over a bounded pool of threads, and
an iterator read ahead in a background thread.

Image decoding (OpenCV), affine warps and the model's runtimes (PyTorch, OpenVINO,
onnxruntime) release the GIL while they compute, so threads overlap them; the bound on the
items in flight keeps the memory of a long folder or video flat.
"""
import collections
import contextlib
import itertools
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Deque, Iterable, Iterator, Optional, TypeVar

Item = TypeVar('Item')
Result = TypeVar('Result')


def ordered_map(fn: Callable[[Item], Result], items: Iterable[Item], workers: int,
                window: Optional[int] = None) -> Iterator[Result]:
    """``map(fn, items)``, computed ahead by ``workers`` background threads.

    Results come in the order of ``items``. At most ``window`` items (default ``2 * workers``)
    are submitted beyond the one the caller is holding. An exception raised by ``fn`` is raised
    here when its item's turn comes, as the sequential map would; the items submitted after it
    are cancelled (those already running finish first). ``items`` is iterated in the calling
    thread.

    Args:
        workers: threads; 0: the plain sequential map in the calling thread.
        window: items submitted ahead, >= 1.
    """
    if workers < 0 or (window is not None and window < 1):
        raise ValueError(f'workers must be >= 0 and window >= 1, got {workers}, {window}')
    if workers == 0:
        yield from map(fn, items)
        return
    iterator = iter(items)
    pending: Deque[Future] = collections.deque()
    with ThreadPoolExecutor(workers, thread_name_prefix='prepare') as pool:
        try:
            pending.extend(pool.submit(fn, item)
                           for item in itertools.islice(iterator, window or 2 * workers))
            while pending:
                result = pending.popleft().result()
                pending.extend(pool.submit(fn, item) for item in itertools.islice(iterator, 1))
                yield result
        finally:
            # An exception, or a caller that stopped early: nothing more is started.
            for future in pending:
                future.cancel()


def prefetch(items: Iterable[Item], ahead: int) -> Iterator[Item]:
    """``items``, iterated by one background thread up to ``ahead`` items before the caller.

    For a source that must be read in order (a video, a folder decoded image by image): the
    next items are read while the caller works on the current ones. An exception of the
    iteration is raised when its turn comes; a caller that stops early stops the reading, and
    ``items`` is closed (if it is a generator) once the thread is done with it.

    Args:
        ahead: items read ahead, >= 1.
    """
    if ahead < 1:
        raise ValueError(f'ahead must be >= 1, got {ahead}')
    iterator = iter(items)
    end = object()
    # One worker runs the reads one after the other, in submission order.
    reads = ordered_map(lambda _: next(iterator, end), itertools.count(), 1, window=ahead)
    try:
        with contextlib.closing(reads):
            for item in reads:
                if item is end:
                    return
                yield item
    finally:
        close = getattr(iterator, 'close', None)
        if close is not None:
            close()
