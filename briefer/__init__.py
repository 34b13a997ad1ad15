"""briefer: news articles in, structured, source-grounded policy briefs out.

Library use::

    from briefer import Briefer, load_settings, load_article

    briefer = Briefer(load_settings({"base_url": "http://127.0.0.1:8080/v1"}))
    brief = briefer.brief(load_article("article.txt"))
    briefer.write(brief, "out", formats=("md", "pdf"))
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("briefer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

from briefer.config import Settings, load_settings
from briefer.errors import BrieferError
from briefer.inputs.sources import load as load_article
from briefer.models import Article, Brief, BriefContent, BriefMeta, Source, Usage
from briefer.pipeline import Briefer
from briefer.render.output import FORMATS

__all__ = [
    "FORMATS",
    "Article",
    "Brief",
    "BriefContent",
    "BriefMeta",
    "Briefer",
    "BrieferError",
    "Settings",
    "Source",
    "Usage",
    "__version__",
    "load_article",
    "load_settings",
]
