"""Language helpers: pick the Chinese or English side of the engine's bilingual labels, format dates."""
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel import Locale, dates as babel_dates
from babel.support import Translations
from flask import current_app
from flask_babel import format_decimal
from markupsafe import Markup, escape

from engine import reference
from engine.reads.accounts import district as read_district
from engine.rules.masking import mask_id, mask_name
from engine.workflow.clock import CHINA_TZ
from web.task_forms import FORMS

# The request's language, set once per request (``extensions``): template helpers ask for it for every row
# of a list, and a context variable answers without going through Flask's request proxies.
LANG = ContextVar("guardloop_lang", default="zh_CN")


def is_en() -> bool:
    return LANG.get() == "en"


@lru_cache(maxsize=4)
def translations(lang: str):
    """The compiled catalog of a language, loaded once per process (``zh_CN`` finds ``zh``)."""
    return Translations.load(str(Path(__file__).parent / "translations"), [lang], "messages")


def install_template_gettext(env) -> None:
    """Templates translate with the request's catalog looked up by language, not through Flask-Babel's
    per-call search of the request context (a case page asks some three hundred times)."""
    env.install_gettext_callables(
        gettext=lambda s: translations(LANG.get()).ugettext(s),
        ngettext=lambda s, p, n: translations(LANG.get()).ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations(LANG.get()).upgettext(c, s),
        npgettext=lambda c, s, p, n: translations(LANG.get()).unpgettext(c, s, p, n))


def pick(pair) -> str:
    """A (Chinese, English) pair → the side for the current language."""
    if not pair:
        return ""
    return pair[1] if is_en() else pair[0]


def label(table: str, code) -> str:
    """``label('CASE_TYPES', 'general')`` → its name in the current language (the code when unknown)."""
    entry = getattr(reference, table).get(code)
    if entry is None:
        return code or "—"
    return pick(entry[:2])


def code_badge(code) -> Markup:
    """A risk code as a badge: colour plus its name in words, never colour alone."""
    if not code:
        return Markup('<span class="code code-none">{}</span>').format("未赋码" if not is_en() else "Not coded")
    return Markup('<span class="code code-{}">{}</span>').format(code, label("CODE_NAMES", code))


def message(exc) -> str:
    return getattr(exc, "message_en" if is_en() else "message", str(exc))


def lane_label(code) -> str:
    entry = reference.AGENCIES.get(code)
    return pick(entry[:2]) if entry else code


def task_title(spec: str, fallback: str = "") -> str:
    form = FORMS.get(spec)
    return pick(form.title) if form else (fallback or spec)



def approval_kind(kind, subject=None) -> str:
    """What an approval is for: a downgrade, a closure, an escalation, or the order it would issue."""
    if kind == "order":
        entry = reference.DOCUMENT_TYPES.get(subject)
        return (pick(("签发", "Issue: ")) + pick(entry[:2])) if entry else kind
    if kind == "correction":
        entry = reference.DOCUMENT_TYPES.get(subject)
        return (pick(("更正", "Correct: ")) + pick(entry[:2])) if entry else kind
    return pick(reference.APPROVAL_KINDS.get(kind, (kind, kind)))


def overdue_kind(kind) -> str:
    return pick(reference.OVERDUE_KINDS.get(kind, (kind, kind)))


def district_name(district_id) -> str:
    district = read_district(current_app.extensions["guardloop"], district_id)
    return pick((district.name_zh, district.name_en)) if district else ""


def list_sep() -> str:
    return ", " if is_en() else "、"


HEAD_OF_DEPARTMENT = ("部门负责人", "Head of department")
# what the case page's audit trail calls each kind of entry (an unknown kind shows its code)
AUDIT_ACTIONS = {
    "view_case": ("查看个案", "Viewed the case"), "view_task": ("查看任务", "Viewed a task"),
    "view_document": ("查看文书", "Viewed a document"), "view_clue": ("查看线索", "Viewed the clue"),
    "view_note": ("查看记录", "Viewed a note"), "view_attachment": ("查看附件", "Viewed an attachment"),
    "preview_draft": ("预览文书草稿", "Previewed a draft"), "case_file": ("生成卷宗", "Made the case file"),
    "reject_clue": ("线索不予建档", "Rejected the clue"), "merge_clue": ("线索合并", "Merged a clue"), "export": ("导出", "Exported"),
    "access_refused": ("访问被拒绝", "Access refused"), "register_clue": ("登记线索", "Registered the clue"),
    "check_duplicates": ("查重", "Checked for duplicates"), "open_case": ("建档", "Opened the case"),
    "start_round": ("开始新一轮", "Started a round"), "end_round": ("本轮结束", "Ended the round"),
    "complete_task": ("办理", "Completed"), "fire_timers": ("期限到达", "Deadlines reached"),
    "raise_chase": ("督办", "Chased"), "answer_chase": ("答复督办", "Answered a chase"),
    "issue_document": ("制发文书", "Issued a document"), "render_document": ("生成文书文件", "Rendered a document"),
    "request_correction": ("申请更正文书", "Asked to correct a document"),
    "decide_correction": ("审批更正", "Decided a correction"), "supersede_document": ("文书被更正", "Document superseded"),
    "deliver_document": ("送达文书", "Delivered a document"), "record_visit": ("记录回访", "Recorded a visit"),
    "record_guidance_session": ("记录指导", "Recorded a guidance session"),
    "upgrade_on_incident": ("新情况升级风险码", "Raised the code on an incident"), "close_case": ("结案", "Closed the case"),
    "add_guardian": ("增加监护人或照料人", "Added a guardian or carer"),
    "change_guardianship": ("变更监护", "Changed guardianship"), "acknowledge_report": ("接报确认", "Acknowledged the report"),
    "respond_to_report": ("反馈处置情况", "Responded to the report"), "add_attachment": ("上传附件", "Added an attachment"),
    "edit_note": ("修改记录", "Edited a note"), "correct_note": ("更正记录", "Corrected a note"),
    "hand_over_case": ("指定或移交承办人", "Assigned or handed over the case"),
    "sign_off_audit": ("闭环审查签署", "Signed off the closed loop"), "return_for_rework": ("退回重办", "Returned for rework"),
    "quarantine_round": ("流程数据隔离", "Round quarantined"),
    "require_courses": ("方案要求参加家长学校课程", "Plan requires parent-school courses"),
    "view_case_learning": ("查看监护人家长学校学习情况", "Viewed the guardians' parent-school learning"),
    "relink_participant": ("家长学员改为关联本个案", "Parent-school participant linked to this case"),
}


def audit_action(action: str) -> str:
    entry = AUDIT_ACTIONS.get(action)
    return pick(entry) if entry else action


def role_name(role: str, agency: str | None = None) -> str:
    """A role as its holder is called: a supervisor of the women's federation is its 督导; a supervisor of the
    procuratorate, the court, the police or civil affairs is the head of a department (未检部主任, 庭长, 所长…)."""
    if role == "supervisor" and agency and agency != "womens_federation":
        return pick(HEAD_OF_DEPARTMENT)
    return label("ROLES", role)


def template_globals() -> dict:
    return {"district_name": district_name, "list_sep": list_sep, "relation_label": reference.GUARDIAN_RELATIONS.get, "code_change_kind": reference.CODE_CHANGE_KINDS.get,
            "approval_status": reference.APPROVAL_STATUSES.get, "approval_kind": approval_kind, "overdue_kind": overdue_kind, "task_title": task_title, "mask_name": mask_name, "mask_id": mask_id, "pick": pick, "label": label, "role_name": role_name, "audit_action": audit_action, "code_badge": code_badge, "lane_label": lane_label, "is_en": is_en,
            "reference": reference, "error_message": message}


def _date(value):
    return _pattern("date", LANG.get()).apply(value, _locale(LANG.get())) if value else "—"


def _datetime(value):
    """Short date and time in China time, as Flask-Babel's ``format_datetime(value, "short")`` gives it,
    with the locale and the parsed pattern looked up once per language instead of once per value."""
    if not value:
        return "—"
    return _pattern("datetime", LANG.get()).apply(value.astimezone(CHINA_TZ), _locale(LANG.get()))


@lru_cache(maxsize=4)
def _locale(lang: str):
    return Locale.parse(lang)


@lru_cache(maxsize=8)
def _pattern(kind: str, lang: str):
    locale = _locale(lang)
    if kind == "date":
        return babel_dates.parse_pattern(babel_dates.get_date_format("medium", locale).pattern)
    joined = (babel_dates.get_datetime_format("short", locale).replace("'", "")
              .replace("{0}", babel_dates.get_time_format("short", locale).pattern)
              .replace("{1}", babel_dates.get_date_format("short", locale).pattern))
    return babel_dates.parse_pattern(joined)


def _options(choices: dict) -> list[tuple]:
    return [(key, pick(names[:2])) for key, names in choices.items()]


def template_filters() -> dict:
    return {"district_options": lambda ds: [(d.code, pick((d.name_zh, d.name_en))) for d in ds],
            "options": _options, "relation_options": lambda keys: [(k, pick(reference.GUARDIAN_RELATIONS[k])) for k in keys], "provider_options": lambda providers: [(p.id, p.name) for p in providers],
            "guardian_options": lambda guardians: [(str(g.id), f"{g.name}（{pick(reference.GUARDIAN_RELATIONS.get(g.relation, (g.relation, g.relation)))}）")
                                                   for g in guardians],
            "d": _date, "dt": _datetime, "num": lambda v: format_decimal(v),
            "nl2br": lambda text: Markup("<br>").join(escape(text or "").split("\n"))}
