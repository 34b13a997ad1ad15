"""What a text is about, as a vector: WordLlama's ``l2_supercat`` token embeddings (256-d,
shipped inside the ``wordllama`` wheel), averaged over the text. Offline and on the CPU.

The model loads once per process (~0.4 s) and embeds a morning of 100 texts in about a second.
WordLlama 0.4.0.post1 looks for its bundled tokenizer in ``wordllama/tokenizer/`` while the
wheel ships it in ``wordllama/tokenizers/``, and then tries to download it from Hugging Face;
so the bundled tokenizer is copied once into briefer's cache folder, which is given to the loader
as its ``cache_dir``, with downloads disabled. Nothing is fetched, ever
(``tests/test_grouping.py::test_meaning_loads_offline_and_downloads_nothing``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import shutil
import tempfile
import threading
from collections import OrderedDict
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import platformdirs

logger = logging.getLogger(__name__)

CONFIG = "l2_supercat"
DIM = 256
# Characters of a text that are embedded: the mean of its tokens settles long before this, and
# the loader pads nothing when texts go one at a time, so memory stays ~25 MB for the longest.
MAX_CHARS = 100_000

Vectors = npt.NDArray[np.float32]

# Vectors already computed in this process, by text: a morning run groups its texts, then
# compares them with earlier stories (``grouping.continuing``) in a second batch.
CACHE_SIZE = 4096

_lock = threading.Lock()
_model: Any = None
_failed: str | None = None
_cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()


def _package_dir() -> Path:
    """The installed package's folder, found without importing it (importing takes 0.3 s)."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("wordllama is not installed")
    return Path(spec.origin).parent


def model_cache(root: Path | None = None) -> Path:
    """The ``cache_dir`` given to WordLlama: ``tokenizers/`` holding a copy of the tokenizer the
    wheel ships (copied on first use, again for another installed version). The weights need no
    copy: the loader finds them where the wheel puts them."""
    version = metadata.version("wordllama")
    base = (root or Path(platformdirs.user_cache_dir("briefer"))) / "wordllama" / version
    source = _package_dir()
    for src in sorted((source / "tokenizers").glob(f"{CONFIG}_*.json")):
        dest = base / "tokenizers" / src.name
        if not dest.exists() or dest.stat().st_size != src.stat().st_size:
            dest.parent.mkdir(parents=True, exist_ok=True)
            # Copy then rename: a second process never sees half a file.
            with tempfile.NamedTemporaryFile(dir=dest.parent, delete=False) as tmp:
                shutil.copyfile(src, tmp.name)
            Path(tmp.name).replace(dest)
    return base


def _load() -> Any:
    # wordllama.inference calls logging.basicConfig(level=INFO) when imported: keep the root
    # logger as briefer's CLI set it up.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from wordllama import WordLlama
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    try:
        cache = model_cache()
    except OSError:
        # A read-only home: a private temporary folder for this process.
        cache = model_cache(Path(tempfile.mkdtemp(prefix="briefer-wordllama-")))
    return WordLlama.load(CONFIG, cache_dir=cache, dim=DIM, disable_download=True)


def model() -> Any | None:
    """The loaded model, once per process; None (and one warning) when it cannot be loaded:
    grouping then goes on by words alone."""
    global _model, _failed
    with _lock:
        if _model is None and _failed is None:
            try:
                _model = _load()
            except Exception as exc:  # a broken install must not stop a morning run
                _failed = f"{type(exc).__name__}: {exc}"
                logger.warning(
                    "meaning embeddings unavailable (%s); grouping by words alone "
                    "(reinstall briefer to get wordllama back)",
                    _failed,
                )
        return _model


def embed(texts: list[str]) -> Vectors | None:
    """Unit vectors, one row per text (a text without tokens gets zeros), or None when the
    model is unavailable."""
    wl = model()
    if wl is None:
        return None
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        clipped = text[:MAX_CHARS]
        if not clipped.strip():
            continue
        key = hashlib.sha256(clipped.encode("utf-8", "surrogatepass")).hexdigest()
        with _lock:
            known = _cache.get(key)
        if known is None:
            # One text per call: the loader pads a batch to its longest text.
            vector = np.asarray(wl.embed([clipped], norm=False), dtype=np.float32)[0]
            norm = float(np.linalg.norm(vector))
            known = vector / norm if norm > 0 and np.isfinite(norm) else np.zeros(DIM, np.float32)
            with _lock:
                _cache[key] = known
                while len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
        out[i] = known
    return out
