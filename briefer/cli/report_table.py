"""Rich tables for ``briefer eval`` reports and their comparison."""

from __future__ import annotations

from rich.table import Table

from briefer.evaluate import EvalReport
from briefer.evaluate import ItemReport as EvalItem


def _delta(value: float, digits: int = 3) -> str:
    if abs(value) < 10**-digits / 2:
        return "0"
    colour = "green" if value > 0 else "red"
    return f"[{colour}]{value:+.{digits}f}[/]"


def report_table(report: EvalReport) -> Table:
    table = Table(
        title=f"briefer eval: {report.corpus} ({report.model}, prompts {report.prompt_version})"
    )
    for column in (
        "text",
        "strict recall",
        "lead-N strict",
        "placed",
        "empty sections",
        "recall (old rule)",
        "lead-N",
        "sections",
        "supported",
        "absent nums/quotes",
        "words in→out",
        "tokens in/out",
        "calls",
        "s",
    ):
        table.add_column(column, justify="left" if column == "text" else "right")
    multi = _has_stories(report)
    if multi:
        table.add_column("sources cited", justify="right")
    for item in report.items:
        name = item.file if not item.error else f"{item.file} [red](failed)[/]"
        cited = [f"{item.sources_cited}/{item.sources}"] if multi else []
        table.add_row(
            name,
            f"{item.strict_recall:.3f} ({item.strict_recalled}/{item.facts})",
            f"{item.lead_strict_recall:.3f}",
            _placed(item),
            _empty(item),
            f"{item.recall:.3f} ({item.recalled}/{item.facts})",
            f"{item.lead_recall:.3f}",
            f"{item.sections_covered}/4",
            f"{item.supported}/{sum(item.statements.values())}",
            f"{len(item.absent_numbers)}/{len(item.absent_quotes)}",
            f"{item.words_in}→{item.words_out}",
            f"{item.prompt_tokens}/{item.completion_tokens}",
            f"{item.calls}" + (f" ({item.cached_calls} cached)" if item.cached_calls else ""),
            f"{item.seconds:.1f}",
            *cited,
        )
    s = report.summary
    table.add_section()
    table.add_row(
        "[b]mean / total[/]",
        f"[b]{s.mean_strict_recall:.3f}[/]",
        f"{s.mean_lead_strict_recall:.3f}",
        "" if s.placement is None else f"{s.placement:.0%}",
        f"{s.empty_sections}/{s.present_sections}" if s.present_sections else "",
        f"{s.mean_recall:.3f}",
        f"{s.mean_lead_recall:.3f}",
        f"{s.mean_sections_covered:.2f}",
        f"{s.supported_share:.0%}",
        f"{s.absent_numbers}/{s.absent_quotes}",
        "",
        f"{s.prompt_tokens}/{s.completion_tokens}",
        f"{s.calls}",
        f"{s.seconds:.1f} ({s.mean_seconds:.1f}/text)",
        *([_all_cited(report)] if multi else []),
    )
    return table


def _has_stories(report: EvalReport) -> bool:
    return any(i.sources > 1 for i in report.items)


def _all_cited(report: EvalReport) -> str:
    stories = [i for i in report.items if i.sources > 1]
    full = sum(1 for i in stories if i.sources_cited == i.sources)
    return f"{full}/{len(stories)} stories all"


def grouping_line(report: EvalReport) -> str:
    g = report.grouping
    if g is None:
        return ""
    return (
        f"Grouping: pairwise precision {g.precision:.3f}, recall {g.recall:.3f}, F1 {g.f1:.3f}; "
        f"{g.exact} of {g.expected} groups exactly right ({len(g.predicted)} found, "
        f"{g.seconds:.2f} s)."
    )


def _placed(item: EvalItem) -> str:
    if item.placed is None:
        return ""
    return f"{item.placed}/{item.strict_recalled}"


def _empty(item: EvalItem) -> str:
    if not item.present:
        return ""
    shown = f"{len(item.empty_sections)}/{len(item.present)}"
    if item.empty_sections:
        shown += " (" + ", ".join(_SHORT[n] for n in item.empty_sections) + ")"
    return shown


_SHORT = {"background": "bg", "us_position": "us", "ground_situation": "gs", "outlook": "ol"}


def verdict(report: EvalReport) -> str:
    s = report.summary
    failed = f" {s.failed} of {s.texts} texts failed and count as 0." if s.failed else ""
    if report.grouping is not None:
        failed += " " + grouping_line(report)
    if _has_stories(report):
        failed += f" Stories citing every source: {_all_cited(report)}."
    failed += (
        f" Statements that pass every check of the verifier: {s.supported_share:.0%} of "
        f"{s.statements}."
    )
    if s.words_out:
        failed += f" Facts per 100 brief words: {s.facts_per_100_words:.2f}."
    if s.placement is not None:
        failed += (
            f" Recalled facts placed in an accepted section: {s.placement:.0%};"
            f" empty sections with material: {s.empty_sections} of {s.present_sections};"
            f" sections without material filled: {s.filled_absent}."
        )
    ours, lead = s.mean_strict_recall, s.mean_lead_strict_recall
    if abs(ours - lead) < 0.0005:
        return (
            f"The pipeline only matches the lead-N baseline: mean strict key-fact recall "
            f"{ours:.3f} for both.{failed}"
        )
    if ours > lead:
        return (
            f"The pipeline beats the lead-N baseline: mean strict key-fact recall {ours:.3f} "
            f"against {lead:.3f}.{failed}"
        )
    return (
        f"The pipeline does NOT beat the lead-N baseline: mean strict key-fact recall "
        f"{ours:.3f} against {lead:.3f}.{failed}"
    )


def comparison_table(new: EvalReport, old: EvalReport) -> Table:
    table = Table(title="compared with the earlier report")
    for column in ("text", "strict recall old → new", "Δ strict", "Δ recall", "Δ sections", "Δ s"):
        table.add_column(column, justify="left" if column == "text" else "right")
    before = {item.file: item for item in old.items}
    for item in new.items:
        prev = before.get(item.file)
        if prev is None:
            table.add_row(item.file, f"— → {item.strict_recall:.3f}", "new", "", "", "")
            continue
        table.add_row(
            item.file,
            f"{prev.strict_recall:.3f} → {item.strict_recall:.3f}",
            _delta(item.strict_recall - prev.strict_recall),
            _delta(item.recall - prev.recall),
            _delta(item.sections_covered - prev.sections_covered, 0),
            _delta(item.seconds - prev.seconds, 1),
        )
    table.add_section()
    table.add_row(
        "[b]overall[/]",
        f"{old.summary.mean_strict_recall:.3f} → {new.summary.mean_strict_recall:.3f}",
        _delta(new.summary.mean_strict_recall - old.summary.mean_strict_recall),
        _delta(new.summary.mean_recall - old.summary.mean_recall),
        _delta(new.summary.mean_sections_covered - old.summary.mean_sections_covered, 2),
        _delta(new.summary.mean_seconds - old.summary.mean_seconds, 1),
    )
    return table


def report_markdown(report: EvalReport) -> str:
    """The report as a Markdown table (for a README's Quality section)."""
    multi = _has_stories(report)
    lines = [
        "| text | strict recall | lead-N strict | placed | empty sections | recall (old rule) "
        "| lead-N | sections | supported | absent numbers / quotes "
        "| words in → out | tokens in / out | calls | s |" + (" sources cited |" * multi),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" * multi),
    ]
    for i in report.items:
        recall = "failed" if i.error else f"{i.recall:.3f} ({i.recalled}/{i.facts})"
        strict = "failed" if i.error else f"{i.strict_recall:.3f} ({i.strict_recalled}/{i.facts})"
        lines.append(
            f"| {i.file} | {strict} | {i.lead_strict_recall:.3f} | {_placed(i)} | {_empty(i)} "
            f"| {recall} | {i.lead_recall:.3f} | {i.sections_covered}/4 "
            f"| {i.supported}/{sum(i.statements.values())} "
            f"| {len(i.absent_numbers)} / {len(i.absent_quotes)} | {i.words_in} → {i.words_out} "
            f"| {i.prompt_tokens} / {i.completion_tokens} | {i.calls} | {i.seconds:.1f} |"
            + (f" {i.sources_cited}/{i.sources} |" if multi else "")
        )
    s = report.summary
    placement = "" if s.placement is None else f"{s.placement:.0%}"
    empty = f"{s.empty_sections}/{s.present_sections}" if s.present_sections else ""
    lines.append(
        f"| **mean / total** | **{s.mean_strict_recall:.3f}** | {s.mean_lead_strict_recall:.3f} "
        f"| {placement} | {empty} | {s.mean_recall:.3f} | {s.mean_lead_recall:.3f} "
        f"| {s.mean_sections_covered:.2f} | {s.supported_share:.0%} "
        f"| {s.absent_numbers} / {s.absent_quotes} | "
        f"| {s.prompt_tokens} / {s.completion_tokens} | {s.calls} | {s.mean_seconds:.1f} a text |"
        + (f" {_all_cited(report)} |" if multi else "")
    )
    return (
        "\n".join(lines)
        + "\n\n"
        + kinds_markdown(report)
        + "\n\n"
        + verdict(report)
        + "\n\n"
        + fidelity_table(report)
        + "\n"
    )


_KIND_COLUMNS = (
    "kind",
    "texts",
    "strict recall",
    "lead-N strict",
    "above lead-N",
    "placed",
    "empty sections",
    "absent sections filled",
)


def _kind_cells(report: EvalReport) -> list[list[str]]:
    rows = []
    groups = [*report.summary.by_kind.items(), ("all", None)]
    for kind, k in groups:
        if k is None:
            s = report.summary
            texts, strict, lead = s.texts, s.mean_strict_recall, s.mean_lead_strict_recall
            placement, empty, present, filled = (
                s.placement,
                s.empty_sections,
                s.present_sections,
                s.filled_absent,
            )
        else:
            texts, strict, lead = k.texts, k.mean_strict_recall, k.mean_lead_strict_recall
            placement, empty, present = k.placement, k.empty_sections, k.present_sections
            filled = k.filled_absent
        rows.append(
            [
                kind,
                str(texts),
                f"{strict:.3f}",
                f"{lead:.3f}",
                f"{strict - lead:+.3f}",
                "" if placement is None else f"{placement:.0%}",
                f"{empty}/{present}" if present else "",
                str(filled) if present else "",
            ]
        )
    return rows


def kinds_table(report: EvalReport) -> Table:
    """Means per kind of text (``evaluate.kind_of``) and in all."""
    table = Table(title="by kind of text")
    for column in _KIND_COLUMNS:
        table.add_column(column, justify="left" if column == "kind" else "right")
    rows = _kind_cells(report)
    for row in rows[:-1]:
        table.add_row(*row)
    table.add_section()
    table.add_row(*[f"[b]{c}[/]" for c in rows[-1]])
    return table


def kinds_markdown(report: EvalReport) -> str:
    rows = _kind_cells(report)
    lines = ["| " + " | ".join(_KIND_COLUMNS) + " |", "|---|" + "---|" * (len(_KIND_COLUMNS) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows[:-1]]
    lines.append("| " + " | ".join(f"**{c}**" for c in rows[-1]) + " |")
    return "\n".join(lines)


_PROXY_COLUMNS = (
    ("headline_words_absent", "title/bottom-line words not in cited sentences"),
    ("negation_mismatches", "negation mismatches"),
    ("no_finite_verb", "statements without a finite verb"),
    ("unresolved_openings", "statements opening on an unresolved pronoun"),
    ("unshown_references", "statements pointing to what the brief does not show"),
    ("no_speaker", "statements without their speaker"),
    ("replaced", "model titles / bottom lines replaced"),
    ("unjudged", "statements the checks cannot judge (named)"),
)


def fidelity_table(report: EvalReport) -> str:
    """The fidelity proxies (``check/proxies.py``) per text and in all, as Markdown."""
    lines = [
        "| text | " + " | ".join(label for _, label in _PROXY_COLUMNS) + " |",
        "|---|" + "---|" * len(_PROXY_COLUMNS),
    ]
    for item in report.items:
        values = [str(getattr(item.proxies, name)) for name, _ in _PROXY_COLUMNS]
        lines.append(f"| {item.file} | " + " | ".join(values) + " |")
    total = [str(getattr(report.summary.proxies, name)) for name, _ in _PROXY_COLUMNS]
    lines.append("| **total** | " + " | ".join(f"**{v}**" for v in total) + " |")
    return "\n".join(lines)
