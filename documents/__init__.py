"""GuardLoop documents (文书): orders, notices and reports as GB/T 9704-2012 PDFs from plain data.

Imports nothing of ``engine`` or ``web``: callers pass dicts of strings (see README.md) and get bytes.
"""
from documents.fonts import FontsMissing, check_fonts
from documents.render import UnknownDocumentType, render_html, render_pdf
from documents.types import DOCUMENT_TYPES

__all__ = ["DOCUMENT_TYPES", "FontsMissing", "UnknownDocumentType", "check_fonts", "render_html",
           "render_pdf"]
