"""The case file (卷宗): one PDF per case, for a hand-over, a court or an archive.

From plain data like every document (see README.md, "Case file"): the caller passes the case's record as
strings and lists, and the issued documents' own PDF bytes; this module renders the file's own pages
(cover, table of contents, the record) with WeasyPrint in the documents' GB/T 9704 layout, appends the
issued PDFs as they are, and prints "第 x 页 共 y 页" at the foot of every page of the whole file.

The table of contents gives the page of every section and of every appended document. Where WeasyPrint
lays a section out is known only after a render, and where the documents start only after the own pages
are counted, so the own pages are rendered twice: once to learn the pages, once with them printed (the
numbers change no line's length, so the second layout keeps the first one's pages; checked).
"""
from dataclasses import dataclass
from io import BytesIO

from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from documents import render as _render
from documents.view import cn_number

TEMPLATE = "case_file.html.j2"
FOOTER_TEMPLATE = "case_file_footer.html.j2"


@dataclass
class CaseFile:
    pdf: bytes
    pages: int
    toc: list[dict]        # {"title", "level", "page"} in order: what the table of contents prints


def _environment():
    return _render.environment()


def _html(context: dict, toc: list[dict]) -> str:
    html = _environment().get_template(TEMPLATE).render(c=context, toc=toc)
    return _render.view.keep_last_line(html)


def _layout(html: str):
    """The WeasyPrint document (laid out, not written) of the file's own pages."""

    html, sheets = _render._with_parsed_stylesheets(html)
    document = HTML(string=html, base_url=_render.STATIC_BASE_URL, url_fetcher=_render.fetcher())
    return document.render(stylesheets=sheets, font_config=_render.font_config())


def _anchor_pages(document) -> dict[str, int]:
    pages = {}
    for number, page in enumerate(document.pages, start=1):
        for name in page.anchors:
            pages.setdefault(name, number)
    return pages


def _entries(context: dict) -> list[dict]:
    """The table of contents without pages: the own sections (anchors) and then the documents."""

    entries = [{"title": "一、基本情况", "level": 1, "anchor": "s-basic"},
               {"title": "二、风险赋码记录", "level": 1, "anchor": "s-codes"},
               {"title": "三、干预记录", "level": 1, "anchor": "s-rounds"}]
    entries += [{"title": f"第{cn_number(r['number'])}轮（{r['started']}至{r.get('ended') or '今'}）", "level": 2,
                 "anchor": f"s-round-{r['number']}"} for r in context.get("rounds", [])]
    entries += [{"title": "四、工作记录", "level": 1, "anchor": "s-notes"},
                {"title": "五、附件目录", "level": 1, "anchor": "s-attachments"},
                {"title": "六、制发文书", "level": 1, "anchor": "s-documents"}]
    for i, doc in enumerate(context.get("documents", [])):
        entries.append({"title": doc["toc_title"], "level": 2, "document": i})
    return entries


def _numbered(entries: list[dict], anchors: dict[str, int], own_pages: int, doc_pages: list[int]) -> list[dict]:
    starts, page = [], own_pages + 1
    for count in doc_pages:
        starts.append(page if count else None)
        page += count
    out = []
    for e in entries:
        number = anchors.get(e["anchor"]) if "anchor" in e else starts[e["document"]]
        out.append({**e, "page": number})
    return out


def _page_count(pdf: bytes | None) -> int:
    if not pdf:
        return 0

    return len(PdfReader(BytesIO(pdf)).pages)


def _footer(total: int) -> bytes:
    """``total`` A4 pages that hold only "第 x 页 共 y 页" at the foot, to be laid over the file's pages."""

    html = _environment().get_template(FOOTER_TEMPLATE).render(pages=total)
    html, sheets = _render._with_parsed_stylesheets(html)
    return HTML(string=html, base_url=_render.STATIC_BASE_URL, url_fetcher=_render.fetcher()).write_pdf(
        stylesheets=sheets, font_config=_render.font_config())


def render_case_file(context: dict) -> CaseFile:
    """The case file as PDF bytes. ``context["documents"]`` lists the issued documents, each with its
    ``pdf`` bytes (None when there is no PDF to append: the list says so instead)."""

    _render._check_fonts_once()
    documents = context.get("documents", [])
    doc_pages = [_page_count(d.get("pdf")) for d in documents]
    entries = _entries(context)
    context = {**context, "documents": [{k: x for k, x in d.items() if k != "pdf"} | {"pages": n}
                                        for d, n in zip(documents, doc_pages)]}
    with _render._lock:
        first = _layout(_html(context, [{**e, "page": 0} for e in entries]))
        toc = _numbered(entries, _anchor_pages(first), len(first.pages), doc_pages)
        for _ in range(3):   # printing the numbers moves nothing; if it ever did, lay out again
            laid = _layout(_html(context, toc))
            again = _numbered(entries, _anchor_pages(laid), len(laid.pages), doc_pages)
            if again == toc:
                break
            toc = again
        own = laid.write_pdf()
        total = len(laid.pages) + sum(doc_pages)
        footer = PdfReader(BytesIO(_footer(total)))

    writer = PdfWriter()
    writer.append(PdfReader(BytesIO(own)))          # with WeasyPrint's bookmarks of the sections
    parent = None
    for doc, count in zip(documents, doc_pages):
        if not count:
            continue
        start = len(writer.pages)
        for page in PdfReader(BytesIO(doc["pdf"])).pages:
            added = writer.add_page(page)
            if "/Annots" in added:               # the signature's widget: the copy is not the signed file
                del added["/Annots"]
        if parent is None:
            parent = writer.add_outline_item(title="制发文书", page_number=start)
        writer.add_outline_item(title=doc["toc_title"], page_number=start, parent=parent)
    for page, stamp in zip(writer.pages, footer.pages):
        page.merge_page(stamp)
    writer.add_metadata({"/Title": f"卷宗 {context.get('case_no', '')}".strip(), "/Creator": "GuardLoop documents"})
    out = BytesIO()
    writer.write(out)
    return CaseFile(pdf=out.getvalue(), pages=total,
                    toc=[{"title": e["title"], "level": e["level"], "page": e["page"]} for e in toc])
