"""Fixtures for the documents tests: each sample rendered once per session, poppler helpers."""
import re
import subprocess
from pathlib import Path

import pytest

from documents import DOCUMENT_TYPES, render_pdf
from documents.samples import sample

OUT = Path(__file__).resolve().parents[2] / "test-output" / "documents"
MM = 72 / 25.4


def poppler(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True, timeout=60).stdout


def write(pdf: bytes, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.pdf"
    path.write_bytes(pdf)
    return path


def text_of(path: Path) -> str:
    return poppler("pdftotext", "-layout", str(path), "-")


def squash(text: str) -> str:
    """Text without whitespace and page numbers, so words broken across lines and pages still match."""
    return re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", text))


def words(path: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) in points of one page (pdftotext -bbox)."""
    html = poppler("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                       html)
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in found]


@pytest.fixture(scope="session")
def rendered() -> dict[str, Path]:
    """Every document type rendered from its sample context, written to test-output/documents/."""
    return {key: write(render_pdf(key, sample(key)), key) for key in DOCUMENT_TYPES}


@pytest.fixture(scope="session")
def drafts() -> dict[str, Path]:
    return {key: write(render_pdf(key, sample(key), draft=True), f"{key}-draft") for key in DOCUMENT_TYPES}
