"""The SVG charts: well-formed, accessible, every value and label written, patterns besides colour."""
import xml.etree.ElementTree as ET

import pytest

from web.charts import Series, bar_chart, column_chart, line_chart, nice_max, text_width

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    return root


def texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def assert_accessible(root, chart_id, title):
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find(f"{SVG}title").text == title and root.find(f"{SVG}title").get("id") == f"{chart_id}-title"
    assert root.find(f"{SVG}desc").get("id") == f"{chart_id}-desc"
    assert "Noto Sans CJK SC" in root.get("font-family")


def test_bar_chart_writes_every_label_and_value():
    items = [("红码", 1), ("橙码", 3), ("黄码", 0), ("Not coded", 12)]
    root = parse(bar_chart("c1", "在办个案（按风险码）", items, colours=["#c62828", "#e86a00", "#f2c200", "#999"]))
    assert_accessible(root, "c1", "在办个案（按风险码）")
    assert set(texts(root)) >= {"红码", "橙码", "黄码", "Not coded", "1", "3", "0", "12"}
    desc = root.find(f"{SVG}desc").text
    assert "橙码: 3" in desc and "Not coded: 12" in desc
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]
    widths = [float(r.get("width")) for r in bars]
    assert widths[3] == max(widths) and widths[2] == 0   # lengths follow the values


def test_labels_are_escaped_and_the_empty_note_shows():
    root = parse(bar_chart("c2", "A <b> & \"c\"", [("x < y & z", 0)], empty_text="本期间内没有数据。"))
    assert root.find(f"{SVG}title").text == 'A <b> & "c"'
    assert "x < y & z" in texts(root) and "本期间内没有数据。" in texts(root)


def test_grouped_columns_have_a_pattern_per_series_and_a_legend():
    months = ["2026-01", "2026-02", "2026-03"]
    svg = column_chart("c3", "降级与升级", months, [Series("降级", [1, 0, 2]), Series("升级", [0, 0, 5])])
    root = parse(svg)
    assert_accessible(root, "c3", "降级与升级")
    patterns = root.findall(f".//{SVG}pattern")
    assert [p.get("id") for p in patterns] == ["c3-p0", "c3-p1"]
    assert "path" in {child.tag.removeprefix(SVG) for child in patterns[1]}  # the second series is hatched
    filled = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert {"url(#c3-p0)", "url(#c3-p1)"} <= filled
    assert {"降级", "升级", "2026-01", "2026-03", "5", "2"} <= set(texts(root))


def test_stacked_columns_write_the_total_on_top():
    svg = column_chart("c4", "令", ["2026-10", "2026-11"], [Series("人民检察院", [1, 0]), Series("人民法院", [2, 3])],
                       stacked=True, width=400)
    values = texts(parse(svg))
    assert "3" in values  # 1 + 2 on top of October, and November's 3
    assert values.count("3") >= 2


def test_many_months_skip_axis_labels_rather_than_overlap():
    months = [f"{2021 + i // 12}-{i % 12 + 1:02d}" for i in range(60)]
    root = parse(column_chart("c5", "t", months, [Series("s", [i % 3 for i in range(60)])]))
    shown = [t for t in texts(root) if t and t.startswith("202")]
    assert 5 <= len(shown) < 60 and shown[0] == "2021-01"


def test_line_chart_differs_by_marker_and_dash_and_leaves_gaps():
    svg = line_chart("c6", "到场率", ["1月", "2月", "3月", "4月"],
                     [Series("到场率", [1.0, None, 0.5, 0.75]), Series("Hours", [2, 3, 1, 0])],
                     value_text=lambda v: f"{v * 100:.0f}%" if v is not None else "—", y_max=1.0)
    root = parse(svg)
    assert_accessible(root, "c6", "到场率")
    paths = [p for p in root.iter(f"{SVG}path") if p.get("fill") == "none"]
    assert paths[0].get("d").count("M") == 2          # broken at the missing month
    assert paths[0].get("stroke-dasharray") != paths[1].get("stroke-dasharray")
    assert "100%" in texts(root) and "50%" in texts(root)
    assert len(list(root.iter(f"{SVG}circle"))) == 3 + 1   # three points and the legend marker


def test_text_width_counts_cjk_as_full_width():
    assert text_width("江北区", 12) == 36
    assert text_width("abc", 10) == pytest.approx(18)


@pytest.mark.parametrize("peak, whole, expected", [
    (0, True, (1, 1)), (1, True, (1, 1)), (3, True, (3, 1)), (7, True, (8, 2)), (182, True, (200, 50)),
    (0.9, False, (1.0, 0.5)), (1234, True, (1500, 500)),
])
def test_nice_axis(peak, whole, expected):
    assert nice_max(peak, whole) == pytest.approx(expected)


def test_axis_labels_stay_inside_the_picture():
    months = [f"{2021 + (i + 11) // 12}-{(i + 11) % 12 + 1:02d}" for i in range(61)]
    root = parse(column_chart("c7", "t", months, [Series("s", [1] * 61)], width=640))
    width = float(root.get("width"))
    for t in root.iter(f"{SVG}text"):
        if t.text and t.text.startswith("202"):
            x, size = float(t.get("x")), float(t.get("font-size"))
            extent = text_width(t.text, size)
            left = {"start": x, "middle": x - extent / 2, "end": x - extent}[t.get("text-anchor")]
            assert 0 <= left and left + extent <= width, t.text
