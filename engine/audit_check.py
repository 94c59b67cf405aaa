"""``guardloop audit verify``: walk the hash chain of the audit log and name the first entry that was
altered, inserted or deleted.

The walk reads every entry in id order (streamed, so a log of millions of entries stays in constant
memory), recomputes each hash, checks each link to the entry before and that ids run without a gap, and
at the end compares the last entry with ``audit_head``. A chain rewritten from some entry to the end,
head included, cannot be told from an honest one by the database alone: compare ``audit head`` with a
copy kept elsewhere (``guardloop audit head`` prints it).
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from .audit import HEAD_ID, entry_hash
from .models import AuditEntry, AuditHead
from .models.audit import GENESIS

BATCH = 5000


@dataclass(frozen=True)
class Problem:
    entry_id: int
    kind: str        # altered, unlinked, deleted, inserted, truncated
    zh: str
    en: str


@dataclass
class Report:
    checked: int = 0
    last_id: int = 0
    last_hash: str = GENESIS
    head: tuple = (0, GENESIS)
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(gl, limit: int = 20) -> Report:
    """Check the whole chain; up to ``limit`` problems are reported, the first one first."""
    report = Report()
    with gl.reading() as session:
        head = session.get(AuditHead, HEAD_ID)
        report.head = (head.last_id, head.last_hash) if head else (0, GENESIS)
        rows = session.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)
                               .execution_options(yield_per=BATCH))
        for row in rows:
            _check(report, row)
            if len(report.problems) >= limit:
                return report
    _check_head(report)
    return report


def _check(report: Report, row) -> None:
    expected = report.last_id + 1
    if row.id > report.head[0]:
        report.problems.append(Problem(row.id, "inserted", f"第 {row.id} 条记录在链尾之后（被插入）。",
                                       f"Entry {row.id} lies beyond the end of the chain (inserted)."))
    elif row.id > expected:
        report.problems.append(Problem(expected, "deleted", f"{_span_zh(expected, row.id - 1)}缺失（被删除）。",
                                       f"{_span_en(expected, row.id - 1)} missing (deleted)."))
    elif row.prev_hash != report.last_hash:
        report.problems.append(Problem(row.id, "unlinked", f"第 {row.id} 条记录与前一条不相连（被插入或改动）。",
                                       f"Entry {row.id} does not link to the entry before it (inserted or altered)."))
    if entry_hash(row) != row.hash:
        report.problems.append(Problem(row.id, "altered", f"第 {row.id} 条记录的内容与其哈希不符（被改动）。",
                                       f"Entry {row.id} does not match its hash (altered)."))
    report.checked += 1
    report.last_id, report.last_hash = row.id, row.hash


def _check_head(report: Report) -> None:
    head_id, head_hash = report.head
    if report.last_id > head_id:
        return  # the entries beyond the head are named already
    if report.last_id < head_id:
        first = report.last_id + 1
        report.problems.append(Problem(first, "truncated", f"{_span_zh(first, head_id)}缺失（链尾被删除）。",
                                       f"{_span_en(first, head_id)} missing (the end of the log was deleted)."))
    elif report.last_hash != head_hash:
        report.problems.append(Problem(report.last_id, "altered", f"第 {report.last_id} 条记录与链尾记录不符（被改动）。",
                                       f"Entry {report.last_id} does not match the end of the chain (altered)."))


def _span_zh(first: int, last: int) -> str:
    return f"第 {first} 条记录" if first == last else f"第 {first}–{last} 条记录"


def _span_en(first: int, last: int) -> str:
    return f"Entry {first} is" if first == last else f"Entries {first}–{last} are"
