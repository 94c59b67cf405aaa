"""Fixtures for the documents tests: each sample rendered once per session, poppler helpers."""
import re
import subprocess
from pathlib import Path

import pytest

from documents import DOCUMENT_TYPES, render_pdf
from documents.samples import blank_receipt, refused_receipt, sample

OUT = Path(__file__).resolve().parents[2] / "test-output" / "documents"
MM = 72 / 25.4


def poppler(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True, timeout=60).stdout


def write(pdf: bytes, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.pdf"
    path.write_bytes(pdf)
    return path


def text_of(path: Path, raw: bool = False) -> str:
    """The text as laid out on the page, or (raw) in the order it was written: table cells whole."""
    return poppler("pdftotext", "-raw" if raw else "-layout", str(path), "-")


def squash(text: str) -> str:
    """Text without whitespace and page numbers, so words broken across lines and pages still match."""
    return re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", text))


def words(path: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) in points of one page (pdftotext -bbox)."""
    html = poppler("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                       html)
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in found]


def seal_png() -> bytes:
    """An electronic seal as an office would upload it: a red ring with a star, transparent elsewhere."""
    import io

    from PIL import Image, ImageDraw
    image = Image.new("RGBA", (480, 480), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 472, 472), outline=(210, 0, 0, 230), width=16)
    draw.regular_polygon((240, 240, 64), 5, fill=(210, 0, 0, 230))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def with_seal(doc_type: str) -> dict:
    import base64
    context = sample(doc_type)
    context["issuer"]["seal_image"] = "data:image/png;base64," + base64.b64encode(seal_png()).decode()
    return context


# name → (doc_type, context): every type, both receipts, a refusal, and orders of offices with an e-seal.
VARIANTS = {
    **{key: (key, sample) for key in DOCUMENT_TYPES},
    "delivery_receipt-blank": ("delivery_receipt", lambda _: blank_receipt()),
    "delivery_receipt-refused": ("delivery_receipt", lambda _: refused_receipt()),
    "supervision_order-seal": ("supervision_order", with_seal),
    "guidance_order-seal": ("guidance_order", with_seal),
}


@pytest.fixture(scope="session")
def rendered() -> dict[str, Path]:
    """Every variant rendered from its sample context, written to test-output/documents/."""
    return {name: write(render_pdf(doc_type, make(doc_type)), name) for name, (doc_type, make) in VARIANTS.items()}


@pytest.fixture(scope="session")
def drafts() -> dict[str, Path]:
    return {key: write(render_pdf(key, sample(key), draft=True), f"{key}-draft") for key in DOCUMENT_TYPES}
