"""Render a document type from plain data to HTML and to PDF bytes (文书生成).

Process-wide, created lazily on first use and then reused: the Jinja environment (templates compiled
once), WeasyPrint's FontConfiguration (one per process: faster, and memory stays flat) and the URL
fetcher. Renders are serialised by a lock because the FontConfiguration and Pango's font map are
shared state.
"""
import threading
from pathlib import Path

from jinja2 import ChainableUndefined, Environment, FileSystemLoader

from . import fonts, view
from .fetcher import STATIC_BASE_URL, StaticOnlyFetcher
from .types import DOCUMENT_TYPES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_lock = threading.Lock()
_state: dict = {}


class UnknownDocumentType(KeyError):
    """doc_type is not one of DOCUMENT_TYPES."""


def environment() -> Environment:
    env = _state.get("env")
    if env is None:
        env = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=True,            # not select_autoescape: it leaves *.j2 unescaped
            undefined=ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        env.filters.update(cn=view.cn_number, paragraphs=view.paragraphs, items=view.items,
                           code_class=view.code_class)
        _state["env"] = env
    return env


def font_config():
    config = _state.get("font_config")
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _state["font_config"] = FontConfiguration()
    return config


def fetcher() -> StaticOnlyFetcher:
    if "fetcher" not in _state:
        _state["fetcher"] = StaticOnlyFetcher()
    return _state["fetcher"]


def _document_type(doc_type: str):
    try:
        return DOCUMENT_TYPES[doc_type]
    except KeyError:
        raise UnknownDocumentType(doc_type) from None


def render_html(doc_type: str, context: dict, *, draft: bool = False) -> str:
    """The document as an HTML string (for previews and tests)."""
    doc = _document_type(doc_type)
    return environment().get_template(doc.template).render(view.build(doc_type, context or {}, draft))


def _check_fonts_once() -> None:
    if not _state.get("fonts_ok"):
        fonts.check_fonts()
        _state["fonts_ok"] = True


def render_pdf(doc_type: str, context: dict, *, draft: bool = False) -> bytes:
    """The document as PDF bytes: A4, GB/T 9704-2012 layout, fonts embedded and subset, no attachments."""
    from weasyprint import HTML

    html = render_html(doc_type, context, draft=draft)
    _check_fonts_once()
    with _lock:
        document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher())
        return document.write_pdf(font_config=font_config(), attachments=None)
