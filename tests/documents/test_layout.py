"""GB/T 9704 positions measured on the rendered PDFs (pdfplumber for glyphs and images, pixels for ink)."""
import re

import pytest

from documents import DOCUMENT_TYPES, render_pdf
from documents.samples import sample

from .conftest import OUT, VARIANTS, write
from .geometry import CHAR, TYPE_AREA, dark, images, ink_rows, lines, pages, raster, red

BODY = 16.0
PUNCTUATION = set("。，、；：？！）》」』”’〕】…（《「『“‘〔【—·")
RED_HEADER = [k for k, t in DOCUMENT_TYPES.items() if t.layout == "red"]
SEALED = [k for k, t in DOCUMENT_TYPES.items() if t.closing in ("seal", "court")]


def body_lines(path):
    return [line for line in lines(path) if line.size == BODY]


def paragraph_starts(line) -> bool:
    """A line that starts a paragraph is indented two characters (or is a party's line, flush)."""
    return line.x0 > TYPE_AREA["left"] + CHAR * 1.5


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_full_lines_reach_the_right_edge_of_the_type_area_even_with_digits(rendered, name):
    found = body_lines(rendered[name])
    checked = 0
    for line, after in zip(found, found[1:]):
        continued = after.page == line.page and abs(after.x0 - TYPE_AREA["left"]) < 0.3 and \
            0 < after.top - line.top < 11 and abs(line.x0 - TYPE_AREA["left"]) < CHAR * 2.2 and \
            line.text[-1] not in "。：；"                     # (a flush paragraph's last line ends so)
        if continued and line.x1 - line.x0 > 120:           # a body line followed by its paragraph's next
            assert line.x1 == pytest.approx(TYPE_AREA["right"], abs=0.6), (line.text, line.x1)
            checked += 1
    if DOCUMENT_TYPES[VARIANTS[name][0]].layout != "plain":
        assert checked >= 5


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_no_paragraph_ends_in_a_line_of_one_character(rendered, name):
    for line in body_lines(rendered[name]):
        if line.text in ("（印）", "（院印）"):           # the place of the seal, not a paragraph
            continue
        letters = [c for c in line.text if c not in PUNCTUATION and not c.isspace()]
        assert len(letters) != 1, (line.page, line.text)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_verification_code_is_on_one_line(rendered, name):
    assert any(re.search(r"7KQ2-M9XD", line.text) for line in lines(rendered[name]))


@pytest.mark.parametrize("name", ["supervision_order", "guidance_order", "delivery_receipt"])
def test_page_number_dashes_are_7_mm_under_the_type_area(rendered, name):
    path = rendered[name]
    number = next(line for line in lines(path) if line.page == 1 and re.fullmatch(r"—\s*1\s*—", line.text))
    image = raster(path, 1, OUT / f"{name}-ink-p1")
    rows = ink_rows(image, (number.x0, TYPE_AREA["bottom"], number.x0 + 2.5, 285), dark)
    assert (rows[0] + rows[-1]) / 2 == pytest.approx(TYPE_AREA["bottom"] + 7, abs=0.5)
    assert number.x1 == pytest.approx(TYPE_AREA["right"] - CHAR, abs=0.8)     # odd page: one character in


@pytest.mark.parametrize("key", RED_HEADER)
def test_red_header_issuer_35_mm_down_and_rule_4_mm_under_the_number(rendered, key):
    path = rendered[key]
    image = raster(path, 1, OUT / f"{key}-ink-header")
    reds = ink_rows(image, (TYPE_AREA["left"], TYPE_AREA["top"], TYPE_AREA["right"], 130), red)
    assert reds[0] == pytest.approx(TYPE_AREA["top"] + 35, abs=0.8)        # 发文机关标志上边缘
    number = next(line for line in lines(path) if "〔" in line.text)
    ink = ink_rows(image, (number.x0, number.top - 1, number.x1, number.bottom + 2), dark)
    rule = [row for row in reds if row > ink[-1]][0]
    assert rule - ink[-1] == pytest.approx(4, abs=0.5)                     # 发文字号之下4mm


@pytest.mark.parametrize("key", [k for k in SEALED if DOCUMENT_TYPES[k].closing == "seal"])
def test_date_is_four_characters_from_the_right_and_the_issuer_centred_over_it(rendered, key):
    context = sample(key)
    found = lines(rendered[key])
    date = next(line for line in found if line.text == context["issued_on"])
    name = next(line for line in found if line.text == context["issuer"]["name"] and line.page == date.page
                and line.top < date.top)
    assert TYPE_AREA["right"] - date.x1 == pytest.approx(4 * CHAR, abs=0.8)   # 右空四字
    assert (name.x0 + name.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=0.8)


@pytest.mark.parametrize("name", ["supervision_order-seal", "guidance_order-seal"])
def test_the_seal_is_within_a_line_of_the_text_with_signature_and_date_below_its_centre(rendered, name):
    path = rendered[name]
    page, x0, top, x1, bottom = next(i for i in images(path) if i[3] - i[1] > 30)
    assert x1 - x0 == pytest.approx(42, abs=0.5)                           # 42 mm seal
    above = [line for line in body_lines(path) if line.page == page and line.bottom <= top + 1.5]
    assert above and 0 <= top - above[-1].bottom <= 10.2                   # 印章顶端上距正文一行之内
    signature = [line for line in lines(path) if line.page == page and line.x0 > x0 - 15 and
                 re.search(r"院$|日$", line.text) and top - 6 < line.top < bottom]       # issuer (not a court's), date
    middle = (min(line.top for line in signature) + max(line.bottom for line in signature)) / 2
    assert 0 <= middle - (top + bottom) / 2 <= 8, (middle, top, bottom)    # 署名和日期居印章中心偏下


def text_above_the_signature(path, issuer: str) -> list[str]:
    """Body lines on the page of the signature, above it; the signature and anything signed by hand after it
    must share their page with the end of the text."""
    found = lines(path)
    signature = next(line for line in reversed(found) if line.text == issuer or line.text.startswith("审　判　员"))
    return [line.text for line in found if line.page == signature.page and line.size == BODY and
            line.top < signature.top - 1 and not line.text.startswith(("扫码", "verify"))]


@pytest.mark.parametrize("key", SEALED)
def test_the_signature_page_holds_the_end_of_the_text(rendered, key):
    path = rendered[key]
    assert len(text_above_the_signature(path, sample(key)["issuer"]["name"])) >= 2
    last = pages(path)
    assert any(line.page == last and line.x1 - line.x0 > 40 for line in body_lines(path))


def test_however_long_the_failings_no_page_holds_only_the_closing():
    base = sample("reprimand")
    for extra in range(0, 16):
        context = {**base, "fields": {**base["fields"],
                                      "failings": base["fields"]["failings"] + "\n补充事实。" * extra}}
        path = write(render_pdf("reprimand", context), f"length-{extra:02d}")
        assert len(text_above_the_signature(path, base["issuer"]["name"])) >= 2, extra
        path.unlink()


@pytest.mark.parametrize("name", [n for n in VARIANTS if n.startswith("delivery_receipt")])
def test_a_receipt_is_one_page(rendered, name):
    assert pages(rendered[name]) == 1
