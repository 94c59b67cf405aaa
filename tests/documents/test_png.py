"""Page 1 of every type as PNG in test-output/documents/ (for people to look at), with pixel checks."""
import subprocess

import pytest
from PIL import Image

from documents import DOCUMENT_TYPES

from .conftest import OUT

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


@pytest.mark.parametrize("key", sorted(DOCUMENT_TYPES))
def test_first_page_png(rendered, key):
    image = png(rendered[key], f"{key}-p1")
    assert abs(image.size[0] - 210 * PX) <= 1.5 and abs(image.size[1] - 297 * PX) <= 1.5   # A4
    header = (28 * PX, 35 * PX, 184 * PX, 75 * PX)            # top of the type area: 红头 or title
    reds = count(image, header, red)
    if DOCUMENT_TYPES[key].red_header:
        assert reds > 300, reds                                # issuer in red, red rule
    else:
        assert reds == 0, reds
    footer = (140 * PX, 262 * PX, 184 * PX, 280 * PX)          # "— 1 —" at the right (odd page)
    assert count(image, footer, lambda p: sum(p) < 300) > 10
    margin = (0, 0, 27 * PX, 297 * PX)                         # nothing printed in the left margin
    assert count(image, margin, lambda p: sum(p) < 600) == 0


def test_order_at_higher_resolution_has_seal_on_last_page(rendered):
    pdf = rendered["supervision_order"]
    png(pdf, "supervision_order-p1-150dpi", dpi=150)
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    assert 2 <= pages <= 3
    last = png(pdf, "supervision_order-last-150dpi", page=pages, dpi=150)
    px = 150 / 25.4
    right_half = (105 * px, 0, 184 * px, 262 * px)
    assert count(last, right_half, red) > 500                  # the red seal placeholder
