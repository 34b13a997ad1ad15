"""The package's folders keep their promises (docs/development.md, Layout): checks and rendering
never reach the model, the data models import nothing of briefer's, nothing outside the CLI
imports it, and the text and brief stages keep one job a module."""

from __future__ import annotations

import ast
from pathlib import Path

import briefer

PACKAGE = Path(briefer.__file__).parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            base = node.module if node.level == 0 else "briefer." + node.module
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "briefer" or name.startswith("briefer.")}


def _modules(folder: str = "") -> dict[str, set[str]]:
    root = PACKAGE / folder if folder else PACKAGE
    return {str(p.relative_to(PACKAGE)): _imports(p) for p in root.rglob("*.py")}


def _reaching(modules: dict[str, set[str]], prefix: str) -> list[str]:
    return sorted(
        f"{name} imports {imp}"
        for name, imports in modules.items()
        for imp in imports
        if imp == prefix or imp.startswith(prefix + ".")
    )


def test_checks_and_rendering_never_import_the_model() -> None:
    assert _reaching(_modules("check"), "briefer.model") == []
    assert _reaching(_modules("render"), "briefer.model") == []
    assert _reaching(_modules("render"), "briefer.cli") == []
    # The digest is rendered from its data; how a morning run made it is not render's business.
    assert _reaching(_modules("render"), "briefer.morning") == []
    assert _reaching(_modules("check"), "briefer.morning") == []


def test_the_text_stage_never_reaches_the_later_stages() -> None:
    # Shared wording (function words, months, reporting verbs, word forms) lives in
    # text/words.py, below both the brief and the checks.
    text = _modules("text")
    for later in ("briefer.check", "briefer.brief", "briefer.model", "briefer.render"):
        assert _reaching(text, later) == []


def test_models_import_nothing_of_ours_and_only_the_cli_imports_the_cli() -> None:
    assert _imports(PACKAGE / "models.py") == set()
    outside = {k: v for k, v in _modules().items() if not k.startswith("cli/")}
    assert _reaching(outside, "briefer.cli") == []


def test_only_llm_speaks_openai() -> None:
    # ...and batch_api, its Files and Batch API calls (through llm's client and error mapping),
    # and stepwise, an answer written a value at a time through llm's client.
    users = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if any(
            isinstance(n, (ast.Import, ast.ImportFrom))
            and any(
                (getattr(n, "module", None) or a.name).split(".")[0] == "openai" for a in n.names
            )
            for n in ast.walk(ast.parse(p.read_text()))
        )
    )
    assert users == ["model/batch_api.py", "model/llm.py", "model/stepwise.py"]


#: The most lines a module of the text and brief stages may have: one job a module, found by its
#: name (text/sentences.py and brief/compose.py held four jobs each in 900-1,000 lines).
MAX_STAGE_MODULE_LINES = 600


def test_text_and_brief_modules_keep_to_one_job() -> None:
    long = [
        f"{p.relative_to(PACKAGE)}: {n} lines"
        for folder in ("text", "brief")
        for p in (PACKAGE / folder).glob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_STAGE_MODULE_LINES
    ]
    assert long == []


def test_compose_runs_the_brief_stage_and_nothing_below_it_imports_it() -> None:
    # compose.py calls section_labels, headline, selection …; none of them calls back.
    brief = {k: v for k, v in _modules("brief").items() if k != "brief/compose.py"}
    assert _reaching(brief, "briefer.brief.compose") == []
