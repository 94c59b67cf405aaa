"""Every document type renders from its sample: text, fonts, page size and GB/T 9704 geometry."""
import re

import pytest

from documents import DOCUMENT_TYPES, UnknownDocumentType, render_html, render_pdf
from documents.samples import sample

from .conftest import MM, poppler, squash, text_of, words

TYPES = sorted(DOCUMENT_TYPES)
NAMES_THE_CHILD = set(TYPES) - {"delivery_receipt", "course_certificate"}   # a certificate is the guardian's


def test_there_are_fourteen_types_with_a_sample_each():
    assert TYPES == sorted(["supervision_order", "guidance_order", "reprimand", "duty_notice", "guidance_plan",
                            "assessment_report", "followup_record", "closure_report", "delivery_receipt",
                            "warning_letter", "protection_order", "objection_decision", "revocation_support",
                            "course_certificate"])
    for key in TYPES:
        assert sample(key)["fields"]


@pytest.mark.parametrize("key", TYPES)
def test_text_has_title_parties_number_and_legal_basis(rendered, key):
    ctx = sample(key)
    text = squash(text_of(rendered[key]))
    assert DOCUMENT_TYPES[key].title.replace(" ", "") in text
    assert ctx["number"] is None or ctx["number"] in text
    assert all(name in text for name in ctx["recipients"])
    assert ctx["issued_on"] in text or key == "delivery_receipt" or DOCUMENT_TYPES[key].closing == "court"
    for basis in ctx["legal_basis"]:
        assert squash(basis) in text, basis
    if key in NAMES_THE_CHILD:
        assert ctx["child"]["name"] in text
        for name in ctx["recipients"]:
            assert name in text
    if ctx.get("verification"):
        assert ctx["verification"]["code"] in text
        assert "核验真伪" in text


@pytest.mark.parametrize("key", TYPES)
def test_fonts_embedded_and_subset(rendered, key):
    rows = poppler("pdffonts", str(rendered[key])).splitlines()[2:]
    assert rows, "no fonts at all"
    for row in rows:
        cols = row.split()
        assert cols[-5:-3] == ["yes", "yes"], row      # emb, sub
        assert "CJK" in cols[0], row                    # no Latin fallback font sneaked in


@pytest.mark.parametrize("key", TYPES)
def test_a4_pages_title_metadata_no_attachments(rendered, key):
    info = poppler("pdfinfo", str(rendered[key]))
    assert "595.276 x 841.89 pts (A4)" in info
    title = next(line for line in info.splitlines() if line.startswith("Title:"))
    assert DOCUMENT_TYPES[key].title in title.replace(" ", "")
    assert "0 embedded files" in poppler("pdfdetach", "-list", str(rendered[key]))


@pytest.mark.parametrize("key", TYPES)
def test_type_area_left_edge_28mm_and_top_37mm(rendered, key):
    boxes = words(rendered[key])
    left = min(b[0] for b in boxes)
    right = max(b[2] for b in boxes if b[1] < 262 * MM)          # above the page-number line
    top = min(b[1] for b in boxes)
    if key != "delivery_receipt":                    # the receipt's labels are centred in their cells
        assert abs(left - 28 * MM) <= 1 * MM, left / MM
    assert left >= 27.5 * MM
    assert right <= (28 + 156 + 1) * MM, right / MM
    if DOCUMENT_TYPES[key].layout != "red":          # the red header starts 35 mm lower (test_layout)
        assert abs(top - 37 * MM) <= 2 * MM, top / MM


def test_order_has_28_characters_a_line_and_page_numbers(rendered):
    path = rendered["supervision_order"]
    lines = [line.strip() for line in text_of(path).splitlines()]
    full = [line for line in lines if line.startswith("忙为由")]
    assert [len(line.replace(" ", "")) for line in full] == [28], full       # 28 characters a line
    assert re.search(r"—\s*1\s*—", text_of(path))
    page2 = words(path, 2)
    dash_x = [b[0] for b in page2 if b[4] == "2"]
    assert dash_x and min(dash_x) < 60 * MM          # even page: number at the left (outside) corner


@pytest.mark.parametrize("key", TYPES)
def test_draft_carries_watermark_and_no_number(drafts, key):
    text = squash(text_of(drafts[key], raw=True))
    assert "草稿" in text
    assert "（草稿，未编号）" in text
    assert sample(key)["number"] is None or sample(key)["number"] not in text


def test_a_guidance_order_of_the_police_is_a_decision_ordering_guidance():
    ctx = sample("guidance_order")
    ctx["issuer"] = {"name": "重庆市公安局江北区分局", "agency": "police", "self": "本局"}
    html = render_html("guidance_order", ctx)
    assert "责令接受家庭教育指导决定书" in html and "本局" in html


def test_defaults_fill_empty_standard_texts():
    html = render_html("supervision_order", sample("supervision_order"))
    assert "训诫" in html and "监督" in html and "刚性督促监护令" in html


def test_closure_documents_accept_the_engine_shapes():
    ctx = sample("closure_report")
    ctx["fields"]["documents"] = ["督促监护令（江北检未〔2026〕3号）"]
    assert "（一）督促监护令（江北检未〔2026〕3号）" in re.sub("<[^>]+>", "", render_html("closure_report", ctx))


def test_missing_optional_keys_still_render():
    ctx = {"issuer": {"name": "重庆市江北区人民检察院"}, "recipient": "陈某", "fields": {}}
    for key in TYPES:
        assert "<html lang=\"zh-CN\">" in render_html(key, ctx, draft=True)
    assert render_pdf("reprimand", ctx, draft=True).startswith(b"%PDF")


def test_unknown_type_is_an_error():
    with pytest.raises(UnknownDocumentType):
        render_html("birthday_card", {})
