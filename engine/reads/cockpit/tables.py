"""The cockpit's figures as tables: the same rows under each chart on the page and in every export.

Headers and labels are (Chinese, English) pairs; ``Table.sheet(lang)`` picks one language for a file.
"""
from dataclasses import dataclass
from datetime import date

from engine.reads.cockpit.indicators import PERIODS, UNITS
from engine.reads.spreadsheets import Sheet
from engine.reference import AGENCIES, CLUE_SOURCES, CODE_NAMES, FAMILY_TYPES, STEPS
from engine.rules.closed_loop import ITEMS

UNCODED = ("未赋码", "Not coded")
NO_FAMILY_TYPE = ("未登记家庭类型", "No family type recorded")
MONTH = ("月份", "Month")


@dataclass(frozen=True)
class Column:
    label: tuple[str, str]
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    key: str
    title: tuple[str, str]
    columns: tuple[Column, ...]
    rows: list[list]      # plain values, or (Chinese, English) label pairs

    def sheet(self, lang: str) -> Sheet:
        return Sheet(pick(self.title, lang), [pick(c.label, lang) for c in self.columns],
                     [c.kind for c in self.columns], [[pick(v, lang) for v in row] for row in self.rows])


def pick(value, lang: str):
    """A label pair → the side of ``lang`` (``en`` or Chinese); anything else as it is."""
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return value[1] if lang == "en" else value[0]
    return value


def month_date(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def _named(table: dict, code, fallback=None):
    entry = table.get(code)
    return tuple(entry[:2]) if entry else (fallback or (str(code), str(code)))


def open_by_code(f) -> Table:
    rows = [[_named(CODE_NAMES, code) if code else UNCODED, n] for code, n in f["open_by_code"]]
    return Table("open_by_code", ("在办个案（按风险码）", "Open cases by risk code"),
                 (Column(("风险码", "Risk code")), Column(("在办个案", "Open cases"), "int")), rows)


def open_by_family_type(f) -> Table:
    rows = [[_named(FAMILY_TYPES, code) if code else NO_FAMILY_TYPE, n] for code, n in f["open_by_family_type"]]
    return Table("open_by_family_type", ("在办个案（按家庭类型，可多选）", "Open cases by family type (multi-select)"),
                 (Column(("家庭类型", "Family type")), Column(("在办个案", "Open cases"), "int")), rows)


def clues_by_source(f) -> Table:
    rows = [[_named(CLUE_SOURCES, source), n] for source, n in f["clues_by_source"]]
    return Table("clues_by_source", ("期间新增线索（按来源）", "New clues in the period, by source"),
                 (Column(("来源", "Source")), Column(("新增线索", "New clues"), "int")), rows)


def code_changes(f) -> Table:
    rows = [[month_date(m), down, up] for m, down, up in f["code_changes"]]
    return Table("code_changes", ("期间降级与升级（按月）", "Downgrades and upgrades in the period, by month"),
                 (Column(MONTH, "month"), Column(("降级", "Downgrades"), "int"), Column(("升级", "Upgrades"), "int")),
                 rows)


def closed_loop(f) -> Table:
    c = f["closed_loop"]
    return Table("closed_loop", ("期间结束轮次的闭环率", "Closed-loop rate of the rounds that ended in the period"),
                 (Column(("结束的轮次", "Rounds ended"), "int"),
                  Column(("其中因新情况升级而中止", "Stopped by a new incident"), "int"),
                  Column(("计入闭环率", "Counted in the rate"), "int"),
                  Column(("闭环完整", "Closed-loop complete"), "int"), Column(("闭环率", "Closed-loop rate"), "percent")),
                 [[c["ended"], c["interrupted"], c["counted"], c["complete"], c["rate"]]])


def closed_loop_items(f) -> Table:
    missing = f["closed_loop"]["missing_by_item"]
    rows = [[ITEMS[key], missing.get(key, 0)] for key in ITEMS]
    return Table("closed_loop_items", ("未闭环的审查项目（结束的轮次）", "Checklist items missing (rounds that ended)"),
                 (Column(("审查项目", "Checklist item")), Column(("缺失该项的轮次", "Rounds missing it"), "int")), rows)


def step_times(f) -> Table:
    rows = [[_named(STEPS, s["step"]), s["rounds"], s["median_days"], s["p90_days"]] for s in f["step_times"]]
    return Table("step_times", ("各步骤用时（天）", "Days spent in each step"),
                 (Column(("步骤", "Step")), Column(("完成该步骤的轮次", "Rounds that finished it"), "int"),
                  Column(("中位数（天）", "Median (days)"), "number"),
                  Column(("90% 分位（天）", "90th percentile (days)"), "number")), rows)


def overdue(f) -> Table:
    rows = [[_named(AGENCIES, agency), n] for agency, n in f["overdue"]]
    return Table("overdue", ("当前逾期任务（按机构）", "Overdue tasks now, by agency"),
                 (Column(("机构", "Agency")), Column(("逾期任务", "Overdue tasks"), "int")), rows)


def orders(f) -> Table:
    o = f["orders"]
    columns = (Column(MONTH, "month"), *(Column(_named(AGENCIES, a), "int") for a in o["agencies"]),
               Column(("合计", "Total"), "int"))
    rows = [[month_date(m), *counts, sum(counts)] for m, counts in o["months"]]
    return Table("orders", ("期间发出的督促监护令和家庭教育指导令（按机构、月份）",
                            "Orders issued in the period, by agency and month"), columns, rows)


def guidance(f) -> Table:
    rows = [[month_date(g["month"]), g["sessions"], round(g["minutes"] / 60, 1), g["attended"],
             g["attended"] / g["sessions"] if g["sessions"] else None] for g in f["guidance"]]
    return Table("guidance", ("期间家庭教育指导（按月）", "Family-education guidance in the period, by month"),
                 (Column(MONTH, "month"), Column(("指导次数", "Sessions"), "int"), Column(("小时", "Hours"), "number"),
                  Column(("监护人到场次数", "Guardian attended"), "int"),
                  Column(("监护人到场率", "Attendance rate"), "percent")), rows)


def indicators(f) -> Table:
    rows = [[i["name"], i["value"], i["target"], UNITS.get(i["unit"], (i["unit"], i["unit"])),
             PERIODS.get(i["period"], (i["period"], i["period"])), i["formula"]] for i in f["indicators"]]
    return Table("indicators", ("核心指标", "Core indicators"),
                 (Column(("指标", "Indicator")), Column(("数值", "Value"), "value"), Column(("目标", "Target"), "value"),
                  Column(("单位", "Unit")), Column(("周期", "Period")), Column(("计算方法", "Formula"))), rows)


BUILDERS = {"indicators": indicators, "open_by_code": open_by_code, "open_by_family_type": open_by_family_type,
            "clues_by_source": clues_by_source, "code_changes": code_changes, "closed_loop": closed_loop,
            "closed_loop_items": closed_loop_items, "step_times": step_times, "overdue": overdue,
            "orders": orders, "guidance": guidance}
# The figure each table is built from (so an export computes only that one).
FIGURE_OF = {"indicators": "indicators", "open_by_code": "open_by_code", "open_by_family_type": "open_by_family_type",
             "clues_by_source": "clues_by_source", "code_changes": "code_changes", "closed_loop": "closed_loop",
             "closed_loop_items": "closed_loop", "step_times": "step_times", "overdue": "overdue",
             "orders": "orders", "guidance": "guidance"}


def tables(figures: dict) -> dict[str, Table]:
    return {key: build(figures) for key, build in BUILDERS.items()}
