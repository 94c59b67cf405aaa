"""``guardloop audit verify``: walk the hash chain of the audit log and name the first entry that was
altered, inserted or deleted; with ``--head FILE``, also compare it with checkpoints kept outside the
database.

The walk reads every entry in id order (streamed, so a log of millions of entries stays in constant
memory), recomputes each hash (HMAC with the chain's key from ``audit_head.keyed_from`` on), checks each
link to the entry before and that ids run without a gap, and at the end compares the last entry with
``audit_head``. Without the key nobody can recompute a keyed chain after an edit; whoever has it and
the database could rewrite the tail and the head together, and only a checkpoint taken before (``guardloop
audit checkpoint FILE``, the head's id and hash, signed with the key, appended to a file elsewhere) shows
that: a checkpointed entry whose hash changed, or that is gone.
"""
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import func, select

from engine.auditlog.record import HEAD_ID, entry_hash
from engine.context import GuardLoop
from engine.models import AuditEntry, AuditHead, AuditStaged
from engine.models.audit import GENESIS

BATCH = 5000


@dataclass(frozen=True)
class Problem:
    entry_id: int
    kind: str        # altered, unlinked, deleted, inserted, truncated, rewritten, checkpoint
    zh: str
    en: str


@dataclass(frozen=True)
class Checkpoint:
    entry_id: int
    hash: str
    at: str | None = None
    mac: str | None = None
    line: int = 0


@dataclass
class Report:
    checked: int = 0
    last_id: int = 0
    last_hash: str = GENESIS
    head: tuple = (0, GENESIS)
    keyed_from: int = 1
    staged: int = 0                    # access entries waiting to be chained
    checkpoints: int = 0               # checkpoints compared
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(gl: GuardLoop, limit: int = 20, checkpoints: Sequence[Checkpoint] = ()) -> Report:
    """Check the whole chain (and the checkpoints given); up to ``limit`` problems, the first one first."""
    report = Report()
    wanted = {c.entry_id: c for c in checkpoints}
    _check_signatures(report, checkpoints, gl.audit_key)
    with gl.reading() as session:
        head = session.get(AuditHead, HEAD_ID)
        report.head = (head.last_id, head.last_hash) if head else (0, GENESIS)
        report.keyed_from = head.keyed_from if head else 1
        report.staged = session.scalar(select(func.count(AuditStaged.id))) or 0
        rows = session.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)
                               .execution_options(yield_per=BATCH))
        for row in rows:
            _check(report, row, gl.audit_key if row.id >= report.keyed_from else None)
            if row.id in wanted:
                _compare(report, wanted.pop(row.id), row.hash)
            if len(report.problems) >= limit:
                return report
    _check_head(report)
    for gone in sorted(wanted.values(), key=lambda c: c.entry_id):
        report.checkpoints += 1
        report.problems.append(Problem(gone.entry_id, "truncated",
                                       f"检查点记录的第 {gone.entry_id} 条记录已不在链中（链尾被删除）。",
                                       f"Entry {gone.entry_id}, recorded in a checkpoint, is no longer in the "
                                       "chain (the end of the log was deleted)."))
    return report


def _check(report: Report, row, key) -> None:
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
    if entry_hash(row, key) != row.hash:
        report.problems.append(Problem(row.id, "altered", f"第 {row.id} 条记录的内容与其哈希不符（被改动）。",
                                       f"Entry {row.id} does not match its hash (altered)."))
    report.checked += 1
    report.last_id, report.last_hash = row.id, row.hash


def _compare(report: Report, checkpoint: Checkpoint, actual: str) -> None:
    report.checkpoints += 1
    if actual != checkpoint.hash:
        when = f"（{checkpoint.at}）" if checkpoint.at else ""
        report.problems.append(Problem(checkpoint.entry_id, "rewritten",
                                       f"第 {checkpoint.entry_id} 条记录的哈希与检查点{when}不符（链被重新计算）。",
                                       f"Entry {checkpoint.entry_id} does not match the checkpoint taken "
                                       f"{checkpoint.at or 'earlier'} (the chain was recomputed)."))


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


# --- checkpoints outside the database ------------------------------------------------------------

def checkpoint_line(head_id: int, head_hash: str, key: bytes, at: datetime | None = None) -> str:
    """One line of a checkpoint file: the head, when it was read, and an HMAC over both with the key."""
    when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"id": head_id, "hash": head_hash, "at": when, "mac": _mac(key, head_id, head_hash, when)})


def _mac(key: bytes, head_id: int, head_hash: str, at: str) -> str:
    return hmac.new(key, f"{head_id} {head_hash} {at}".encode(), hashlib.sha256).hexdigest()


def read_checkpoints(text: str) -> list[Checkpoint]:
    """Checkpoints from a file: lines written by ``audit checkpoint`` (JSON) or printed by ``audit head``
    (``ID HASH``). Raises ``ValueError`` naming the first line that is neither."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if line.startswith("{"):
                item = json.loads(line)
                found.append(Checkpoint(int(item["id"]), str(item["hash"]), item.get("at"), item.get("mac"), number))
            else:
                entry_id, digest = line.split()
                found.append(Checkpoint(int(entry_id), digest, line=number))
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"line {number} is not a checkpoint") from None
    return found


def _check_signatures(report: Report, checkpoints, key: bytes) -> None:
    for c in checkpoints:
        if c.mac is not None and not hmac.compare_digest(c.mac, _mac(key, c.entry_id, c.hash, c.at or "")):
            report.problems.append(Problem(c.entry_id, "checkpoint",
                                           f"检查点文件第 {c.line} 行的签名不符（被改动，或密钥不同）。",
                                           f"Line {c.line} of the checkpoint file is not signed with this key "
                                           "(altered, or another key)."))
