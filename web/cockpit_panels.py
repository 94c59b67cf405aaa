"""The cockpit page's panels: each figure's chart (SVG) drawn from the same table the page and the exports show."""
from babel.dates import format_skeleton
from flask_babel import format_date, format_decimal, get_locale, gettext as _

from engine.reads.cockpit.tables import Table
from web.charts import Series, bar_chart, column_chart, line_chart
from web.i18n import pick

CODE_COLOURS = {"red": "#c62828", "orange": "#e86a00", "yellow": "#f2c200", "blue": "#1565c0", "watch": "#2e7d5b",
                None: "#9aa3b2"}


def _items(table: Table, value_column: int = 1) -> list[tuple[str, float]]:
    return [(pick(row[0]), row[value_column]) for row in table.rows]


def _months(table: Table) -> list[str]:
    return [row[0].strftime("%Y-%m") for row in table.rows]


def _series(table: Table, columns) -> list[Series]:
    return [Series(pick(table.columns[c].label), [row[c] for row in table.rows]) for c in columns]


def _bars(table: Table, colours=None) -> str:
    return bar_chart(f"chart-{table.key}", pick(table.title), _items(table), colours=colours,
                     empty_text=_("Nothing in this period."))


def _columns(table: Table, columns, name=None, **options) -> str:
    return column_chart(f"chart-{name or table.key}", pick(table.title), _months(table), _series(table, columns),
                        **options)


def _panel(key: str, *blocks) -> dict:
    """A panel: its title (the first table's), then blocks of charts each followed by their table."""
    return {"key": key, "title": blocks[0]["table"].title, "blocks": list(blocks)}


def _block(table: Table, *charts) -> dict:
    return {"table": table, "charts": list(charts)}


def panels(figures: dict, tables: dict[str, Table]) -> list[dict]:
    t = tables
    steps, orders, guidance = t["step_times"], t["orders"], t["guidance"]
    code_colours = [CODE_COLOURS[code] for code, _n in figures["open_by_code"]]
    hours = line_chart("chart-guidance-hours", pick(guidance.columns[2].label), _months(guidance),
                       _series(guidance, (2,)), whole=False)
    return [
        {**_panel("indicators", _block(t["indicators"])), "wide": True},   # the core indicators, full width
        _panel("open_by_code", _block(t["open_by_code"], _bars(t["open_by_code"], code_colours))),
        _panel("open_by_family_type", _block(t["open_by_family_type"], _bars(t["open_by_family_type"]))),
        _panel("clues_by_source", _block(t["clues_by_source"], _bars(t["clues_by_source"]))),
        _panel("code_changes", _block(t["code_changes"], _columns(t["code_changes"], (1, 2)))),
        _panel("closed_loop", _block(t["closed_loop"]),
               _block(t["closed_loop_items"], _bars(t["closed_loop_items"]))),
        _panel("step_times", _block(steps, column_chart(
            "chart-step_times", pick(steps.title), [pick(row[0]) for row in steps.rows], _series(steps, (2, 3)),
            whole=False))),
        _panel("overdue", _block(t["overdue"], _bars(t["overdue"]))),
        _panel("orders", _block(orders, _columns(orders, range(1, len(orders.columns) - 1), stacked=True))),
        _panel("guidance", _block(guidance, _columns(guidance, (1, 3)), hours)),
    ]


def headline(figures: dict) -> list[tuple[str, str]]:
    """The figures at the top of the page: (label, value as text)."""
    guidance = figures["guidance"]
    sessions = sum(g["sessions"] for g in guidance)
    attended = sum(g["attended"] for g in guidance)
    rate = figures["closed_loop"]["rate"]
    return [
        (_("Open cases"), str(sum(n for _c, n in figures["open_by_code"]))),
        (_("New clues in the period"), str(sum(n for _s, n in figures["clues_by_source"]))),
        (_("Closed-loop rate"), f"{rate * 100:.1f}%" if rate is not None else "—"),
        (_("Overdue tasks now"), str(sum(n for _a, n in figures["overdue"]))),
        (_("Orders issued in the period"), str(sum(sum(c) for _m, c in figures["orders"]["months"]))),
        (_("Guidance hours in the period"), f"{sum(g['minutes'] for g in guidance) / 60:.1f}"),
        (_("Guardians' attendance rate"), f"{attended / sessions * 100:.1f}%" if sessions else "—"),
    ]


def cell(value, kind: str) -> str:
    """One table cell in the user's language: labels picked, months and numbers formatted."""
    if value is None:
        return "—"
    if isinstance(value, tuple):
        return pick(value)
    if kind == "month":
        return format_skeleton("yMMM", value, locale=get_locale())
    if kind == "date":
        return format_date(value, "medium")
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "number":
        return format_decimal(value, "#,##0.0")
    if kind == "int":
        return format_decimal(value)
    return str(value)
