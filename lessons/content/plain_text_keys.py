"""Keys of the plain texts a page stores (DocumentPage.plain_texts): the Markdown source and
the renderer that made the text, so a text made by other rendering code is never reused."""
import hashlib
from importlib.metadata import version as package_version
from pathlib import Path

from lessons.markdown import rendering


def _renderer_fingerprint():
    """What markdown_to_text's output depends on besides the source: our rendering code
    and the parser and sanitiser versions. A change to any of them changes every key, so
    stored texts made by other code are never used."""
    digest = hashlib.sha256(f"{rendering.CACHE_VERSION}|{package_version('markdown')}|{package_version('nh3')}".encode())
    for module in (rendering, rendering.limits):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


_RENDERER = _renderer_fingerprint()


def plain_text_key(source):
    return hashlib.sha256(f"{_RENDERER}\n{source}".encode()).hexdigest()[:32]
