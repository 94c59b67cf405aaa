"""The daily e-mail digest (每日通知摘要): to each user who asked for it, the count and a list of their unread
notifications — case numbers, task names and what happened, never a child's or a guardian's name, ID number,
address or school, nor a reason typed by a colleague (it might name them). Sent through the SMTP server in the
settings (``GUARDLOOP_SMTP_*``) by ``guardloop digest`` and, once a day from ``digest_hour``, by the tick.
"""
import logging
import re
import smtplib
from email.message import EmailMessage

from sqlalchemy import select

from engine.actor import Actor
from engine.auditlog import record as audit
from engine.context import GuardLoop
from engine.errors import InvalidInput, NotConfigured
from engine.models import Case, Notification, User
from engine.services.notifications import _addressed_to
from engine.workflow.clock import CHINA_TZ, clock

log = logging.getLogger("guardloop.digest")
MAX_LINES = 100
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")

# notification kind -> (Chinese, English), what the digest line says
WORDS = {
    "task_new": ("新任务（指派给您）", "New task assigned to you"),
    "task_unassigned": ("本机构新任务（待认领）", "New unassigned task in your agency"),
    "task_due_soon": ("任务即将到期", "Task due soon"),
    "task_overdue": ("任务已逾期", "Task overdue"),
    "request_returned": ("申请被退回补正", "Request returned for correction"),
    "case_handed": ("个案已交由您承办", "Case handed to you"),
    "duplicate_check": ("疑似重复线索", "Possible duplicate clue"),
    "round_quarantined": ("轮次已被搁置，需修复", "Round set aside for repair"),
}


def update_settings(gl: GuardLoop, actor: Actor, data: dict) -> None:
    """The user's own e-mail address and whether they want the daily digest; audited."""
    email = str(data.get("email") or "").strip()
    opt_in = str(data.get("digest_opt_in") or "").lower() in ("1", "true", "on", "yes")
    if len(email) > 200 or (email and not _EMAIL.match(email)):
        raise InvalidInput("email", "电子邮箱格式不正确。", "This is not an e-mail address.")
    if opt_in and not email:
        raise InvalidInput("email", "订阅每日摘要需要填写电子邮箱。", "Give an e-mail address to receive the daily digest.")
    with gl.transaction() as session:
        user = session.get(User, actor.id)
        before = {"email": user.email, "digest_opt_in": user.digest_opt_in}
        user.email, user.digest_opt_in = email or None, opt_in
        audit.record(session, actor, "update_digest_settings", "user", user.id, None, before,
                     {"email": user.email, "digest_opt_in": opt_in})


def settings_of(gl: GuardLoop, actor: Actor) -> dict:
    with gl.reading() as session:
        user = session.get(User, actor.id)
        return {"email": user.email or "", "digest_opt_in": bool(user.digest_opt_in), "sent_at": user.digest_sent_at}


def _line(notice: Notification, case_no: str | None) -> str:
    zh, en = WORDS.get(notice.kind, (notice.kind, notice.kind))
    task = notice.payload.get("task_name") if isinstance(notice.payload, dict) else None
    parts = [f"案件 {case_no}" if case_no else None, f"{zh} / {en}", f"任务 Task: {task}" if task else None]
    due = notice.payload.get("due_at") if isinstance(notice.payload, dict) else None
    if due and notice.kind in ("task_due_soon", "task_overdue", "task_new", "task_unassigned"):
        parts.append(f"期限 Due: {due[:10]}")
    return " · ".join(p for p in parts if p)


def compose(session, user: User) -> EmailMessage | None:
    """The user's digest, or None when nothing is unread."""
    actor = Actor.of(user)
    rows = session.execute(select(Notification, Case.case_no).outerjoin(Case, Case.id == Notification.case_id)
                           .where(*_addressed_to(actor), Notification.read_at.is_(None))
                           .order_by(Notification.id.desc()).limit(MAX_LINES + 1)).all()
    if not rows:
        return None
    today = clock.now().astimezone(CHINA_TZ).date().isoformat()
    shown = rows[:MAX_LINES]
    body = [f"{user.display_name}：", "",
            f"您在监护闭环系统中有 {len(shown)}{'+' if len(rows) > MAX_LINES else ''} 条未读通知 / "
            f"You have {len(shown)}{'+' if len(rows) > MAX_LINES else ''} unread notifications in GuardLoop:", ""]
    body += [f"- {_line(n, case_no)}" for n, case_no in shown]
    body += ["", "请登录系统查看详情。本邮件不含未成年人及其家庭的个人信息。",
             "Sign in to see them. This mail carries no personal data of the child or the family."]
    message = EmailMessage()
    message["Subject"] = f"监护闭环 每日通知摘要 / GuardLoop daily digest {today}（{len(shown)}）"
    message["To"] = user.email
    message.set_content("\n".join(body))
    return message


def send_digests(gl: GuardLoop, only_due_today: bool = False) -> int:
    """Send each opted-in active user with an e-mail address their digest (when something is unread);
    ``only_due_today``: skip those who had one today already (the tick). Returns how many were sent."""
    settings = gl.settings
    if not settings.smtp_host:
        raise NotConfigured("未配置发送邮件的服务器（GUARDLOOP_SMTP_HOST）。",
                            "No SMTP server is set (GUARDLOOP_SMTP_HOST).")
    today = clock.today()
    with gl.reading() as session:
        users = session.scalars(select(User).where(User.digest_opt_in.is_(True), User.active.is_(True),
                                                   User.email.is_not(None)).order_by(User.id)).all()
        messages = []
        for user in users:
            if only_due_today and user.digest_sent_at and user.digest_sent_at.astimezone(CHINA_TZ).date() >= today:
                continue
            message = compose(session, user)
            if message is not None:
                message["From"] = settings.smtp_from
                messages.append((user.id, message))
    if not messages:
        return 0
    sent = 0
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        for user_id, message in messages:
            try:
                smtp.send_message(message)
            except smtplib.SMTPException:
                log.exception("digest to user %s refused by the SMTP server", user_id)
                continue
            with gl.transaction() as session:
                session.get(User, user_id).digest_sent_at = clock.now()
                audit.record(session, None, "send_digest", "user", user_id, None, None,
                             {"lines": message.get_content().count("\n- ")})
            sent += 1
    return sent


def send_due_digests(gl: GuardLoop) -> int:
    """The tick's part: once a day, from ``digest_hour`` (China time), when an SMTP server is set."""
    if not gl.settings.smtp_host or clock.now().astimezone(CHINA_TZ).hour < gl.settings.digest_hour:
        return 0
    return send_digests(gl, only_due_today=True)
