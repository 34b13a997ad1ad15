"""Ablation: what each family of hand-written rules is worth on an eval corpus.

Runs ``briefer eval`` once as it is and once with each family switched off (the rule replaced in
process by what the pipeline would do without it), on the same cached model answers, and prints
per family the corpus strict recall, placement, empty and wrongly filled sections, and strict
recall per kind of text, each with its change against the full pipeline:

    .venv/bin/python scripts/ablate.py CORPUS [--family NAME ...] [--markdown]

A family whose removal costs nothing is a candidate to go (issue "Sections that hold on texts
nobody tuned for"). The model's answers come from the cache of an earlier ``briefer eval`` of the
same corpus; a family that changes what the model is asked (none here) would need fresh answers.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from briefer.brief import compose, headline, ranking, section_labels, selection, shorten
from briefer.check import fidelity
from briefer.cli.main import main as cli
from briefer.evaluate import EvalReport, by_kind
from briefer.text import cues


@contextmanager
def patched(*targets: Any, **values: Any) -> Iterator[None]:
    """Each name of ``values`` replaced in every module of ``targets`` (each module that looks
    the rule up by that name)."""
    saved = [(target, name, getattr(target, name)) for target in targets for name in values]
    for target, name, _ in saved:
        setattr(target, name, values[name])
    try:
        yield
    finally:
        for target, name, value in saved:
            setattr(target, name, value)


def _never(*_: Any, **__: Any) -> bool:
    return False


def _all_informative(choose: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        kwargs["informative"] = [True] * len(kwargs["informative"])
        return choose(*args, **kwargs)

    return wrapped


#: Family → the patches that switch it off. Each names rules in the code; what is left is the
#: model's own answer (sections), whole sentences (cuts), a plain coverage ranking (priors).
FAMILIES: dict[str, Callable[[], Any]] = {
    "section cues (all of fuse)": lambda: patched(
        section_labels, fuse=lambda label, *a, **k: label
    ),
    "cue: retold event → background": lambda: patched(cues, _retells=_never),
    "cue: earlier time → background": lambda: patched(cues, earlier=_never),
    "cue: US subject → US position": lambda: patched(
        cues, us_subject=_never, _after_us_actor=_never, _argues=_never
    ),
    "cue: future → outlook": lambda: patched(cues, future=_never),
    "cue: state now → ground": lambda: patched(cues, _now=_never),
    "empty Background/Outlook filled by cues": lambda: patched(
        section_labels, future=_never, earlier=_never
    ),
    "where the US stands is not the news": lambda: patched(
        headline, selection, standing_position=_never
    ),
    "short forms (shorten)": lambda: patched(
        selection, headline, shorten, shorter_forms=lambda *a, **k: []
    ),
    "prior: names and numbers (weight)": lambda: patched(selection, weight=lambda *a, **k: 1.0),
    "prior: position in the text": lambda: patched(
        selection, POSITION_WEIGHT=0.0, TRANSCRIPT_POSITION_WEIGHT=0.0
    ),
    "gate: a statement must name or count something": lambda: patched(
        selection, choose=_all_informative(ranking.choose)
    ),
    "filter: suspect sentences last": lambda: patched(selection, headline, is_suspect=_never),
    "filter: about the brief's output": lambda: patched(
        section_labels, selection, headline, about_output=_never
    ),
    "filter: a briefer's non-answer": lambda: patched(selection, headline, non_answer=_never),
    "filter: repeats the bottom line": lambda: patched(selection, _said_by=_never),
    "repeat: the bottom line's sentence where it is a section's only material": lambda: patched(
        selection, REPEAT_FOR_EMPTY=False
    ),
    "check: a headline's number said of another event": lambda: patched(
        fidelity, _numbers_of_another_event=lambda *a, **k: []
    ),
    "pairs: a statement opening on a pointer, after its sentence": lambda: patched(
        selection, POINTER_PAIRS=False
    ),
    'pairs: a "the …" that says not which, after its sentence': lambda: patched(
        selection, OPEN_PAIRS=False
    ),
    "people: a surname alone introduced as the text introduces it": lambda: patched(
        compose, introductions_of=lambda *a, **k: {}
    ),
    "voice: the text's own speaker introduced at their first statement": lambda: patched(
        compose, speaker_of=lambda *a, **k: None
    ),
    'also: an "also" that follows nothing shown goes': lambda: patched(
        compose, without_also=lambda text: text
    ),
    'elided: a short denial ("… were not invited.") after its sentence': lambda: patched(
        fidelity, _elided=lambda words: None
    ),
    "bottom line: the sentence a refused line draws on, before the lead": lambda: patched(
        headline, _news_sentence=lambda *a, **k: None
    ),
    "bottom line: the opening a third of the text": lambda: patched(headline, OPENING_SHARE=0),
    "voice: a transcript's counterpart speaks every line": lambda: patched(
        compose, person_turn=_never
    ),
}


def run(corpus: Path, out: Path) -> EvalReport:
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            cli.main(["eval", str(corpus), "--out", str(out), "-q"], standalone_mode=False)
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            raise
    return EvalReport.model_validate_json(out.read_text())


def row(name: str, report: EvalReport, base: EvalReport | None) -> str:
    s = report.summary
    kinds = by_kind(report.items)
    cells = [name, f"{s.mean_strict_recall:.3f}"]
    if base is not None:
        cells.append(f"{s.mean_strict_recall - base.summary.mean_strict_recall:+.3f}")
        placement = (s.placement or 0) - (base.summary.placement or 0)
        cells.append(f"{s.placement or 0:.1%} ({placement:+.1%})")
        base_kinds = by_kind(base.items)
        changes = [
            f"{kind} {k.mean_strict_recall - base_kinds[kind].mean_strict_recall:+.3f}"
            for kind, k in kinds.items()
            if kind in base_kinds
            and abs(k.mean_strict_recall - base_kinds[kind].mean_strict_recall) >= 0.0005
        ]
    else:
        cells += ["", f"{s.placement or 0:.1%}"]
        changes = [f"{kind} {k.mean_strict_recall:.3f}" for kind, k in kinds.items()]
    cells += [f"{s.empty_sections}/{s.present_sections}", str(s.filled_absent)]
    cells.append(", ".join(changes) or "no change")
    return "| " + " | ".join(cells) + " |"


def run_all() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--family", action="append", help="only these families")
    args = parser.parse_args()
    families = {k: v for k, v in FAMILIES.items() if not args.family or k in args.family}
    print(
        "| without | strict recall | Δ | placement (Δ) | empty sections | absent filled "
        "| by kind (Δ strict) |"
    )
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        base = run(args.corpus, Path(tmp) / "base.json")
        print(row("(nothing: the full pipeline)", base, None), flush=True)
        for k, (name, switch_off) in enumerate(families.items()):
            with switch_off():
                report = run(args.corpus, Path(tmp) / f"{k}.json")
            print(row(name, report, base), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run_all())
