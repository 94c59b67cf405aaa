"""Bulk copies of whole cases: the fast path that builds 10⁵ realistic cases for measuring GuardLoop at a
municipality's scale (``bench/seed.py``).

A *template* case is driven through the real services (so its rows, workflow state, work items,
documents and audit entries are exactly what the engine writes); ``CaseCopier`` then writes copies of it
with everything that identifies a case made new: ids, case and clue numbers, the child and guardians,
district, users, offices and providers of that district, document numbers and verification codes, the
task ids inside the workflow state, and every date moved by the same offset (the timers inside the
state too). Audit entries are copied with the case and appended to the one hash chain.

Seeded documents carry their record (number, hash, verification code, delivery) but neither the PDF bytes
nor the snapshot they are rendered from (both would be the template's child's): a seeded case's document
download answers "not kept".
"""
import json
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, func, select, text

from engine.auditlog import record as audit
from engine.rules.idcard import checksum_char
from engine.models import (
    Approval, Assessment, AuditEntry, AuditHead, Case, CaseAgency, Chase, ComplianceCheck, Counter, DocumentRecord,
    FollowupVisit, Guardian, GuidancePlan, GuidanceProvider, GuidanceSession, Office, OrderSupervision, Referral,
    RiskClue, RiskCodeChange, Round, TaskRecord, User, WorkItem,
)
from engine.models.base import UTCDateTime
from engine.issuing.issue import CODE_ALPHABET

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EVENT_VALUE = re.compile(r'("event_value": ")([^"]+)(")')
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "子梓浩宇轩涵欣怡雨晨思博文俊嘉佳一诺可馨明睿泽瑞安然若彤语萱铭昊天琪悦乐辰航逸然雅静欣妍景皓宸梓睿"

# Tables copied with a case, in an order that inserts every referenced row first.
CASE_TABLES = (Case, RiskClue, Guardian, CaseAgency, Round, WorkItem, Assessment, DocumentRecord, Referral, Approval,
               RiskCodeChange, GuidancePlan, GuidanceSession, FollowupVisit, OrderSupervision, ComplianceCheck, Chase,
               TaskRecord)
# tables whose rows have an ``id`` of their own (the others are keyed by rows copied along)
WITH_ID = tuple(m for m in CASE_TABLES if "id" in m.__table__.c)
# JSON keys inside task records and workflow data that name rows copied along
RECORD_REFS = {"session_id": "guidance_session", "visit_id": "followup_visit", "approval_id": "approval",
               "document_id": "document_record", "referral_id": "referral", "care_referral_id": "referral"}
# columns naming a user
USER_COLUMNS = ("opened_by", "registered_by", "assessed_by", "decided_by", "drafted_by", "recorded_by",
                "requested_by", "issued_by", "delivered_by", "completed_by", "assignee_id", "proposed_by",
                "checked_by", "answered_by")


@dataclass
class Template:
    """Everything of one case, as rows (dicts) per table, plus its audit entries."""
    case_id: int
    district_id: int
    rows: dict = field(default_factory=dict)      # table name -> list of row dicts
    audit: list = field(default_factory=list)


def load_template(session, case_id: int) -> Template:
    case = session.get(Case, case_id)
    template = Template(case_id, case.district_id)
    for model in CASE_TABLES:
        table = model.__table__
        key = table.c.id if model is Case else table.c.case_id
        template.rows[table.name] = [dict(r._mapping) for r in session.execute(
            select(table).where(key == case_id).order_by(*table.primary_key.columns))]
    clue_ids = [str(r["id"]) for r in template.rows["risk_clue"]]
    entries = AuditEntry.__table__
    template.audit = [dict(r._mapping) for r in session.execute(
        select(entries).where((entries.c.case_id == case_id) |
                              ((entries.c.entity == "risk_clue") & entries.c.entity_id.in_(clue_ids)))
        .order_by(entries.c.id))]
    return template


class CaseCopier:
    """Writes copies of templates into one database, allocating ids and numbers as it goes.

    Use one copier per seeding run: it reads the next id of every table, the counters and the chain's
    head once, keeps them in memory, and ``write`` puts the queued copies, the counters and the head into
    the database in the caller's transaction. Nothing else may write to the database meanwhile.
    """

    def __init__(self, session, rng: random.Random):
        self.session, self.rng = session, rng
        self.next_id = {m.__table__.name: (session.scalar(select(func.max(m.__table__.c.id))) or 0) + 1
                        for m in WITH_ID}
        self.counters = dict(session.execute(select(Counter.name, Counter.value)).all())
        self.counters_stored = set(self.counters)
        self.codes_used = set(session.scalars(select(DocumentRecord.verification_code)))
        self.users = self._users_by_district()
        self.offices = {(o.agency_id, o.district_id): o for o in session.scalars(select(Office))}
        self.agency_of_office = {o.id: o.agency_id for o in self.offices.values()}
        self.centres = {p.district_id: p.id for p in session.scalars(
            select(GuidanceProvider).where(GuidanceProvider.kind == "guidance_centre"))}
        self.district_codes = dict(session.execute(text("SELECT id, code FROM district")).all())
        head = session.get(AuditHead, audit.HEAD_ID)
        self.audit_last = (head.last_id, head.last_hash)
        self.pending = {m.__table__.name: [] for m in CASE_TABLES}
        self.pending_audit = []

    # --- the people of each district -------------------------------------------------------------
    def _users_by_district(self) -> dict:
        """district id -> {role key: user id}; the role key is the username without a district prefix."""
        found = {}
        for user in self.session.scalars(select(User)):
            key = user.username.split(".", 1)[1] if "." in user.username else user.username
            found.setdefault(user.district_id, {})[key] = user.id
        return found

    def user_map(self, template: Template, district_id: int) -> dict:
        source = {uid: key for key, uid in self.users[template.district_id].items()}
        target = self.users[district_id]
        return {uid: target.get(key, uid) for uid, key in source.items()}

    # --- copying -----------------------------------------------------------------------------------
    def copy(self, template: Template, district_id: int, shift: timedelta, child: dict | None = None) -> int:
        """Queue one copy of ``template`` in ``district_id``, every date moved by ``shift``; returns its case id."""
        ids = {name: {} for name in self.pending}
        with_id = {m.__table__.name for m in WITH_ID}
        for name, rows in template.rows.items():
            if name in with_id:
                for row in rows:
                    ids[name][row["id"]] = self._new_id(name)
        uuids: dict[str, str] = {}
        users = self.user_map(template, district_id)
        case_row = template.rows["case_file"][0]
        opened = case_row["opened_at"] + shift
        person = child or self.new_child(opened.date())
        case_no = self._number(f"case:{self.district_codes[district_id]}:{opened.year}",
                               "{d}-{y}-{n:05d}", self.district_codes[district_id], opened.year)
        context = _Copy(self, ids, uuids, users, district_id, shift, person, case_no)
        for name, rows in template.rows.items():
            for row in rows:
                self.pending[name].append(context.row(name, row))
        for entry in template.audit:
            self.pending_audit.append(context.audit_entry(entry))
        return ids["case_file"][case_row["id"]]

    def write(self, session) -> int:
        """Insert everything queued (one statement per table), append the audit entries to the chain, store
        the counters and move PostgreSQL's id sequences past the ids used; returns the rows written."""
        connection = session.connection()
        head = connection.execute(select(AuditHead.last_id, AuditHead.last_hash)
                                  .where(AuditHead.id == audit.HEAD_ID).with_for_update()).one()
        if tuple(head) != self.audit_last:  # every change is audited: the head moved, so someone wrote
            raise RuntimeError(f"the audit chain moved from entry {self.audit_last[0]} to {head[0]} while "
                               "copying: something else wrote to this database; seed a database nobody uses")
        written = 0
        for model in CASE_TABLES:
            rows = self.pending[model.__table__.name]
            if rows:
                connection.execute(model.__table__.insert(), rows)
                written += len(rows)
                rows.clear()
        if self.pending_audit:
            chained = audit.chain(self.pending_audit, *self.audit_last, key=session.info.get(audit.KEY))
            connection.execute(AuditEntry.__table__.insert(), chained)
            self.audit_last = (chained[-1]["id"], chained[-1]["hash"])
            connection.execute(AuditHead.__table__.update().where(AuditHead.__table__.c.id == audit.HEAD_ID)
                               .values(last_id=self.audit_last[0], last_hash=self.audit_last[1]))
            written += len(chained)
            self.pending_audit.clear()
        self._store_counters(connection)
        return written

    def _store_counters(self, connection) -> None:
        table = Counter.__table__
        for name, value in self.counters.items():
            if name in self.counters_stored:
                connection.execute(table.update().where(table.c.name == name).values(value=value))
            else:
                connection.execute(table.insert().values(name=name, value=value))
                self.counters_stored.add(name)
        if connection.dialect.name == "postgresql":
            for name, next_id in self.next_id.items():
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :v, false)"),
                                   {"v": next_id})

    # --- new values ----------------------------------------------------------------------------------
    def _new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _number(self, counter: str, pattern: str, district_code: str, year: int) -> str:
        value = self.counters.get(counter, 0) + 1
        self.counters[counter] = value
        return pattern.format(d=district_code, y=year, n=value)

    def document_number(self, office: Office, year: int) -> tuple[str, int]:
        name = f"doc:{office.id}:{year}"
        value = self.counters.get(name, 0) + 1
        self.counters[name] = value
        return f"{office.doc_prefix}〔{year}〕{value}号", value

    def verification_code(self) -> str:
        while True:
            raw = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(8))
            code = f"{raw[:4]}-{raw[4:]}"
            if code not in self.codes_used:
                self.codes_used.add(code)
                return code

    def name(self, length: int | None = None) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(length or self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def new_child(self, opened: date) -> dict:
        age_days = self.rng.randint(3 * 365, 17 * 365)
        birth = opened - timedelta(days=age_days)
        sex = self.rng.choice("MF")
        number = None
        if self.rng.random() < 0.8:  # most children's ID numbers are known
            order = self.rng.randrange(0, 499) * 2 + (1 if sex == "M" else 0)
            body = f"500{self.rng.randint(100, 243):03d}{birth:%Y%m%d}{order:03d}"
            number = body + checksum_char(body)
        return {"name": self.name(), "sex": sex, "birth_date": birth, "id_number": number}


class _Copy:
    """One copy of one template: how each row of each table changes."""

    def __init__(self, copier, ids, uuids, users, district_id, shift, child, case_no):
        self.c, self.ids, self.uuids, self.users = copier, ids, uuids, users
        self.district_id, self.shift, self.child, self.case_no = district_id, shift, child, case_no
        self.doc_numbers: dict[str, str] = {}

    def uuid(self, value: str) -> str:
        if value not in self.uuids:
            self.uuids[value] = str(_uuid4(self.c.rng))
        return self.uuids[value]

    def row(self, table: str, row: dict) -> dict:
        out = dict(row)
        model = next(m for m in CASE_TABLES if m.__table__.name == table)
        for column in model.__table__.columns:
            value = out.get(column.name)
            if value is None:
                continue
            if isinstance(column.type, UTCDateTime):
                out[column.name] = value + self.shift
            elif isinstance(column.type, Date):
                out[column.name] = value + self.shift
        if "id" in out:
            out["id"] = self.ids[table][row["id"]]
        if table == "case_file":
            out["id"] = self.ids["case_file"][row["id"]]
        else:
            out["case_id"] = self.ids["case_file"][row["case_id"]] if row.get("case_id") else None
        if out.get("round_id"):
            out["round_id"] = self.ids["round"][row["round_id"]]
        for key in USER_COLUMNS:
            if out.get(key) is not None:
                out[key] = self.users.get(out[key], out[key])
        return getattr(self, f"_{table}", lambda r: r)(out)

    # per-table changes beyond ids, users and dates
    def _case_file(self, r):
        child = self.child
        r.update(case_no=self.case_no, district_id=self.district_id, child_name=child["name"],
                 child_sex=child["sex"], child_birth_date=child["birth_date"], child_id_number=child["id_number"],
                 family_types=self._family_types(), version=1,
                 child_school=f"{self.c.rng.choice(('第一', '实验', '育才', '新华', '城南'))}小学" if r["child_school"] else None)
        return r

    def _risk_clue(self, r):
        year = r["received_at"].year
        r["clue_no"] = self.c._number(f"clue:{self.c.district_codes[self.district_id]}:{year}",
                                      "{d}-XS-{y}-{n:05d}", self.c.district_codes[self.district_id], year)
        r["district_id"] = self.district_id
        child = self.child
        r["child"] = {**r["child"], "name": child["name"], "sex": child["sex"],
                      "birth_date": child["birth_date"].isoformat(), "id_number": child["id_number"]}
        r["guardians"] = [{**g, "name": self.c.name(), "id_number": None, "phone": None} for g in r["guardians"]]
        r["reporter_name"] = self.c.name()
        return r

    def _guardian(self, r):
        r.update(name=self.c.name(), phone=f"1{self.c.rng.randint(3000000000, 9999999999)}", id_number=None)
        return r

    def _round(self, r):
        # Timers' due times move with the case; the tasks' ``last_state_change`` stay as they are: they are
        # wall-clock moments (SpiffWorkflow's, not the engine's clock) and must stay before any later step.
        # The workflow data names referrals, orders and records by id: those move to the copies' rows.
        state = json.dumps(self._refs(json.loads(r["state"])), ensure_ascii=False)
        state = UUID.sub(lambda m: self.uuid(m.group(0)), state)
        r["state"] = EVENT_VALUE.sub(
            lambda m: m.group(1) + (datetime.fromisoformat(m.group(2)) + self.shift).isoformat() + m.group(3), state)
        r["steps"] = {step: {key: (datetime.fromisoformat(at) + self.shift).isoformat() if at else at
                             for key, at in times.items()} for step, times in (r.get("steps") or {}).items()}
        return r

    def _refs(self, value):
        """Ids of copied rows inside workflow data: a referral (``referral_item``), an order in force
        (``orders_in_force``) and the ``RECORD_REFS`` keys."""
        if isinstance(value, list):
            return [self._refs(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {k: self._refs(v) for k, v in value.items()}
        if isinstance(out.get("id"), int):
            if {"measure", "issuer", "proposer"} <= out.keys():
                out["id"] = self.ids["referral"].get(out["id"], out["id"])
            elif {"issuer", "report_every"} <= out.keys():
                out["id"] = self.ids["document_record"].get(out["id"], out["id"])
        for key, table in RECORD_REFS.items():
            if isinstance(out.get(key), int):
                out[key] = self.ids[table].get(out[key], out[key])
        return out

    def _work_item(self, r):
        r.update(task_id=self.uuid(r["task_id"]), district_id=self.district_id)
        kind, _, number = (r.get("subject") or "").partition(":")
        if number.isdigit():
            table = {"referral": "referral", "order": "document_record"}.get(kind)
            if table:
                r["subject"] = f"{kind}:{self.ids[table].get(int(number), int(number))}"
        return r

    def _referral(self, r):
        for key in ("document_id", "parent_document_id"):
            if r.get(key):
                r[key] = self.ids["document_record"][r[key]]
        return r

    def _approval(self, r):
        if r.get("referral_id"):
            r["referral_id"] = self.ids["referral"][r["referral_id"]]
        return r

    def _order_supervision(self, r):
        r["document_id"] = self.ids["document_record"][r["document_id"]]
        return r

    def _compliance_check(self, r):
        r["document_id"] = self.ids["document_record"][r["document_id"]]
        return r

    def _chase(self, r):
        r.update(task_id=self.uuid(r["task_id"]), district_id=self.district_id)
        return r

    def _task_record(self, r):
        if r.get("task_id"):
            r["task_id"] = self.uuid(r["task_id"])
        data = self._refs(dict(r["data"] or {}))
        if "document_number" in data:
            data["document_number"] = self.doc_numbers.get(data["document_number"], data["document_number"])
        r["data"] = data
        return r

    def _risk_code_change(self, r):
        if r.get("approval_id"):
            r["approval_id"] = self.ids["approval"][r["approval_id"]]
        return r

    def _guidance_plan(self, r):
        r["provider_id"] = self.c.centres.get(self.district_id, r["provider_id"])
        return r

    def _document_record(self, r):
        if r.get("office_id"):
            agency_id = self.c.agency_of_office[r["office_id"]]
            office = self.c.offices[(agency_id, self.district_id)]
            r["office_id"] = office.id
            if r.get("number"):
                old = r["number"]
                r["number"], r["sequence"] = self.c.document_number(office, r["issued_at"].year)
                r["year"] = r["issued_at"].year
                self.doc_numbers[old] = r["number"]
        for key in ("supersedes_id", "served_document_id"):
            if r.get(key):
                r[key] = self.ids["document_record"][r[key]]
        fields = dict(r["fields"] or {})
        if fields.get("served_number") in self.doc_numbers:
            fields["served_number"] = self.doc_numbers[fields["served_number"]]
        r["fields"] = fields
        r["verification_code"] = self.c.verification_code()
        r["snapshot"] = r["snapshot_sha256"] = None
        return r

    def audit_entry(self, entry: dict) -> dict:
        out = {k: entry[k] for k in ("action", "entity", "before", "after")}
        out["at"] = entry["at"] + self.shift
        out["user_id"] = self.users.get(entry["user_id"], entry["user_id"]) if entry["user_id"] else None
        out["case_id"] = self.ids["case_file"][entry["case_id"]] if entry["case_id"] else None
        out["entity_id"] = self._entity(entry["entity"], entry["entity_id"])
        return out

    def _entity(self, entity, entity_id):
        tables = {"case": "case_file", "round": "round", "document": "document_record", "risk_clue": "risk_clue",
                  "referral": "referral", "chase": "chase", "followup_visit": "followup_visit",
                  "guidance_session": "guidance_session"}
        if entity_id is None:
            return None
        if entity == "task":
            return self.uuid(entity_id) if UUID.fullmatch(entity_id) else entity_id
        table = tables.get(entity)
        if table and entity_id.isdigit() and int(entity_id) in self.ids[table]:
            return str(self.ids[table][int(entity_id)])
        return entity_id

    def _family_types(self) -> list:
        from engine.reference import FAMILY_TYPES
        kinds = list(FAMILY_TYPES)
        assert len(kinds) == 14, "one weight per family type"
        # 隔代, 单亲, 重组, 留守, 流动, 特殊儿童, 服刑人员家庭, 事实无人抚养, 离异, 收养, 戒毒, 残疾人家庭, 困境, 低收入
        weights = (24, 18, 8, 16, 7, 5, 4, 3, 6, 1, 1, 2, 3, 2)
        count = self.c.rng.choices((0, 1, 2, 3), weights=(15, 50, 28, 7))[0]
        return sorted(set(self.c.rng.choices(kinds, weights=weights, k=count)))


def _uuid4(rng: random.Random):
    return uuid.UUID(int=rng.getrandbits(128), version=4)


__all__ = ["CaseCopier", "Template", "load_template"]
