"""The only URL fetcher documents use: ``data:`` URLs and this package's own static files.

Everything is escaped before it reaches WeasyPrint, so no context value can add a URL; this is the
second wall. With WeasyPrint's default fetcher, markup in a document could attach ``/etc/passwd`` to
the PDF (``<link rel=attachment>``) or make requests from the server (SSRF).
"""
import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = (Path(__file__).resolve().parent / "static").resolve()
STATIC_BASE_URL = STATIC_DIR.as_uri() + "/"

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A document asked for a URL outside ``data:`` and the package's static folder."""


class StaticOnlyFetcher(URLFetcher):
    """Subclass of WeasyPrint 70's ``URLFetcher`` (a plain function crashes in v70)."""

    def __init__(self):
        super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)      # urllib's DataHandler, nothing else allowed
        if scheme == "file":
            path = static_path(url)
            if path is not None:
                return URLFetcherResponse(url, path.read_bytes(), _headers(path))
        log.warning("documents: refused URL %.200s", url)
        raise RefusedURL(f"documents refuse the URL {url[:200]!r}")


def static_path(url: str):
    """The file in documents/static/ a ``file:`` URL names, or None (no traversal, no symlink out)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        return None
    return path


def _headers(path: Path) -> dict:
    types = {".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
    return {"Content-Type": types.get(path.suffix, "application/octet-stream")}
