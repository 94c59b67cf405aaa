"""Small server-side SVG charts: horizontal bars, grouped or stacked columns, lines.

Made to be read on paper and by screen readers: every value is written on or beside its mark, series
differ by pattern or marker shape as well as colour (and have a legend or a direct label), the SVG has
``role="img"`` with a ``<title>`` and a ``<desc>`` listing the figures, and text is measured so Chinese
labels fit. The caller passes the words in the user's language; the page follows each chart with the same
figures as a table.
"""
import math
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
INK, MUTED, GRID = "#1d2330", "#5b6474", "#d8dde6"
# Series styles: colour and pattern (solid, diagonal hatch, dots, cross-hatch, horizontal lines).
SERIES = [("#1f5fbf", "solid"), ("#c25400", "hatch"), ("#1e7a3c", "dots"), ("#7b3fa0", "cross"),
          ("#5b6474", "lines"), ("#a31f1f", "hatch")]
MARKERS = ("circle", "square", "triangle", "diamond")
DASHES = ("", "6 3", "2 3", "8 3 2 3")


@dataclass(frozen=True)
class Series:
    name: str
    values: list


def text_width(text: str, size: float) -> float:
    """Width of a text in the chart font: a CJK character is a full em, a Latin one about 0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else 0.6 * size for ch in str(text))


def nice_max(value: float, whole: bool = True) -> tuple[float, float]:
    """An axis maximum ≥ ``value`` and a round step (1, 2 or 5 × 10ⁿ) giving 2–5 gridlines; ``whole``:
    counts, so never a step below 1."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1.0, step)
    return step * math.ceil(value / step), step


def fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):d}" if isinstance(value, (int, float)) else str(value)


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" font-family="{FONT}">'
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
            f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def _text(x, y, text, size=12, anchor="start", fill=INK, weight="normal", extra="") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}"{extra}>{escape(text)}</text>')


def _patterns(chart_id: str, count: int) -> str:
    defs = []
    for i in range(count):
        colour, kind = SERIES[i % len(SERIES)]
        defs.append(_pattern(f"{chart_id}-p{i}", colour, kind))
    return "<defs>" + "".join(defs) + "</defs>"


def _pattern(pid: str, colour: str, kind: str) -> str:
    marks = {
        "solid": f'<rect width="8" height="8" fill="{colour}"/>',
        "hatch": f'<rect width="8" height="8" fill="#fff"/><path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" '
                 f'stroke="{colour}" stroke-width="2.2"/>',
        "dots": f'<rect width="8" height="8" fill="#fff"/><circle cx="4" cy="4" r="2.2" fill="{colour}"/>',
        "cross": f'<rect width="8" height="8" fill="#fff"/><path d="M0,0 l8,8 M8,0 l-8,8" stroke="{colour}" '
                 f'stroke-width="1.6"/>',
        "lines": f'<rect width="8" height="8" fill="#fff"/><path d="M0,2 h8 M0,6 h8" stroke="{colour}" '
                 f'stroke-width="1.8"/>',
    }
    return (f'<pattern id="{escape(pid)}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'{marks[kind]}</pattern>')


def _fill(chart_id: str, index: int) -> str:
    return f'url(#{escape(chart_id)}-p{index})'


def _describe(pairs) -> str:
    return "; ".join(f"{label}: {fmt(value)}" for label, value in pairs)


# --- horizontal bars ------------------------------------------------------------------------------------

def bar_chart(chart_id: str, title: str, items: list[tuple[str, float]], *, colours: list[str] | None = None,
              width: int = 560, value_text=fmt, empty_text: str = "") -> Markup:
    """One bar per category (label on the left, value at the bar's end); ``colours`` one per bar, or one
    accent colour. The labels name the categories, so colour never carries meaning alone."""
    size, row, top = 12, 26, 8
    label_w = min(width * 0.42, max((text_width(label, size) for label, _ in items), default=40) + 10)
    value_w = max((text_width(value_text(v), size) for _, v in items), default=20) + 8
    plot_w = width - label_w - value_w - 8
    top_value, _ = nice_max(max((v or 0 for _, v in items), default=0))
    height = top + row * len(items) + (22 if empty_text and not any(v for _, v in items) else 8)
    body = [f'<rect x="{label_w:.1f}" y="{top}" width="1" height="{row * len(items)}" fill="{MUTED}"/>']
    for i, (label, value) in enumerate(items):
        y = top + i * row
        length = plot_w * (value or 0) / top_value
        colour = (colours[i] if colours and i < len(colours) else SERIES[0][0])
        body.append(_text(label_w - 6, y + row / 2 + 4, label, size, "end"))
        body.append(f'<rect x="{label_w + 1:.1f}" y="{y + 5}" width="{length:.1f}" height="{row - 10}" '
                    f'fill="{colour}" stroke="{INK}" stroke-width="0.6"/>')
        body.append(_text(label_w + 1 + length + 5, y + row / 2 + 4, value_text(value), size, weight="bold"))
    if empty_text and not any(v for _, v in items):
        body.append(_text(width / 2, height - 8, empty_text, size, "middle", MUTED))
    return _svg(chart_id, title, _describe(items), width, height, body)


# --- columns by month (grouped or stacked) -----------------------------------------------------------------

def _legend(chart_id: str, series: list[Series], width: int, y: float, fills=True) -> tuple[list[str], float]:
    """Swatches with names, wrapped over as many lines as needed; returns the marks and the height used."""
    size, x, line, body = 12, 0.0, 0, []
    for i, s in enumerate(series):
        item_w = 18 + text_width(s.name, size) + 16
        if x + item_w > width and x > 0:
            x, line = 0.0, line + 1
        top = y + line * 20
        if fills:
            body.append(f'<rect x="{x:.1f}" y="{top}" width="14" height="14" fill="{_fill(chart_id, i)}" '
                        f'stroke="{INK}" stroke-width="0.8"/>')
        else:
            body.append(_marker(i, x + 7, top + 7) + f'<line x1="{x - 2:.1f}" y1="{top + 7}" x2="{x + 16:.1f}" '
                        f'y2="{top + 7}" stroke="{SERIES[i % len(SERIES)][0]}" stroke-width="2" '
                        f'stroke-dasharray="{DASHES[i % len(DASHES)]}"/>')
        body.append(_text(x + 20, top + 12, s.name, size))
        x += item_w
    return body, (line + 1) * 20 + 6


def _axis(categories, left, top, plot_w, plot_h, top_value, step, label_every, value_text=fmt) -> list[str]:
    body = []
    ticks = int(round(top_value / step))
    for k in range(ticks + 1):
        value = step * k
        y = top + plot_h - plot_h * value / top_value
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 5, y + 4, value_text(value), 11, "end", MUTED))
    slot = plot_w / max(1, len(categories))
    for i, label in enumerate(categories):
        if i % label_every == 0:
            x, half = left + slot * (i + 0.5), text_width(label, 11) / 2
            if x + half > left + plot_w + 4:       # keep the last labels inside the picture
                body.append(_text(left + plot_w + 4, top + plot_h + 15, label, 11, "end", MUTED))
            else:
                body.append(_text(max(x, half + 1), top + plot_h + 15, label, 11, "middle", MUTED))
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}"/>')
    return body


def _label_every(categories, slot: float) -> int:
    widest = max((text_width(c, 11) for c in categories), default=10) + 6
    return max(1, math.ceil(widest / max(slot, 1)))


def column_chart(chart_id: str, title: str, categories: list[str], series: list[Series], *, stacked=False,
                 width: int = 640, plot_height: int = 150, whole: bool = True) -> Markup:
    """Columns per category (e.g. month), one per series side by side, or stacked with the total on top."""
    legend, legend_h = _legend(chart_id, series, width, 4)
    left, top = 34, 4 + legend_h + 14
    plot_w = width - left - 6
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(categories))]
    peak = max(totals if stacked else [v or 0 for s in series for v in s.values], default=0)
    top_value, step = nice_max(peak, whole)
    slot = plot_w / max(1, len(categories))
    body = [_patterns(chart_id, len(series)), *legend,
            *_axis(categories, left, top, plot_w, plot_height, top_value, step, _label_every(categories, slot))]
    draw = _stacked if stacked else _grouped
    body += draw(chart_id, series, totals, left, top, slot, plot_height, top_value)
    height = top + plot_height + 24
    desc = "; ".join(f"{c}: " + ", ".join(f"{s.name} {fmt(s.values[i])}" for s in series)
                     for i, c in enumerate(categories))
    return _svg(chart_id, title, desc, width, height, body)


def _bar(chart_id, i, x, y, w, h) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{_fill(chart_id, i)}" '
            f'stroke="{INK}" stroke-width="0.6"/>')


def _grouped(chart_id, series, totals, left, top, slot, plot_h, top_value) -> list[str]:
    body, bar_w = [], slot * 0.8 / max(1, len(series))
    few = len(totals) <= 8   # with few categories a zero is worth writing too
    for c in range(len(totals)):
        for i, s in enumerate(series):
            value = s.values[c] or 0
            h = plot_h * value / top_value
            x = left + slot * c + slot * 0.1 + i * bar_w
            y = top + plot_h - h
            if value:
                body.append(_bar(chart_id, i, x, y, bar_w, h))
            if (value or (few and s.values[c] is not None)) and bar_w >= text_width(fmt(value), 10) - 2:
                body.append(_text(x + bar_w / 2, y - 3, fmt(value), 10, "middle", weight="bold"))
    return body


def _stacked(chart_id, series, totals, left, top, slot, plot_h, top_value) -> list[str]:
    body, bar_w = [], slot * 0.6
    for c, total in enumerate(totals):
        x, base = left + slot * c + slot * 0.2, top + plot_h
        parts = sum(1 for s in series if s.values[c])
        for i, s in enumerate(series):
            value = s.values[c] or 0
            h = plot_h * value / top_value
            if value:
                body.append(_bar(chart_id, i, x, base - h, bar_w, h))
                # each part labelled inside (on a white chip) when there are several; the total goes on top
                if parts > 1 and h >= 15 and bar_w >= text_width(fmt(value), 10) + 4:
                    chip_w = text_width(fmt(value), 10) + 4
                    body.append(f'<rect x="{x + bar_w / 2 - chip_w / 2:.1f}" y="{base - h / 2 - 7:.1f}" '
                                f'width="{chip_w:.1f}" height="12" fill="#fff" opacity="0.9"/>')
                    body.append(_text(x + bar_w / 2, base - h / 2 + 3, fmt(value), 10, "middle"))
            base -= h
        if total and slot >= text_width(fmt(total), 10):
            body.append(_text(x + bar_w / 2, base - 3, fmt(total), 10, "middle", weight="bold"))
    return body


# --- lines ---------------------------------------------------------------------------------------------------

def _marker(i: int, x: float, y: float) -> str:
    colour, shape = SERIES[i % len(SERIES)][0], MARKERS[i % len(MARKERS)]
    style = f'fill="{colour}" stroke="#fff" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {style}/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {style}/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" {style}/>'
    return f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} L{x - 5:.1f},{y:.1f} Z" {style}/>'


def line_chart(chart_id: str, title: str, categories: list[str], series: list[Series], *, width: int = 640,
               plot_height: int = 150, value_text=fmt, y_max: float | None = None, whole: bool = True) -> Markup:
    """One line per series, with its own marker shape and dash, values at the points when they fit; a
    ``None`` value leaves a gap. ``y_max`` fixes the axis (e.g. 1 for a share), ``value_text`` writes values."""
    legend, legend_h = _legend(chart_id, series, width, 4, fills=False)
    left, top = 40, 4 + legend_h + 14
    plot_w = width - left - 6
    peak = max((v or 0 for s in series for v in s.values), default=0)
    top_value, step = (y_max, y_max / 4) if y_max else nice_max(peak, whole)
    slot = plot_w / max(1, len(categories))
    body = [*legend, *_axis(categories, left, top, plot_w, plot_height, top_value, step,
                            _label_every(categories, slot), value_text)]
    for i, s in enumerate(series):
        points = [None if v is None else (left + slot * (c + 0.5), top + plot_height - plot_height * v / top_value)
                  for c, v in enumerate(s.values)]
        body.append(f'<path d="{_path(points)}" fill="none" stroke="{SERIES[i % len(SERIES)][0]}" stroke-width="2" '
                    f'stroke-dasharray="{DASHES[i % len(DASHES)]}"/>')
        for c, point in enumerate(points):
            if point is None:
                continue
            body.append(_marker(i, *point))
            if slot >= text_width(value_text(s.values[c]), 10) + 2:
                body.append(_text(point[0], point[1] - 8 - 11 * i, value_text(s.values[c]), 10, "middle", weight="bold"))
    height = top + plot_height + 24
    desc = "; ".join(f"{s.name}: " + ", ".join(f"{c} {value_text(v) if v is not None else '—'}"
                                               for c, v in zip(categories, s.values)) for s in series)
    return _svg(chart_id, title, desc, width, height, body)


def _path(points) -> str:
    """Line segments through the points, broken where a point is missing."""
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]:.1f},{point[1]:.1f}")
        pen_down = True
    return " ".join(parts) or "M0,0"
