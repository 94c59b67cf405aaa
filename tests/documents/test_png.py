"""Every page of every variant as PNG in test-output/documents/ (for people to look at), with pixel checks."""
import subprocess

import pytest
from PIL import Image

from documents import DOCUMENT_TYPES

from .conftest import OUT, VARIANTS
from .geometry import pages

DPI = 80
PX = DPI / 25.4                     # pixels per mm


def png(pdf, name, page=1, dpi=DPI):
    stem = OUT / name
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png",
                    str(pdf), str(stem)], check=True, timeout=60)
    return Image.open(f"{stem}.png").convert("RGB")


def red(pixel):
    r, g, b = pixel
    return r > 170 and g < 90 and b < 90


def count(image, box, test):
    return sum(1 for p in image.crop(tuple(round(v) for v in box)).get_flattened_data() if test(p))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_page_as_png(rendered, name):
    doc_type = DOCUMENT_TYPES[VARIANTS[name][0]]
    reds = 0
    for page in range(1, pages(rendered[name]) + 1):
        image = png(rendered[name], f"{name}-p{page}", page)
        assert abs(image.size[0] - 210 * PX) <= 1.5 and abs(image.size[1] - 297 * PX) <= 1.5   # A4
        footer = (20 * PX, 262 * PX, 190 * PX, 280 * PX)          # "— n —"
        assert count(image, footer, lambda p: sum(p) < 300) > 10
        margin = (0, 0, 27 * PX, 297 * PX)                         # nothing printed in the left margin
        assert count(image, margin, lambda p: sum(p) < 600) == 0
        if page == 1:
            header = (28 * PX, 70 * PX, 184 * PX, 115 * PX)        # 红头: issuer and rule
            assert (count(image, header, red) > 300) == (doc_type.layout == "red")
        reds += count(image, (0, 0, image.size[0], image.size[1]), red)
    if doc_type.layout != "red" and not name.endswith("-seal") and name != "assessment_report":
        assert reds == 0, reds                                     # no drawn seal: black text only
    if name.endswith("-seal"):
        assert reds > 500                                          # the office's electronic seal
