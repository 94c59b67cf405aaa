"""Positions measured on rendered PDFs: text lines and images with pdfplumber, ink with pdftoppm.

Millimetres from the page's top-left corner throughout.
"""
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from PIL import Image

MM = 72 / 25.4
TYPE_AREA = {"left": 28.0, "right": 184.0, "top": 37.0, "bottom": 262.0}
CHAR = 15.79 / MM                     # one body character (3号 with the grid's letter-spacing), in mm


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    text: str


def lines(path: Path) -> list[Line]:
    """Text lines of every page: characters grouped by their top, left to right."""
    out = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            rows: dict[int, list] = {}
            for char in page.chars:
                rows.setdefault(round(char["top"] * 2), []).append(char)
            for key in sorted(rows):
                chars = sorted(rows[key], key=lambda c: c["x0"])
                out.append(Line(number, chars[0]["top"] / MM, max(c["bottom"] for c in chars) / MM,
                                chars[0]["x0"] / MM, chars[-1]["x1"] / MM, round(chars[0]["size"], 1),
                                "".join(c["text"] for c in chars)))
    return out


def images(path: Path) -> list[tuple[int, float, float, float, float]]:
    """(page, x0, top, x1, bottom) of every image."""
    with pdfplumber.open(path) as pdf:
        return [(n, i["x0"] / MM, i["top"] / MM, i["x1"] / MM, i["bottom"] / MM)
                for n, page in enumerate(pdf.pages, 1) for i in page.images]


def pages(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def raster(path: Path, page: int, out: Path, dpi: int = 200) -> Image.Image:
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png", str(path),
                    str(stem)], check=True, timeout=60)
    return Image.open(f"{stem}.png").convert("RGB")


def ink_rows(image: Image.Image, box_mm: tuple, test, dpi: int = 200) -> list[float]:
    """Rows (in mm from the top) inside box_mm = (left, top, right, bottom) holding a pixel that passes test."""
    px = dpi / 25.4
    left, top, right, bottom = (round(v * px) for v in box_mm)
    crop = image.crop((left, top, right, bottom))
    width = crop.size[0]
    data = list(crop.get_flattened_data())
    return [(top + y) / px for y in range(crop.size[1]) if any(test(p) for p in data[y * width:(y + 1) * width])]


def red(p) -> bool:
    return p[0] > 150 and p[1] < 90 and p[2] < 90


def dark(p) -> bool:
    return max(p) < 110
