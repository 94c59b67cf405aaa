"""Attachments' bytes: what a file is (by its content, never its name) and the content-addressed store.

``inspect`` accepts PDF, JPEG and PNG: the first bytes must be the format's signature and the file must
open as that format (an image decodes in full within the pixel limit, a PDF's cross-reference table and
page tree read); anything else is ``InvalidInput``. Images get a JPEG thumbnail (without the original's
metadata). ``ContentStore`` keeps each file once, named by its SHA-256, under ``Settings.attachment_dir``;
the database keeps the hash and what the file is (``models.Attachment``).
"""
import hashlib
import os
import re
import tempfile
import warnings
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from engine.errors import InvalidInput

SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
IMAGE_FORMATS = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",)}   # MPO: a phone's JPEG with a preview
THUMBNAIL_PIXELS = (320, 320)
_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Inspected:
    media_type: str
    pages: int | None = None
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def _refuse(message: str, message_en: str):
    return InvalidInput("file", message, message_en)


def inspect(data: bytes, *, max_bytes: int, max_pixels: int) -> Inspected:
    if not data:
        raise _refuse("请选择要上传的文件。", "Choose a file to upload.")
    if len(data) > max_bytes:
        raise _refuse(f"文件过大：不能超过 {max_bytes // (1024 * 1024)} MB。",
                      f"The file is too large: at most {max_bytes // (1024 * 1024)} MB.")
    media_type = next((kind for signature, kind in SIGNATURES if data.startswith(signature)), None)
    if media_type is None:
        raise _refuse("只能上传 PDF、JPEG 或 PNG 文件（按文件内容判断，与文件名无关）。",
                      "Only PDF, JPEG or PNG files may be uploaded (judged by the content, not the name).")
    if media_type == "application/pdf":
        return Inspected(media_type, pages=_pdf_pages(data))
    return _image(data, media_type, max_pixels)


def _pdf_pages(data: bytes) -> int:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        if reader.encrypted:
            raise _refuse("不能上传加密（设有密码）的 PDF。", "A password-protected PDF cannot be uploaded.")
        pages = int(reader.root["/Pages"]["/Count"])
    except InvalidInput:
        raise
    except (PdfError, KeyError, TypeError, ValueError, IndexError, RecursionError):
        pages = 0
    if pages < 1:
        raise _refuse("该 PDF 文件已损坏或无法打开。", "This PDF is damaged or cannot be opened.")
    return pages


def png_complete(data: bytes) -> bool:
    """Every chunk whole with its CRC right, up to IEND (what follows IEND is ignored)."""
    position = 8
    while position + 12 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        end = position + 8 + length
        if end + 4 > len(data) or zlib.crc32(data[position + 4:end]) != int.from_bytes(data[end:end + 4], "big"):
            return False
        if kind == b"IEND":
            return True
        position = end + 4
    return False


_STANDALONE = {0x01, *range(0xD0, 0xD8)}      # TEM, RST0-7: markers without a length


def jpeg_complete(data: bytes) -> bool:
    """The segments and scans of a JPEG, walked from SOI to EOI (what follows EOI is ignored: a phone's
    trailer); an EXIF thumbnail inside APP1 is skipped with its segment."""
    position = 2
    while position + 2 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:                      # fill bytes
            position += 1
            continue
        if marker == 0xD9:
            return True
        if marker in _STANDALONE:
            position += 2
            continue
        if position + 4 > len(data):
            return False
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
        if marker == 0xDA:                      # SOS: entropy-coded data up to the next real marker
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= len(data):
                    return False
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    position += 2
                    continue
                break
    return False


def _image(data: bytes, media_type: str, max_pixels: int) -> Inspected:
    damaged = _refuse("该图片已损坏或无法打开。", "This image is damaged or cannot be opened.")
    # Pillow pads a truncated image instead of failing when ImageFile.LOAD_TRUNCATED_IMAGES is set, and
    # WeasyPrint sets it for the whole process on import: completeness is checked here, not left to it.
    if not (png_complete(data) if media_type == "image/png" else jpeg_complete(data)):
        raise damaged
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))
            if image.format not in IMAGE_FORMATS[media_type]:
                raise damaged
            width, height = image.size
            if width * height > max_pixels:
                raise _refuse(f"图片像素过多（不能超过 {max_pixels // 1_000_000} 百万像素）。",
                              f"The image has too many pixels (at most {max_pixels // 1_000_000} megapixels).")
            image.load()      # decode it all: a truncated or corrupt file fails here
            thumb = ImageOps.exif_transpose(image)
            thumb = thumb.convert("RGB")
            thumb.thumbnail(THUMBNAIL_PIXELS)
            out = BytesIO()
            thumb.save(out, "JPEG", quality=80)      # a new file: none of the original's EXIF (places, devices)
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError):
        raise damaged from None
    return Inspected(media_type, width=width, height=height, thumbnail=out.getvalue())


class ContentStore:
    """Files named by their SHA-256 (``ab/cd/abcd…``) under one folder: a file is written once, whoever
    uploads it again, and never changed; a write is atomic (a temporary file renamed into place)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not _HASH.fullmatch(sha256 or ""):
            raise ValueError("not a SHA-256 in hex")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.is_file() and target.stat().st_size == len(data):
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o640)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def read(self, sha256: str) -> bytes:
        """The file's bytes, checked against their name: a file changed on disk is not served."""
        data = self.path(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise OSError(f"attachment {sha256} does not match its hash")
        return data
