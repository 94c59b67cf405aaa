"""Render a document type from plain data to HTML and to PDF bytes (文书生成).

Process-wide, created lazily on first use and then reused: the Jinja environment (templates compiled
once), WeasyPrint's FontConfiguration (one per process: faster, and memory stays flat), the URL
fetcher and the parsed stylesheets the templates link. Renders are serialised by a lock because the
FontConfiguration and Pango's font map are shared state.
"""
import re
import threading
from pathlib import Path

from jinja2 import ChainableUndefined, Environment, FileSystemLoader
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from documents import fonts, justify, view
from documents.fetcher import STATIC_BASE_URL, StaticOnlyFetcher
from documents.types import DOCUMENT_TYPES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_lock = threading.Lock()
_state: dict = {}
# a stylesheet of documents/static/ linked by a template: parsed once per process, not once per render
_STATIC_LINK = re.compile(r'<link rel="stylesheet" href="([\w.-]+\.css)">')


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
                           code_class=view.code_class, days=view.days_words, date_words=view.cn_date_words)
        _state["env"] = env
    return env


def font_config():
    config = _state.get("font_config")
    if config is None:
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
    html = environment().get_template(doc.template).render(view.build(doc_type, context or {}, draft))
    return view.keep_last_line(html)


def _check_fonts_once() -> None:
    if not _state.get("fonts_ok"):
        fonts.check_fonts()
        _state["fonts_ok"] = True
        justify.install()


# The archival variant: PDF/A-3b (WeasyPrint writes its XMP metadata, output intent and tags).
ARCHIVE_VARIANT = "pdf/a-3b"


def stylesheet(name: str):
    """The parsed stylesheet ``documents/static/<name>`` (WeasyPrint ``CSS``), built once per process."""
    sheets = _state.setdefault("css", {})
    if name not in sheets:
        sheets[name] = CSS(url=STATIC_BASE_URL + name, url_fetcher=fetcher(), font_config=font_config())
    return sheets[name]


def _with_parsed_stylesheets(html: str) -> tuple[str, list]:
    """The HTML without its links to static stylesheets, and those stylesheets parsed (in link order;
    the templates style nothing else but inline ``style`` attributes, which win over any sheet)."""
    names = _STATIC_LINK.findall(html)
    return _STATIC_LINK.sub("", html), [stylesheet(name) for name in names]


def render_pdf(doc_type: str, context: dict, *, draft: bool = False, variant: str | None = None) -> bytes:
    """The document as PDF bytes: A4, GB/T 9704-2012 layout, fonts embedded and subset, no attachments.
    ``variant`` is WeasyPrint's ``pdf_variant`` (``ARCHIVE_VARIANT`` for the archive)."""

    html = render_html(doc_type, context, draft=draft)
    _check_fonts_once()
    with _lock:
        html, sheets = _with_parsed_stylesheets(html)
        document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher())
        return document.write_pdf(stylesheets=sheets, font_config=font_config(), attachments=None,
                                  pdf_variant=variant)
