"""Command line: parses arguments, calls the library, maps errors to exit codes. Nothing else."""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from briefer import __version__
from briefer.brief.planning import Plan
from briefer.brief_many import Written, brief_and_write, unique_stem
from briefer.cli.batch import batches
from briefer.cli.common import EXIT_HELP, Reporter, batch_options, endpoint_options, settings_from
from briefer.cli.morning import morning
from briefer.config import Settings, load_settings
from briefer.errors import (
    FATAL_FOR_BATCH,
    BrieferError,
    ConfigError,
    InputEmptyError,
    InternalError,
    LocalRuntimeError,
)
from briefer.model.local_server import (
    acquire,
    endpoint,
    exit_on_signals,
    log_file,
    uses_local_model,
)
from briefer.model.speed import RunClock, forecast, remember
from briefer.models import SECTIONS, Article
from briefer.models import Brief as BriefModel
from briefer.pipeline import Briefer
from briefer.render.output import FORMATS, parse_formats
from briefer.render.render import headline_checks


def _terminate_on_sigterm() -> None:
    """SIGTERM, SIGINT and SIGHUP become an orderly exit (143, 130, 129) that releases the
    embedded server, and stops it when this command was its last user, before exiting."""
    exit_on_signals()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefer")
def main() -> None:
    """briefer turns news articles into structured, source-grounded policy briefs."""
    _terminate_on_sigterm()


@main.command(epilog=EXIT_HELP)
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o",
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(),
    show_default=True,
    help="folder for the output files",
)
@click.option(
    "-f",
    "--format",
    "formats",
    default=",".join(FORMATS),
    show_default=True,
    help="comma-separated output formats: md, json, pdf",
)
@click.option(
    "--max-words",
    type=click.IntRange(min=30),
    help="word limit of title, bottom line and statements "
    "[default: min(450, max(150, 0.6 × source words))]",
)
@click.option("--handling", help="handling banner of the PDF [default: UNCLASSIFIED]")
@click.option(
    "--page-size",
    type=click.Choice(["a4", "letter"], case_sensitive=False),
    help="paper size of the PDF [default: config page_size, else a4]",
)
@click.option(
    "--on-unsupported",
    type=click.Choice(["flag", "drop", "fail"]),
    help="statements the verifier finds unsupported: mark them in the brief (flag, "
    "default), remove them (drop; kept in the JSON with the reason), or exit 16 (fail)",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="print the calls, estimated tokens and cost; call no model, write nothing",
)
@click.option(
    "--max-cost",
    type=click.FloatRange(min=0, min_open=True),
    help="USD the run may spend: stop before a call would exceed it",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    help="tokens (in + out) the run may use: stop before a call would exceed it",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="model calls in flight per server, inputs and parts together [default: 1 local, 4 remote]",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    help="processes for the CPU work of several inputs at once (a served model) [default: 1]",
)
@click.option(
    "--merge",
    is_flag=True,
    help="one brief of all INPUTS, as sources on one story: each fact once, citing every "
    "source that states it ([source:sentence]), disagreements shown",
)
@click.option(
    "--name",
    help="file name of the merged brief (with --merge) [default: story]",
)
@click.option("-q", "--quiet", is_flag=True, help="no progress or summary on stderr")
@click.option("--debug", is_flag=True, help="show the traceback of an unexpected error")
@batch_options
@endpoint_options
def brief(
    inputs: tuple[str, ...],
    out_dir: Path,
    formats: str,
    max_words: int | None,
    handling: str | None,
    page_size: str | None,
    on_unsupported: str | None,
    dry_run: bool,
    max_cost: float | None,
    max_tokens: int | None,
    concurrency: int | None,
    processes: int | None,
    merge: bool,
    name: str | None,
    quiet: bool,
    debug: bool,
    batch: bool,
    no_wait: bool,
    poll: float,
    **options: Any,
) -> None:
    """Write a policy brief of each INPUT (a file, an http(s) URL, or - for stdin).

    Each brief is written as OUT_DIR/NAME.md, .json and .pdf, NAME taken from the input.
    With --merge, one brief of all INPUTS on one story, written as OUT_DIR/NAME.*.
    With --batch, an INPUT may be a folder of articles (see docs/batch.md).
    """
    reporter = Reporter(quiet, debug=debug)
    count = len(inputs)
    if no_wait and not batch:
        raise click.UsageError("--no-wait goes with --batch")
    try:
        settings = settings_from(
            {
                **options,
                "handling": handling,
                "page_size": page_size and page_size.lower(),
                "on_unsupported": on_unsupported,
                "max_cost": max_cost,
                "max_tokens": max_tokens,
                "concurrency": concurrency,
                "processes": processes,
            }
        )
        wanted = parse_formats(formats)
        stem = _story_name(name) if merge else None
        in_flight = False
        if batch:
            failures, count, in_flight = _batch(
                settings, inputs, out_dir, wanted, max_words, reporter, stem,
                dry_run=dry_run, wait=not no_wait, poll=poll,
            )  # fmt: skip
        elif dry_run:
            _dry_run(Briefer(settings), inputs, max_words, merge=merge, pdf="pdf" in wanted)
            return
        else:
            clock = RunClock()
            with endpoint(settings, reporter.progress, clock.server_started) as active:
                briefer = Briefer(active)
                failures = (
                    _brief_story(briefer, inputs, out_dir, stem, wanted, max_words, reporter)
                    if stem is not None
                    else _brief_all(
                        briefer, inputs, out_dir, wanted, max_words, reporter, clock=clock
                    )
                )
                clock.inputs_end()
            # A story's sources make one brief: its time is no input's, so it is not kept.
            if uses_local_model(settings) and not failures and stem is None:
                _remember_speed(clock, settings, briefer, pdf="pdf" in wanted)
    except KeyboardInterrupt:
        click.echo("briefer: interrupted; no partial files were written", err=True)
        sys.exit(130)
    except BrieferError as err:
        reporter.error(err)
        sys.exit(err.exit_code)
    except Exception as exc:
        reporter.unexpected("briefer", exc)
        sys.exit(InternalError.exit_code)

    if failures:
        if count == 1 or isinstance(failures[-1], FATAL_FOR_BATCH):
            sys.exit(failures[-1].exit_code)
        # --no-wait: the others may not be written yet.
        others = "the others' batches are in progress" if in_flight else "the others were written"
        reporter.error(BrieferError(f"{len(failures)} of {count} inputs failed; {others}"))
        sys.exit(14)


def _batch(
    settings: Settings,
    inputs: tuple[str, ...],
    out_dir: Path,
    wanted: tuple[str, ...],
    max_words: int | None,
    reporter: Reporter,
    stem: str | None,
    *,
    dry_run: bool,
    wait: bool,
    poll: float,
) -> tuple[list[BrieferError], int, bool]:
    """``--batch``: the failures, how many inputs there were (folders expanded), and whether
    batches were left in progress (``--no-wait``)."""
    from briefer.batching import BatchOptions, check_batch_settings
    from briefer.cli.batch import batch_dry_run, brief_in_batches, expand_inputs

    check_batch_settings(settings)
    specs = expand_inputs(inputs)
    if not specs:
        raise InputEmptyError(
            "no article files in the inputs", hint="give files or folders of articles"
        )
    if dry_run:
        batch_dry_run(Briefer(settings), specs, max_words, merge=stem is not None)
        return [], len(specs), False
    options = BatchOptions(wait=wait, poll=poll)
    failures, waiting = brief_in_batches(
        settings, specs, out_dir, wanted, max_words, reporter, options, stem=stem
    )
    if waiting:
        reporter.done(
            f"✓ batch {', '.join(waiting)} in progress (its id is stored); run the same command "
            "again to collect the answers and write the briefs (nothing is submitted twice)"
        )
    return failures, len(specs), bool(waiting)


def _remember_speed(clock: RunClock, settings: Settings, briefer: Briefer, *, pdf: bool) -> None:
    """Keep what this embedded run measured, for ``--dry-run``'s time (never fails the run)."""
    measured = clock.measured(settings, briefer.model.timings, briefer.planned, pdf=pdf)
    if measured is not None:
        with contextlib.suppress(OSError):
            remember(measured)


def _story_name(name: str | None) -> str:
    stem = (name or "story").strip()
    if not stem or not re.fullmatch(r"[\w.-]+", stem) or stem.startswith("."):
        raise ConfigError(
            f"--name {name!r} is not a file name",
            hint="use letters, digits, '-', '_' and '.', e.g. --name yemen-truce",
        )
    return stem


def _brief_story(
    briefer: Briefer,
    inputs: tuple[str, ...],
    out_dir: Path,
    stem: str,
    wanted: tuple[str, ...],
    max_words: int | None,
    reporter: Reporter,
) -> list[BrieferError]:
    """One brief of all inputs; an input that cannot be read is reported and left out (the
    run then ends with exit 14), the others still make the brief."""
    failures: list[BrieferError] = []
    articles: list[Article] = []
    for spec in inputs:
        try:
            articles.append(briefer.load(spec))
        except BrieferError as err:
            reporter.error(err)
            failures.append(err)
    if not articles:
        return failures
    started = time.monotonic()
    words = sum(a.words for a in articles)
    with reporter.status(f"{stem} ({len(articles)} sources, {words} words):"):
        if len(articles) == 1:
            result = briefer.brief(articles[0], max_words=max_words, progress=reporter.progress)
        else:
            result = briefer.brief_story(
                articles, name=stem, max_words=max_words, progress=reporter.progress
            )
        paths = briefer.write(result, out_dir, stem, wanted)
    for path in paths:
        click.echo(str(path))
    _report_done(reporter, stem, result, started)
    return failures


def _report_done(reporter: Reporter, label: str, result: BriefModel, started: float) -> None:
    usage, meta = result.meta.usage, result.meta
    price = "" if meta.cost_usd is None else f", ${meta.cost_usd:.4f}"
    parts = f", read in {meta.chunks} parts" if meta.chunks > 1 else ""
    reporter.done(
        f"✓ {label}: {result.content_words()} words, {usage.calls} calls, "
        f"{usage.prompt_tokens:,}+{usage.completion_tokens:,} tokens{price}{parts}, "
        f"{time.monotonic() - started:.1f} s"
    )
    if result.verification:
        reporter.done(f"  verification: {result.verification.line()}; {headline_checks(result)}")
    if result.disagreements:
        reporter.done(f"  sources differ: {len(result.disagreements)}")


def _brief_all(
    briefer: Briefer,
    inputs: tuple[str, ...],
    out_dir: Path,
    wanted: tuple[str, ...],
    max_words: int | None,
    reporter: Reporter,
    *,
    clock: RunClock | None = None,
) -> list[BrieferError]:
    """Brief each input; a failed input is reported and the next one goes on. Against a
    served model, as many at a time as its servers take (progress then shows no steps), except
    under a budget (--max-cost, --max-tokens): it is kept input by input, in order, each one
    timed on ``clock``."""
    failures: list[BrieferError] = []
    settings = briefer.settings
    budget = settings.max_cost is not None or settings.max_tokens is not None
    if len(inputs) > 1 and briefer.model.slots > 1 and not budget:

        def done(spec: str, result: Written | BrieferError) -> None:
            if isinstance(result, BrieferError):
                reporter.error(result)
                failures.append(result)
                return
            for path in result.paths:
                click.echo(str(path))
            _report_done(reporter, spec, result.brief, time.monotonic() - result.seconds)

        try:
            brief_and_write(briefer, inputs, out_dir, wanted, done, max_words=max_words)
        except FATAL_FOR_BATCH as err:  # every other input would fail the same way
            reporter.error(err)
            failures.append(err)
        return failures
    used: set[str] = set()
    for spec in inputs:
        started = time.monotonic()
        served = briefer.model.timings.seconds if clock else 0.0
        try:
            article = briefer.load(spec)
            stem = unique_stem(article.id, used)
            with reporter.status(f"{spec} ({article.words} words):"):
                result = briefer.brief(article, max_words=max_words, progress=reporter.progress)
                paths = briefer.write(result, out_dir, stem, wanted)
        except BrieferError as err:
            reporter.error(err)
            failures.append(err)
            if isinstance(err, FATAL_FOR_BATCH):
                break  # every other input would fail the same way
            continue
        except Exception as exc:  # the per-input boundary: a bug costs this input only
            failures.append(reporter.unexpected(spec, exc))
            continue
        if clock:
            seconds = time.monotonic() - started
            served = briefer.model.timings.seconds - served
            clock.input_done(seconds, served, result.meta.usage.model_seconds)
        for path in paths:
            click.echo(str(path))
        _report_done(reporter, spec, result, started)
    return failures


@main.command()
@click.option(
    "--port", type=click.IntRange(1, 65535), help="port on 127.0.0.1 [default: a free one]"
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML config file",
)
def serve(port: int | None, config_file: Path | None) -> None:
    """Keep the embedded model running; other briefer commands share it until Ctrl-C."""
    reporter = Reporter(quiet=False)
    stopped = False
    try:
        settings = load_settings(config_file=config_file)
        # A user of the shared server like any command, one that stays until Ctrl-C.
        lease = acquire(settings, progress=reporter.update, serve=True, port=port)
        try:
            click.echo(
                f"briefer: embedded model serving at {lease.base_url} (Ctrl-C stops it)", err=True
            )
            while lease.alive():
                time.sleep(0.5)
        finally:
            stopped = lease.release()
        raise LocalRuntimeError(
            "the embedded model server stopped unexpectedly", hint=f"see {log_file()}"
        )
    except KeyboardInterrupt:
        click.echo(
            "briefer: server stopped"
            if stopped
            else "briefer: stopped serving; commands still using the model keep it until they end",
            err=True,
        )
    except BrieferError as err:
        reporter.error(err)
        sys.exit(err.exit_code)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help='print {"groups": [[input, ...], ...]}')
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML config file (fetch limits for URL inputs)",
)
def group(inputs: tuple[str, ...], as_json: bool, config_file: Path | None) -> None:
    """Print which INPUTS cover the same story: one group per story, each input in one group.

    Offline and deterministic (no model). An input that cannot be read is reported and left
    out (exit 14); with --json it is listed under "failed".
    """
    import json

    from briefer.stories.grouping import group as group_articles

    try:
        loader = Briefer(load_settings(config_file=config_file))
    except BrieferError as err:
        click.echo(f"briefer: error: {err}", err=True)
        sys.exit(err.exit_code)
    loaded: list[tuple[str, Article]] = []
    failed: list[dict[str, str]] = []
    for spec in inputs:
        try:
            loaded.append((spec, loader.load(spec)))
        except BrieferError as err:
            click.echo(f"briefer: error: {err}", err=True)
            failed.append({"input": spec, "error": err.message})
    groups = [[loaded[i] for i in g] for g in group_articles([a for _, a in loaded])]
    if as_json:
        data: dict[str, Any] = {"groups": [[spec for spec, _ in g] for g in groups]}
        if failed:
            data["failed"] = failed
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for n, members in enumerate(groups, start=1):
            label = "story" if len(members) > 1 else "single"
            click.echo(f"{n}. {label} ({len(members)} input{'s' * (len(members) > 1)})")
            for spec, article in members:
                details = ", ".join(x for x in (article.outlet, article.date) if x)
                title = article.title or article.id
                click.echo(f"   {spec}  — {title}" + (f" ({details})" if details else ""))
    if failed:
        sys.exit(14)


@main.command(name="eval")
@click.argument("corpus", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("eval-report.json"),
    show_default=True,
    help="the JSON report",
)
@click.option(
    "--briefs",
    "briefs_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="where the briefs go [default: OUT's name + '-briefs/']",
)
@click.option(
    "--compare",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="an earlier report: print the deltas per text and overall",
)
@click.option("--fresh", is_flag=True, help="ignore cached model answers (they are still stored)")
@click.option("--markdown", is_flag=True, help="print the table as Markdown (for a README)")
@click.option(
    "--stories",
    is_flag=True,
    help="a corpus with GROUPS.json: score the grouping, then brief each story from all its "
    "sources and each single text on its own",
)
@click.option("-q", "--quiet", is_flag=True, help="no progress on stderr")
@endpoint_options
def eval_command(
    corpus: Path,
    out: Path,
    briefs_dir: Path | None,
    compare: Path | None,
    fresh: bool,
    markdown: bool,
    stories: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Brief every text of CORPUS (*.txt + keyfacts.json) and measure the briefs.

    Reports key-fact recall at the length limit against the lead-N baseline, section coverage,
    numbers and quotes absent from the source, statements, words, tokens, calls and seconds.
    Runs at temperature 0 with a fixed seed; model answers are cached, so a rerun is free.
    """
    from briefer.cli.report_table import (
        comparison_table,
        kinds_table,
        report_markdown,
        report_table,
        verdict,
    )
    from briefer.evaluate import evaluate, evaluate_stories, load_report
    from briefer.model.answer_cache import AnswerCache
    from briefer.model.model_store import cache_dir
    from briefer.render.output import write_atomic

    reporter = Reporter(quiet)
    try:
        old = load_report(compare) if compare else None
        settings = settings_from({"temperature": 0.0, **options})
        if settings.seed is None:
            settings = settings.model_copy(update={"seed": 42})
        target = briefs_dir or out.with_name(out.stem + "-briefs")
        with endpoint(settings, progress=reporter.progress) as active:
            briefer = Briefer(active)
            briefer.model.cache = AnswerCache(cache_dir() / "answers", read=not fresh)

            def done(item: Any) -> None:
                state = f"error: {item.error}" if item.error else f"recall {item.recall:.3f}"
                reporter.done(f"✓ {item.file}: {state}, {item.seconds:.1f} s")

            run = evaluate_stories if stories else evaluate
            with reporter.status(f"Evaluating {corpus}:"):
                report = run(briefer, corpus, target, on_item=done, progress=reporter.progress)
        write_atomic({out: (report.model_dump_json(indent=2) + "\n").encode()})
    except KeyboardInterrupt:
        click.echo("briefer: interrupted; no report was written", err=True)
        sys.exit(130)
    except BrieferError as err:
        reporter.error(err)
        sys.exit(err.exit_code)
    console = Console(highlight=False)
    if markdown:
        click.echo(report_markdown(report))
    else:
        console.print(report_table(report))
        console.print(kinds_table(report))
        console.print(verdict(report), soft_wrap=True)
    if old is not None:
        console.print(comparison_table(report, old))
    click.echo(f"report: {out}; briefs: {target}/", err=True)
    if report.summary.failed:
        sys.exit(14)


@main.command()
@click.argument("brief_json", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML config file (fetch limits for URL sources)",
)
def verify(brief_json: Path, sources: tuple[str, ...], config_file: Path | None) -> None:
    """Re-check a saved (perhaps hand-edited) BRIEF_JSON (or its Markdown) against its SOURCES
    (in source order).

    Prints every statement that is not fully supported and the summary; exits 16 when any
    statement is unsupported.
    """
    from rich.table import Table

    from briefer.check.verify import unsupported as unsupported_statements
    from briefer.check.verify import verify_sources
    from briefer.rerender import read_brief

    try:
        saved = read_brief(brief_json)
        loader = Briefer(load_settings(config_file=config_file))
        checked = verify_sources(saved, [loader.load(spec) for spec in sources])
    except BrieferError as err:
        click.echo(f"briefer: error: {err}", err=True)
        sys.exit(err.exit_code)
    table = Table(title=f"briefer verify: {brief_json}")
    for column in ("section", "status", "statement", "problems"):
        table.add_column(column, overflow="fold")
    for name, heading in SECTIONS:
        for st in checked.section(name):
            if st.status != "supported":
                colour = "red" if st.status == "unsupported" else "yellow"
                table.add_row(heading, f"[{colour}]{st.status}[/]", st.text, "; ".join(st.problems))
    console = Console(highlight=False)
    if table.row_count:
        console.print(table)
    assert checked.verification is not None
    console.print(
        f"verification: {checked.verification.line()}. {headline_checks(checked)}.",
        soft_wrap=True,
    )
    if unsupported_statements(checked):
        sys.exit(16)


@main.command(epilog=EXIT_HELP)
@click.argument("brief_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="an article the brief was made from (file, URL or -), once per source in the brief's "
    "order [default: the text or sentences stored in the brief]",
)
@click.option(
    "-o",
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="folder for the output files [default: BRIEF_FILE's folder]",
)
@click.option(
    "-f",
    "--format",
    "formats",
    default="md,pdf",
    show_default=True,
    help="comma-separated output formats: md, json, pdf",
)
@click.option(
    "--page-size",
    type=click.Choice(["a4", "letter"], case_sensitive=False),
    help="paper size of the PDF [default: config page_size, else a4]",
)
@click.option("--handling", help="handling banner of the PDF [default: UNCLASSIFIED]")
@click.option(
    "--on-unsupported",
    type=click.Choice(["flag", "drop", "fail"]),
    help="unsupported statements: mark them (flag, default), remove them (drop), or exit 16",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML config file",
)
@click.option("-q", "--quiet", is_flag=True, help="no summary on stderr")
@click.option("--debug", is_flag=True, help="show the traceback of an unexpected error")
def render(
    brief_file: Path,
    sources: tuple[str, ...],
    out_dir: Path | None,
    formats: str,
    config_file: Path | None,
    quiet: bool,
    debug: bool,
    **flags: str | None,
) -> None:
    """Render a saved brief again, without a model: BRIEF_FILE is its JSON, or its Markdown
    (perhaps edited by hand) in briefer's layout.

    The brief is verified again first (against --source articles, else against the text or the
    cited sentences stored in it), so its flags match what is printed. Writes
    OUT_DIR/NAME.md and .pdf (NAME from BRIEF_FILE; rendering a Markdown brief into its own
    folder rewrites it with the new flags).
    """
    from briefer.rerender import rerender

    reporter = Reporter(quiet, debug=debug)
    try:
        if flags.get("page_size"):
            flags["page_size"] = str(flags["page_size"]).lower()
        settings = load_settings(flags, config_file=config_file)
        loader = Briefer(settings)
        articles = [loader.load(spec) for spec in sources]
        done = rerender(
            brief_file,
            articles,
            settings,
            brief_file.parent if out_dir is None else out_dir,
            parse_formats(formats),
        )
    except BrieferError as err:
        reporter.error(err)
        sys.exit(err.exit_code)
    except Exception as exc:
        reporter.unexpected(str(brief_file), exc)
        sys.exit(InternalError.exit_code)
    for path in done.paths:
        click.echo(str(path))
    if done.brief.verification:
        basis = "the sentences stored in the brief" if done.stored_only else "its sources"
        reporter.done(
            f"verification (against {basis}): {done.brief.verification.line()}; "
            f"{headline_checks(done.brief)}"
        )
    if done.stored_only:
        reporter.done("  give --source ARTICLE to check against the whole article")
    if done.pages and done.pages > 1:
        reporter.done(f"  the PDF has {done.pages} pages: the brief is longer than one page holds")


@main.command()
@endpoint_options
def doctor(**options: Any) -> None:
    """Check what briefer needs (runtime, model, endpoint, PDF rendering, fonts), with fixes."""
    from rich.table import Table

    from briefer.cli.doctor import run_checks

    try:
        settings = settings_from(options)
    except BrieferError as err:
        click.echo(f"briefer: error: {err}", err=True)
        sys.exit(err.exit_code)
    checks = run_checks(settings)
    table = Table(title="briefer doctor", show_lines=False)
    for column in ("check", "status", "detail", "fix"):
        table.add_column(column, overflow="fold")
    marks = {"ok": "[green]ok[/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]", "skip": "-"}
    for check in checks:
        table.add_row(check.name, marks[check.status], check.detail, check.fix)
    Console(highlight=False).print(table)
    failed = [c for c in checks if c.status == "fail"]
    if failed:
        click.echo(
            f"briefer: {len(failed)} check(s) failed: the default path cannot work; "
            "see the fix column",
            err=True,
        )
        sys.exit(7)


def _dry_run(
    briefer: Briefer,
    inputs: tuple[str, ...],
    max_words: int | None,
    *,
    merge: bool = False,
    pdf: bool = True,
) -> None:
    """The plan of every input (or, ``merge``, of the one story brief), with estimated tokens
    and cost, and on the embedded model the seconds at the speed measured here; nothing is
    called or written."""
    from rich.table import Table

    table = Table(
        title=f"briefer dry run: {briefer.model_name}, {briefer.window():,}-token context"
    )
    story_run = merge and len(inputs) > 1

    def single(spec: str) -> Plan:
        return briefer.plan(briefer.load(spec), max_words=max_words)[0]

    def story() -> Plan:
        articles = [briefer.load(spec) for spec in inputs]
        return briefer.plan_story(articles, max_words=max_words)[0]

    items: list[tuple[str, Callable[[], Plan]]] = [
        (spec, functools.partial(single, spec)) for spec in inputs
    ]
    if story_run:
        items = [(f"story of {len(inputs)} sources", story)]
    rows: list[tuple[str, Plan | BrieferError]] = []
    for spec, make in items:
        try:
            rows.append((spec, make()))
        except BrieferError as err:
            rows.append((spec, err))
    plans = [plan for _, plan in rows if isinstance(plan, Plan)]
    estimates = [plan.estimate() for plan in plans]
    timing = None if story_run else forecast(briefer.settings, estimates, pdf=pdf)
    columns = ["input", "words", "calls", "est. tokens in", "est. tokens out", "est. cost"]
    for column in [*columns, *(["est. seconds"] if timing else [])]:
        table.add_column(column, justify="left" if column == "input" else "right")
    timed = iter(timing.each if timing else [])
    for spec, plan in rows:
        if isinstance(plan, BrieferError):
            table.add_row(spec, "", "", f"[red]{plan.message}[/]", "", "")
            continue
        prompt, completion = plan.estimate()
        price = briefer.estimate_cost(prompt, completion)
        parts = sum(1 for c in plan.calls if c.kind == "part")
        calls = f"{len(plan.calls)}" + (f" ({parts} parts + headline)" if parts else "")
        table.add_row(
            spec,
            f"{sum(s.words for s in plan.sentences):,}",
            calls,
            f"{prompt:,}",
            f"{completion:,}",
            "unknown" if price is None else f"${price:.4f}",
            *([f"{next(timed):.0f}"] if timing else []),
        )
    prompt, completion = (sum(column) for column in zip((0, 0), *estimates, strict=True))
    price = briefer.estimate_cost(prompt, completion)
    table.add_section()
    table.add_row(
        "[b]total[/]",
        "",
        f"{sum(len(plan.calls) for plan in plans)}",
        f"{prompt:,}",
        f"{completion:,}",
        "unknown" if price is None else f"${price:.4f}",
        *([f"{timing.total:.0f}"] if timing else []),
    )
    Console(highlight=False).print(table)
    local = uses_local_model(briefer.settings)
    if timing:
        speed = timing.speed
        starting = (
            f" and {speed.start_seconds:.0f} s to start the model"
            if timing.starts_server and speed.start_seconds
            else ""
        )
        click.echo(
            f"time: at the speed measured here over {speed.runs} embedded run(s) "
            f"({1 / speed.prompt_seconds:.0f} prompt and {1 / speed.completion_seconds:.1f} "
            f"answer tokens/s as estimated); the total adds {speed.fixed_seconds:.0f} s of "
            f"start-up and exit{starting}"
        )
    elif story_run and local:
        click.echo("time: not predicted for a story of several sources")
    elif local:
        click.echo("time: known once a brief has run on the embedded model on this machine")


main.add_command(morning)
main.add_command(batches)

if __name__ == "__main__":
    main()
