"""``briefer doctor``: what is installed and working, and the fix for what is not."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import httpx

from briefer import __version__
from briefer.config import OPENAI_BASE_URL, Settings, redact_url, split_urls
from briefer.errors import BrieferError
from briefer.model.local_server import running_server, server_binary, uses_local_model
from briefer.model.model_store import MODEL_SHA256, default_model_path, part_paths, sha256_of

Status = Literal["ok", "warn", "fail", "skip"]


@dataclass
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def _python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check(
        "Python",
        "ok" if ok else "fail",
        sys.version.split()[0],
        "" if ok else "install Python 3.11 or newer",
    )


def _runtime() -> Check:
    try:
        binary = server_binary()
        run = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except BrieferError as err:
        return Check("runtime (llama-server)", "fail", err.message, err.hint or "")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check(
            "runtime (llama-server)",
            "fail",
            f"does not run: {exc}",
            "reinstall: ./scripts/setup.sh",
        )
    version = next((ln for ln in (run.stdout + run.stderr).splitlines() if "version" in ln), "")
    if run.returncode != 0:
        return Check(
            "runtime (llama-server)",
            "fail",
            f"exit {run.returncode}: {version}",
            "reinstall: ./scripts/setup.sh",
        )
    return Check("runtime (llama-server)", "ok", f"{binary.name}: {version.strip()}")


def _model(settings: Settings) -> Check:
    if settings.local_model_path:
        path = settings.local_model_path
        ok = path.is_file()
        return Check(
            "model file",
            "ok" if ok else "fail",
            f"{path} (user-supplied, not checked)",
            "" if ok else "fix local_model_path",
        )
    path = default_model_path()
    if not path.is_file():
        try:
            part_paths()
        except BrieferError as err:
            return Check("model file", "fail", err.message, err.hint or "")
        return Check(
            "model file", "ok", "parts installed; assembled into the cache on first use (~5 s)"
        )
    digest = sha256_of(path)
    if digest != MODEL_SHA256:
        return Check(
            "model file",
            "fail",
            f"{path}: sha256 {digest[:16]}… does not match",
            f"delete {path}; briefer reassembles it",
        )
    return Check("model file", "ok", f"{path} ({path.stat().st_size:,} bytes, sha256 verified)")


def _endpoint(settings: Settings) -> Check:
    if uses_local_model(settings):
        shared = running_server()
        detail = (
            f"embedded model; `briefer serve` running at {shared}"
            if shared
            else "embedded model, started on demand on 127.0.0.1"
        )
        return Check("endpoint", "ok", detail)
    key = settings.api_key.get_secret_value() if settings.api_key else None
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    checks = [_server(b, headers) for b in split_urls(settings.base_url or OPENAI_BASE_URL)]
    if len(checks) == 1:
        return checks[0]
    # A fleet: every server's line; it works while one answers (the others are set aside).
    ok = [c for c in checks if c.status == "ok"]
    status: Status = "ok" if len(ok) == len(checks) else "warn" if ok else "fail"
    fix = next((c.fix for c in checks if c.status != "ok"), "")
    return Check("endpoint", status, "; ".join(c.detail for c in checks), fix)


def _server(base: str, headers: dict[str, str]) -> Check:
    try:
        response = httpx.get(f"{base}/models", headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        return Check(
            "endpoint",
            "fail",
            f"{redact_url(base)}: unreachable ({type(exc).__name__})",
            "start the server or fix --base-url / OPENAI_BASE_URL",
        )
    base = redact_url(base)
    if response.status_code in (401, 403):
        return Check(
            "endpoint",
            "fail",
            f"{base}: key rejected (HTTP {response.status_code})",
            "check OPENAI_API_KEY",
        )
    status: Status = "ok" if response.status_code < 400 else "warn"
    return Check("endpoint", status, f"{base}: HTTP {response.status_code}")


def _weasyprint() -> Check:
    try:
        from briefer.render.pdf import load_weasyprint

        weasyprint = load_weasyprint()
        pdf = weasyprint.HTML(string="<p>briefer</p>").write_pdf()
    except Exception as exc:  # any failure here means no PDFs
        return Check(
            "WeasyPrint (PDF)",
            "fail",
            f"cannot render: {exc}",
            "apt install libpango-1.0-0 libpangoft2-1.0-0, or use --format md,json",
        )
    detail = f"{weasyprint.__version__}, rendered a test page ({len(pdf):,} bytes)"
    from briefer.render import subset

    if not subset.installed() and not ctypes.util.find_library("harfbuzz-subset"):
        # Fonts are then subset by fontTools in Python: ~0.3 s a font face.
        return Check(
            "WeasyPrint (PDF)",
            "warn",
            detail + "; fonts subset slowly (neither uharfbuzz nor libharfbuzz-subset)",
            "pip install uharfbuzz (into briefer's environment)",
        )
    return Check("WeasyPrint (PDF)", "ok", detail + "; fonts subset by HarfBuzz")


def _fonts() -> list[Check]:
    """One line per script: the font that prints it, where it is, and whether it has the glyphs
    of a sample (a font that lacks them prints boxes, silently)."""
    from briefer.render.fonts import FONTS, font_file, missing_glyphs
    from briefer.resources import search_path

    assets = [d / "assets" for d in search_path("templates")]
    checks = []
    for font in FONTS:
        name = f"font: {font.script}"
        found = font_file(font, assets)
        if found is None:
            # A bundled font missing is a broken install; any other costs one script its glyphs.
            status: Status = "fail" if font.origin == "bundled" else "warn"
            fix = "reinstall briefer" if font.origin == "bundled" else font.origin.split(": ")[-1]
            checks.append(Check(name, status, f"{font.family} missing", fix))
            continue
        where = "bundled" if font.origin == "bundled" else str(found.path)
        missing = missing_glyphs(found, font.sample)
        if missing:
            checks.append(
                Check(
                    name, "warn", f"{font.family} ({where}) lacks {''.join(missing)}", font.origin
                )
            )
        else:
            checks.append(Check(name, "ok", f"{font.family} ({where})"))
    return checks


def run_checks(settings: Settings) -> list[Check]:
    checks: list[Callable[[], Check]] = [
        _python,
        lambda: Check("briefer", "ok", __version__),
        lambda: _endpoint(settings),
    ]
    if uses_local_model(settings):
        checks += [_runtime, lambda: _model(settings)]
    checks += [_weasyprint]
    return [check() for check in checks] + _fonts()
