"""Several inputs briefed at once (``briefer brief A B C …``), as many as the model's servers
take: the model's fleet bounds the requests in flight over inputs and their parts together, so
this is only a bounded executor with each input's result handed back as it finishes.

A failed input costs that input only, except for errors that would fail every input (endpoint
unreachable, key rejected, embedded model broken): those stop the work and are raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from briefer.errors import FATAL_FOR_BATCH, BrieferError, InternalError
from briefer.models import Article, Brief
from briefer.pipeline import Briefer
from briefer.stages import ProcessStages, Stages

K = TypeVar("K")
T = TypeVar("T")


def each(
    inputs: Sequence[K],
    work: Callable[[K], T],
    on_done: Callable[[K, T | BrieferError], None],
    *,
    workers: int,
    label: Callable[[K], str] = str,
) -> None:
    """``work(input)`` for every input, ``workers`` at a time; ``on_done`` is called in this
    thread as each finishes (in input order among those finishing together)."""
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    futures: dict[Future[T], tuple[int, K]] = {
        pool.submit(work, key): (n, key) for n, key in enumerate(inputs)
    }
    try:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: futures[f][0]):
                key = futures[future][1]
                error = future.exception()
                if error is None:
                    on_done(key, future.result())
                elif isinstance(error, FATAL_FOR_BATCH):
                    raise error
                elif isinstance(error, BrieferError):
                    on_done(key, error)
                elif isinstance(error, Exception):  # a bug costs this input only
                    on_done(key, InternalError.wrapping(label(key), error))
                else:
                    raise error
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


@dataclass
class Written:
    """One input briefed: its brief, the files written, the seconds it took."""

    brief: Brief
    paths: list[Path]
    seconds: float


def unique_stem(stem: str, used: set[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3`` … when an earlier input took it."""
    candidate, n = stem, 1
    while candidate in used:
        n += 1
        candidate = f"{stem}-{n}"
    used.add(candidate)
    return candidate


def brief_and_write(
    briefer: Briefer,
    specs: Sequence[str],
    out_dir: Path,
    formats: Sequence[str],
    on_done: Callable[[str, Written | BrieferError], None],
    *,
    max_words: int | None = None,
) -> None:
    """Load every input, name its files in input order, then brief and write them as many at a
    time as the model's servers take (``briefer.model.slots``); ``on_done`` gets each. With
    ``processes`` > 1 in the settings, the CPU work of each brief runs in that many worker
    processes (``briefer.stages``), the model calls here."""
    processes = min(briefer.settings.processes, len(specs))
    if processes > 1:
        with ProcessStages(briefer.settings, processes) as stages:
            _brief_and_write(briefer, specs, out_dir, formats, on_done, max_words, stages)
    else:
        _brief_and_write(briefer, specs, out_dir, formats, on_done, max_words, None)


def _brief_and_write(
    briefer: Briefer,
    specs: Sequence[str],
    out_dir: Path,
    formats: Sequence[str],
    on_done: Callable[[str, Written | BrieferError], None],
    max_words: int | None,
    stages: Stages | None,
) -> None:
    workers = briefer.model.slots
    inputs = list(enumerate(specs))
    articles: dict[int, Article] = {}

    def loaded(key: tuple[int, str], result: Article | BrieferError) -> None:
        if isinstance(result, BrieferError):
            on_done(key[1], result)
        else:
            articles[key[0]] = result

    each(inputs, lambda key: briefer.load(key[1]), loaded, workers=workers, label=_spec)
    used: set[str] = set()
    jobs = [(n, spec) for n, spec in inputs if n in articles]
    stems = {n: unique_stem(articles[n].id, used) for n, _ in jobs}

    def work(key: tuple[int, str]) -> Written:
        started = time.monotonic()
        brief = briefer.brief(articles[key[0]], max_words=max_words, stages=stages)
        paths = briefer.write(brief, out_dir, stems[key[0]], formats, stages=stages)
        return Written(brief, paths, time.monotonic() - started)

    each(jobs, work, lambda key, result: on_done(key[1], result), workers=workers, label=_spec)


def _spec(key: tuple[int, str]) -> str:
    return key[1]
