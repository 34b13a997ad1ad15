"""What the CLI's commands share: endpoint options, settings from flags, the reporter."""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from briefer.config import Settings, load_settings
from briefer.errors import EXIT_CODES, InternalError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_HELP = "\b\nExit codes:\n" + "\n".join(
    f"  {code:>3}  {text}" for code, text in EXIT_CODES.items()
)


def _joined(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> str | None:
    """Repeated ``--base-url``: one comma list, as the setting takes it (None: not given)."""
    return ",".join(value) or None


def endpoint_options(func: F) -> F:
    """Options shared by every command that talks to a model."""
    options = [
        click.option(
            "--base-url",
            multiple=True,
            callback=_joined,
            help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1; repeat it (or "
            "give a comma list) for a fleet of identical servers [env OPENAI_BASE_URL]",
        ),
        click.option("--model", help="model name [env BRIEFER_MODEL]"),
        click.option("--api-key", help="API key [env OPENAI_API_KEY]"),
        click.option("--timeout", type=click.FloatRange(min=1), help="seconds per model request"),
        click.option(
            "--retries",
            "max_retries",
            type=click.IntRange(min=0),
            help="retries on rate limits, server and connection errors [default: 3]",
        ),
        click.option("--temperature", type=click.FloatRange(0, 2), help="sampling temperature"),
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="TOML config file [default: ~/.config/briefer/config.toml]",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def batch_options(func: F) -> F:
    """``--batch`` and how it waits, for the commands that brief many articles."""
    options = [
        click.option(
            "--batch",
            is_flag=True,
            help="send the model requests through the OpenAI Batch API (half price, answers "
            "within 24 h); the batch id is stored, so a rerun resumes it",
        ),
        click.option(
            "--no-wait",
            is_flag=True,
            help="with --batch: submit, store the batch id and exit; run again to collect",
        ),
        click.option(
            "--poll",
            type=click.FloatRange(min=0.01),
            default=30.0,
            show_default=True,
            help="with --batch: seconds before the first look at a batch, doubled up to 10 min",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def settings_from(options: dict[str, Any]) -> Settings:
    config_file = options.pop("config_file", None)
    return load_settings(options, config_file=config_file)


class Reporter:
    """Progress and results on stderr; silent when asked or when stderr is not a terminal."""

    def __init__(self, quiet: bool, *, debug: bool = False) -> None:
        self.debug = debug
        self.console = Console(stderr=True, highlight=False)
        self.live = not quiet and self.console.is_terminal
        self.quiet = quiet
        self._status: Any = None
        self._label = ""

    @contextlib.contextmanager
    def status(self, label: str) -> Iterator[None]:
        """A spinner line for one piece of work; ``update`` shows its current step."""
        self._label = label
        if not self.live:
            yield
            return
        with self.console.status(label) as status:
            self._status = status
            try:
                yield
            finally:
                self._status = None

    @property
    def progress(self) -> Callable[[str], None] | None:
        """A progress callback, or None when nobody watches (then nothing is streamed)."""
        return self.update if self.live else None

    def update(self, step: str) -> None:
        if self._status is not None:
            self._status.update(f"{self._label} {step}")
        elif self.live:
            self.console.print(step, markup=False, style="dim")

    def done(self, text: str) -> None:
        if not self.quiet:
            self.console.print(text, markup=False, soft_wrap=True)

    def error(self, err: BaseException) -> None:
        # One line, always shown, even with --quiet.
        click.echo(f"briefer: error: {err}", err=True)

    def unexpected(self, origin: str, exc: BaseException) -> InternalError:
        """An exception outside the error tree: one line, the traceback only with --debug."""
        if self.debug:
            traceback.print_exception(exc, file=sys.stderr)
        err = InternalError.wrapping(origin, exc)
        self.error(err)
        return err
