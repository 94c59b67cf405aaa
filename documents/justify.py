"""Inter-character justification (两端对齐) for Chinese lines, which WeasyPrint 70 does not do.

WeasyPrint justifies a line by widening its spaces only. A Chinese line has none, so a full line that
holds digits or Latin letters (narrower than a character of the grid), or one Pango ended a character
early to keep "、" or "。" off the next line's start, stops 1–5 mm short of the type area's right edge.
Chinese typesetting spreads that remainder evenly between the line's characters instead; so does this,
for lines without spaces: every text box of the line gets the same extra letter-spacing, the boxes after
it move right. Lines with spaces keep WeasyPrint's own algorithm.

Patched once per process (``install``), only on the WeasyPrint version it was written against.
"""
import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text.line_break import create_layout

WRITTEN_FOR = "70.0"
_original = inline.justify_line


def install() -> bool:
    """Replace WeasyPrint's justify_line (idempotent). False when the version differs: then lines
    without spaces stay unjustified, as before, rather than risk a broken layout."""
    if weasyprint.__version__ != WRITTEN_FOR:
        return False
    inline.justify_line = justify_line
    return True


def justify_line(context, line, extra_width):
    if extra_width <= 0 or inline.count_expandable_spaces(line):
        return _original(context, line, extra_width)
    gaps = _characters(line) - 1
    if gaps > 0:
        _spread(context, line, extra_width / gaps, 0)


def _characters(box) -> int:
    if isinstance(box, boxes.TextBox):
        return len(box.text)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(_characters(child) for child in box.children if child.is_in_normal_flow())
    return 0


def _spread(context, box, spacing: float, x_advance: float) -> float:
    """Widen every text box by ``spacing`` per character; shift what follows. Returns the advance."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        style = box.style.copy()
        base = style["letter_spacing"]
        style["letter_spacing"] = (0 if base == "normal" else base) + spacing
        box.style = style               # drawing re-creates the Pango layout from the box's style
        layout = create_layout(box.text, style, context, max_width=None, justification_spacing=0)
        layout.deactivate()
        box.pango_layout = layout
        extra = spacing * len(box.text)
        box.width += extra
        return x_advance + extra
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, spacing, x_advance)
        box.width += x_advance - before
        return x_advance
    box.translate(x_advance, 0)
    return x_advance
