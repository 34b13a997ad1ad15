"""``briefer morning``: the day's digest now, every day at a time, or by a system timer."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from briefer.batching import BatchOptions
from briefer.cli.common import EXIT_HELP, Reporter, batch_options, endpoint_options
from briefer.config import Settings, load_settings
from briefer.errors import BrieferError, ConfigError, DeliveryError, InternalError
from briefer.morning.profile import Profile, check_name, load_profile, parse_duration
from briefer.morning.run import MorningResult, PlannedItem, run_morning
from briefer.morning.schedule import configure_logging, install_timer, parse_at, serve
from briefer.render.digest import NOT_INCLUDED_SHOWN
from briefer.render.output import parse_formats


def _at(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            parse_at(value)
        except ConfigError as err:
            raise click.BadParameter(err.message) from None
    return value


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            parse_duration(value)
        except ConfigError as err:
            raise click.BadParameter(err.message) from None
    return value


def _profile(options: dict[str, Any], config_file: Path | None) -> Profile:
    """The named profile with the command line's overrides, or one made of them."""
    name = options.pop("profile")
    sources = list(options.pop("sources"))
    overrides: dict[str, Any] = {
        "out_dir": options.pop("out_dir"),
        "since": options.pop("since"),
        "max_items": options.pop("max_items"),
        "topics": list(options.pop("topics")) or None,
        "formats": list(parse_formats(f)) if (f := options.pop("formats")) else None,
        "sources": sources or None,
    }
    if name is not None:
        profile = load_profile(name, config_file)
    elif not sources:
        raise ConfigError(
            "give --profile NAME or at least one --source",
            hint="a profile is a [profiles.NAME] table in the config file; see --help",
        )
    else:
        profile = Profile(sources=sources, out_dir=overrides["out_dir"] or Path())
    update = {k: v for k, v in overrides.items() if v is not None}
    return Profile.model_validate({**profile.model_dump(), **update})


def _settings(profile: Profile, flags: dict[str, Any], config_file: Path | None) -> Settings:
    return load_settings(flags, config_file=config_file, profile=profile.settings)


@click.group(invoke_without_command=True, epilog=EXIT_HELP)
@click.option("--profile", help="a [profiles.NAME] table of the config file")
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="a feed URL or file, a URL list, a folder of articles, or a page (repeatable; "
    "replaces the profile's sources)",
)
@click.option(
    "-o",
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="digests go to OUT_DIR/YYYY-MM-DD/ [profile's out_dir; with --source only: .]",
)
@click.option("--since", callback=_since, help="window, e.g. 24h or 2d [since the last run]")
@click.option("--at", callback=_at, help="stay running and make the digest every day at HH:MM")
@click.option("--topic", "topics", multiple=True, help="a topic that ranks items up (repeatable)")
@click.option("--max-items", type=click.IntRange(1, 200), help="items kept [12]")
@click.option("-f", "--format", "formats", help="md,json,pdf [all three]")
@click.option("--handling", help="handling banner of the PDFs [UNCLASSIFIED]")
@click.option(
    "--page-size",
    type=click.Choice(["a4", "letter"], case_sensitive=False),
    help="paper size [default: config page_size, else a4]",
)
@click.option("--max-cost", type=click.FloatRange(min=0, min_open=True), help="USD a run may spend")
@click.option("--max-tokens", type=click.IntRange(min=1), help="tokens a run may use")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="model calls in flight per server, items and parts together [default: 4 remote]",
)
@click.option("--dry-run", is_flag=True, help="print items, calls, tokens and cost; spend nothing")
@click.option("--no-mail", is_flag=True, help="do not mail the digest, even if configured")
@click.option(
    "--mail-again", is_flag=True, help="mail the day's digest even if it was mailed already"
)
@click.option("-q", "--quiet", is_flag=True, help="no progress or summary on stderr")
@click.option("--debug", is_flag=True, help="show the traceback of an unexpected error")
@batch_options
@endpoint_options
@click.pass_context
def morning(ctx: click.Context, /, **options: Any) -> None:
    """The morning brief: read the day's feeds, group same-story entries, brief each story and
    single entry once, and write one digest (OUT_DIR/YYYY-MM-DD/morning-brief.pdf, .md, .json,
    plus each item's brief under items/).

    \b
    briefer morning --profile asia                # one run now
    briefer morning --profile asia --at 06:30     # stay running, a run every day at 06:30
    briefer morning install-timer --profile asia --at 06:30   # systemd timer / cron line
    briefer morning --source FEED_OR_URL_OR_DIR... -o DIR
    """
    if ctx.invoked_subcommand is not None:
        return
    quiet, debug = options.pop("quiet"), options.pop("debug")
    at, dry_run, no_mail = options.pop("at"), options.pop("dry_run"), options.pop("no_mail")
    mail_again = options.pop("mail_again")
    batch = _batch(options)
    reporter = Reporter(quiet, debug=debug)
    config_file = options.pop("config_file")
    flags = {
        k: options.pop(k)
        for k in ("handling", "page_size", "max_cost", "max_tokens", "concurrency")
    }
    morning_options = {
        k: options.pop(k)
        for k in ("profile", "sources", "out_dir", "since", "max_items", "topics", "formats")
    }
    flags.update(options)  # the endpoint options

    def once() -> MorningResult:
        profile = _profile(dict(morning_options), config_file)
        settings = _settings(profile, flags, config_file)
        return run_morning(
            settings,
            profile,
            dry_run=dry_run,
            deliver=not no_mail,
            progress=reporter.progress,
            mail_again=mail_again,
            batch=batch,
        )

    try:
        if at is not None:
            _serve(once, at, morning_options.get("profile") or "default", quiet)
            return
        with reporter.status("Morning brief:"):
            result = once()
    except (KeyboardInterrupt, SystemExit) as exc:
        if isinstance(exc, SystemExit) and not exc.code:
            raise
        # Ctrl-C, or SIGTERM/SIGHUP from cron or systemd: the run is recorded as interrupted
        # and the embedded server released (both inside the run); worker threads may still
        # wait on a model or a page, and are not waited for.
        code = 130 if isinstance(exc, KeyboardInterrupt) else exc.code
        click.echo("briefer: interrupted; finished items are kept for the next run", err=True)
        sys.stderr.flush()
        sys.stdout.flush()
        logging.shutdown()
        os._exit(code if isinstance(code, int) else 1)
    except DeliveryError as err:
        reporter.error(err)
        sys.exit(err.exit_code)
    except BrieferError as err:
        reporter.error(err)
        sys.exit(err.exit_code)
    except Exception as exc:
        reporter.unexpected("briefer morning", exc)
        sys.exit(InternalError.exit_code)
    if dry_run:
        _print_plan(result)
        return
    if result.waiting:
        reporter.done(
            f"✓ batch {', '.join(result.waiting)} in progress (its id is stored); no digest "
            "yet: run the same command again to collect the answers (nothing is submitted twice)"
        )
    else:
        _report(result, reporter)
    if result.failed_sources:
        written = "no digest yet" if result.waiting else "the digest was written"
        reporter.error(
            BrieferError(
                f"{result.failed_sources} of {result.digest.run.sources} sources could not be "
                f"read (listed under Not included); {written}"
            )
        )
        sys.exit(14)


def _report(result: MorningResult, reporter: Reporter) -> None:
    for path in result.paths:
        click.echo(str(path))
    reporter.done(summary(result))
    missing = result.digest.not_included
    for miss in missing[:NOT_INCLUDED_SHOWN]:
        reporter.done(f"  not included: {miss.source} — {miss.reason}")
    if len(missing) > NOT_INCLUDED_SHOWN:
        reporter.done(
            f"  … and {len(missing) - NOT_INCLUDED_SHOWN} more not included "
            "(all listed in morning-brief.json)"
        )
    for note in result.digest.run.notes:
        reporter.done(f"  {note}")
    if result.mailed_before:
        reporter.done(
            f"  not mailed: the digest of {result.digest.run.date} was mailed at "
            f"{result.mailed_before} UTC (--mail-again to send it again)"
        )
    if result.refused:
        # Always shown, --quiet too: someone did not get the digest.
        click.echo(
            f"briefer: warning: the mail server refused {len(result.refused)} recipient(s): "
            + "; ".join(result.refused),
            err=True,
        )


def _batch(options: dict[str, Any]) -> BatchOptions | None:
    on, wait, poll = options.pop("batch"), not options.pop("no_wait"), options.pop("poll")
    if not on:
        if not wait:
            raise click.UsageError("--no-wait goes with --batch")
        return None
    return BatchOptions(wait=wait, poll=poll)


def summary(result: MorningResult) -> str:
    run = result.digest.run
    stories = sum(1 for item in result.digest.items if len(item.sources) > 1)
    cost = "" if run.cost_usd is None else f", ${run.cost_usd:.4f}"
    mailed = ", mailed" if result.delivered else ""
    return (
        f"✓ morning brief {run.date}: {run.items} items ({stories} stories), "
        f"{len(result.digest.not_included)} not included, {run.model_calls} model calls "
        f"({run.cached_calls} cached, {run.reused_briefs} briefs reused), "
        f"{run.prompt_tokens:,}+{run.completion_tokens:,} tokens{cost}, {run.seconds:.1f} s"
        f"{mailed}"
    )


def _serve(
    once: Callable[[], MorningResult], at: str, label: str, quiet: bool, *, run_now: bool = False
) -> None:
    """Stay running; a run every day at ``at`` (local time), in this thread. SIGTERM, SIGHUP
    and Ctrl-C stop at once: a run in progress is recorded as interrupted (its finished items
    kept), nothing half-written, and the process exits without waiting for requests in flight."""
    configure_logging(quiet)
    running = False

    def started(when: datetime) -> None:
        click.echo(f"briefer: next morning brief at {when:%Y-%m-%d %H:%M %Z}", err=True)

    def run() -> str:
        nonlocal running
        running = True
        try:
            text = summary(once())
        except (KeyboardInterrupt, SystemExit):
            raise  # stopped while running: said so below
        except BaseException:
            running = False
            raise
        running = False
        return text

    try:
        serve(run, at, label=f"morning {label}", run_now=run_now, started=started)
    except (KeyboardInterrupt, SystemExit) as exc:
        code = 130 if isinstance(exc, KeyboardInterrupt) else exc.code
        click.echo(
            "briefer: stopped; the run in progress was recorded as interrupted (finished items "
            "are kept for the next run, nothing was half-written)"
            if running
            else "briefer: stopped (no run was in progress)",
            err=True,
        )
        sys.stderr.flush()
        sys.stdout.flush()
        logging.shutdown()
        # Worker threads may be waiting on a model or a page: do not wait for them.
        os._exit(code if isinstance(code, int) else 1)


def _print_plan(result: MorningResult) -> None:
    from rich.table import Table

    run = result.digest.run
    table = Table(title=f"briefer morning dry run: {run.date}, {len(result.plan)} items")
    for column in ("#", "item", "sources", "calls", "est. tokens in", "est. tokens out", "cost"):
        table.add_column(column, justify="left" if column in ("item", "sources") else "right")
    totals = [0, 0, 0, 0.0]
    for n, item in enumerate(result.plan, start=1):
        table.add_row(*_plan_row(n, item))
        totals = [
            totals[0] + item.calls,
            totals[1] + item.prompt_tokens,
            totals[2] + item.completion_tokens,
            totals[3] + (item.cost_usd or 0.0),
        ]
    table.add_section()
    table.add_row(
        "", "[b]total[/]", "", f"{totals[0]}", f"{totals[1]:,}", f"{totals[2]:,}",
        f"${totals[3]:.4f}",
    )  # fmt: skip
    console = Console(highlight=False)
    console.print(table)
    if result.batch_estimate is not None:
        console.print(result.batch_estimate.line(), markup=False)
    if result.predicted is not None:
        seconds, runs = result.predicted
        console.print(
            f"time: about {seconds:.0f} s on the embedded model, at the speed measured here over "
            f"{runs} `briefer brief` run(s); reading the sources comes on top",
            markup=False,
        )
    for miss in result.digest.not_included:
        console.print(f"not included: {miss.source} — {miss.reason}", markup=False)


def _plan_row(n: int, item: PlannedItem) -> list[str]:
    cost = "unknown" if item.cost_usd is None else f"${item.cost_usd:.4f}"
    calls = "stored" if item.stored else str(item.calls)
    return [
        str(n),
        item.title,
        "\n".join(item.sources),
        calls,
        f"{item.prompt_tokens:,}",
        f"{item.completion_tokens:,}",
        cost,
    ]


@morning.command(name="install-timer")
@click.option("--profile", required=True, help="the profile the timer runs")
@click.option("--at", required=True, callback=_at, help="local time of day, HH:MM")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="the config file the timer's runs read [the default one]",
)
@click.option(
    "--cron", "cron", is_flag=True, help="print a crontab line even where systemd is present"
)
def install_timer_command(profile: str, at: str, config_file: Path | None, cron: bool) -> None:
    """Run the morning brief every day at AT by the system: a systemd user timer
    (Persistent=true: a run missed while the machine was off or asleep happens at the next
    start), or a crontab line where there is no systemd. Writes the unit files; never runs
    systemctl itself."""
    try:
        check_name(profile)
        load_profile(profile, config_file)  # a typo should fail now, not at 06:30
        done = install_timer(profile, at, config_file=config_file, systemd=False if cron else None)
    except BrieferError as err:
        click.echo(f"briefer: error: {err}", err=True)
        sys.exit(err.exit_code)
    if done.crontab is not None:
        click.echo("No systemd here" if not cron else "Crontab line", err=True, nl=False)
        click.echo(": add this line to your crontab (crontab -e):", err=True)
        click.echo(done.crontab)
        return
    for path in done.files:
        click.echo(str(path))
    click.echo("Then enable the timer:", err=True)
    for command in done.commands:
        click.echo(f"  {command}", err=True)
