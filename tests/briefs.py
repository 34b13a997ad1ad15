"""Briefs for the rendering tests: the dev briefs in ``data/briefs``, one of several sources and
one quoting every script the handout supports."""

from __future__ import annotations

from pathlib import Path

from briefer.models import Brief, Disagreement, Ref, Source, Statement, VerificationSummary

from .test_render import sample_brief

BRIEFS = Path(__file__).parent / "data" / "briefs"
SEED_ARTICLE = Path(__file__).parent.parent / "seeds" / "000_df112d5052861120.txt"


def saved(name: str) -> Brief:
    return Brief.model_validate_json((BRIEFS / name).read_text())


def multi_source_brief() -> Brief:
    """Two sources, statements citing either, a flag and a dropped statement."""
    base = sample_brief()
    second = Source(
        title="Pakistan rejects claims, calls for talks",
        outlet="Dawn",
        date="May 8, 2025",
        origin="dawn.txt",
        sentences={3: "Islamabad called for talks.", 7: "The army said 31 people died."},
    )
    return base.model_copy(
        update={
            "background": [
                Statement(
                    text="Islamabad called for talks.", cites=[3], source=2, status="supported"
                )
            ],
            "outlook": [
                Statement(
                    text="The army said 32 people died.",
                    cites=[7],
                    source=2,
                    status="unsupported",
                    problems=["number 32 is not in the source"],
                )
            ],
            "sources": [*base.sources, second],
            "verification": VerificationSummary(
                statements=7,
                supported=5,
                partial=1,
                unsupported=1,
                dropped=1,
                supported_share=0.7143,
            ),
        }
    )


def story_brief() -> Brief:
    """A story's brief: a fact two sources state (``also``) and numbers they differ on."""
    base = multi_source_brief()
    first = base.sources[0].model_copy(
        update={"sentences": {**base.sources[0].sentences, 9: "Officials said 31 people died."}}
    )
    agreed = Statement(
        text="Islamabad called for talks.",
        cites=[3],
        source=2,
        also=[Ref(source=1, sentence=2)],
        status="supported",
    )
    differ = Disagreement(
        about="people",
        text="Reuters reports 31 people; Dawn 32",
        refs=[Ref(source=1, sentence=9), Ref(source=2, sentence=7)],
    )
    return base.model_copy(
        update={
            "background": [agreed],
            "sources": [first, *base.sources[1:]],
            "disagreements": [differ],
        }
    )


def script_brief() -> Brief:
    """Statements quoting each script's sample (``briefer.render.fonts.FONTS``), its title two
    of them: ``data/briefs/every_script.json``, also rendered by ``bench/render.py``."""
    return saved("every_script.json")
