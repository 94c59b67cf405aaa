"""The simulated users of the HTTP benchmarks (``load.py``, ``faults.py``): signing in through the real
``/login`` form, keeping the session cookie and a CSRF token, reading inbox, case and search pages, and
filling in task forms with data each form accepts.

One ``aiohttp.ClientSession`` serves all users; each ``User`` carries its own session cookie (sent by
hand, so there is no cookie-jar work per request). Pages are read with a few regular expressions, not an
HTML parser, to keep the client's CPU small: it shares the machine's two cores with the server.
"""
import asyncio
import html
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from ipaddress import ip_address
from urllib.parse import urlsplit

import aiohttp

from engine.reference import ASSESSMENT_ITEMS
from web.task_forms import ALL_FORMS

PASSWORD = "guardloop-demo"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="expected_version" value="(\d+)"')
TASK_LINK = re.compile(r'<a href="/cases/(\d+)/tasks/([0-9a-f-]{36})">([^<]+)</a>')
CASE_LINK = re.compile(r'<a href="/cases/(\d+)">([^<]+)</a>')
TASK_FORM = re.compile(r'<form method="post" class="card task-form"[^>]*>(.*?)</form>', re.S)
INPUT = re.compile(r"<input\s([^>]*)>")
ATTR = re.compile(r'([\w-]+)(?:="([^"]*)")?')
TEXTAREA = re.compile(r'<textarea\s[^>]*name="([\w-]+)"[^>]*>(.*?)</textarea>', re.S)
SELECT = re.compile(r'<select\s[^>]*name="([\w-]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]*)"\s*(selected)?')
# Chinese form titles (as inboxes and case pages show them) -> task spec
SPEC_BY_TITLE = {form.title[0]: spec for spec, form in ALL_FORMS.items()}
if len(SPEC_BY_TITLE) != len(ALL_FORMS):  # pragma: no cover  (a new form with a title already used)
    raise RuntimeError("task form titles are not unique: the load client cannot tell the tasks apart")
H1 = re.compile(r"<h1>([^<]+)</h1>")


def _tasks_named_by_the_model() -> dict:
    """Inbox titles of the user tasks whose form depends on the task (an order's draft, ``draft_order``, has
    a form per measure): the inbox shows the model's name for them (``拟制文书``)."""
    from pathlib import Path

    from lxml import etree
    found = {}
    for path in sorted((Path(__file__).resolve().parent.parent / "workflows").glob("*.bpmn")):
        for task in etree.parse(str(path)).iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask"):
            spec = task.get("id")
            if spec not in ALL_FORMS and any(key.startswith(spec + ":") for key in ALL_FORMS) and task.get("name"):
                found[task.get("name")] = spec
    return found


# inbox titles -> task spec: a task's form title, or the model's name of a task with a form per case
INBOX_SPEC = {**SPEC_BY_TITLE, **_tasks_named_by_the_model()}


def form_key(spec: str | None, body: str) -> str | None:
    """The ``ALL_FORMS`` key of a task form page: the task spec, or for a task with a form per case (an
    order's draft) the form whose title the page shows."""
    if spec in ALL_FORMS:
        return spec
    title = H1.search(body)
    key = SPEC_BY_TITLE.get(html.unescape(title.group(1)).strip()) if title else None
    return key if key and spec and key.startswith(spec + ":") else None


def require_loopback(url: str) -> str:
    """The benchmarks talk to this machine only: refuse any host that is not a loopback address."""
    host = urlsplit(url).hostname or ""
    try:
        loopback = ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise SystemExit(f"refusing to send load to {host!r}: only 127.0.0.1 (loopback) is allowed")
    return url.rstrip("/")


@dataclass
class Row:
    """A task link the user saw (inbox or case page)."""
    case_id: int
    task_id: str
    spec: str | None


@dataclass
class User:
    username: str
    user_id: int
    role: str
    agency: str
    district: str
    cookie: str = ""
    csrf: str = ""
    rows: dict = field(default_factory=dict)       # task id -> Row
    cases: dict = field(default_factory=dict)      # case id -> case number
    twin: "User | None" = None                     # a colleague (or a second sign-in) for duels
    may_complete: set = field(default_factory=set)  # task specs the user's role may complete

    def remember_page(self, body: str) -> None:
        token = CSRF.search(body)
        if token:
            self.csrf = token.group(1)
        for case_id, case_no in CASE_LINK.findall(body):
            self.cases[int(case_id)] = html.unescape(case_no)


@dataclass
class Response:
    status: int | None
    body: str
    seconds: float
    error: str | None = None
    location: str = ""


class Client:
    """Sends requests as users; ``on_response(kind, response)`` sees every one (the benchmark's tally)."""

    def __init__(self, base_url: str, timeout: float = 120.0, on_response=None):
        self.base = require_loopback(base_url)
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.on_response = on_response
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self):
        # gunicorn's sync workers close every connection after one response: no keep-alive to manage.
        connector = aiohttp.TCPConnector(limit=0, force_close=True)
        self.session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                             timeout=self.timeout, auto_decompress=False)
        # aiohttp resends an idempotent request (GET) once, silently, when the server closes the connection
        # without answering. A benchmark must see that failure (a killed worker's request): no retry. There
        # is no public switch; aiohttp's own test client sets the same attribute (aiohttp is pinned).
        self.session._retry_connection = False
        return self

    async def __aexit__(self, *exc):
        await self.session.close()

    async def request(self, user: User, method: str, path: str, kind: str, data=None) -> Response:
        headers = {"Cookie": f"session={user.cookie}"} if user.cookie else {}
        started = time.perf_counter()
        try:
            async with self.session.request(method, self.base + path, data=data, headers=headers,
                                            allow_redirects=False) as resp:
                body = await resp.text() if resp.status != 302 else ""
                cookie = resp.cookies.get("session")
                if cookie is not None:
                    user.cookie = cookie.value
                result = Response(resp.status, body, time.perf_counter() - started,
                                  location=resp.headers.get("Location", ""))
        except asyncio.CancelledError:
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError) as exc:
            result = Response(None, "", time.perf_counter() - started, error=type(exc).__name__)
        if self.on_response is not None:
            self.on_response(kind, result)
        return result

    # --- pages -------------------------------------------------------------------------------------
    async def login(self, user: User) -> bool:
        page = await self.request(user, "GET", "/login", "login_form")
        user.remember_page(page.body)
        resp = await self.request(user, "POST", "/login", "login",
                                  {"csrf_token": user.csrf, "username": user.username, "password": PASSWORD})
        if resp.status != 302:
            return False
        return (await self.inbox(user)).status == 200   # the sign-in cleared the session: a new CSRF token

    async def inbox(self, user: User, kind: str = "inbox") -> Response:
        resp = await self.request(user, "GET", "/", kind)
        if resp.status == 200:
            user.remember_page(resp.body)
            user.rows = {task_id: Row(int(case_id), task_id, INBOX_SPEC.get(html.unescape(title)))
                         for case_id, task_id, title in TASK_LINK.findall(resp.body)}
        return resp

    async def case_page(self, user: User, case_id: int) -> Response:
        resp = await self.request(user, "GET", f"/cases/{case_id}", "case")
        if resp.status == 200:
            user.remember_page(resp.body)
            for case, task_id, title in TASK_LINK.findall(resp.body):
                user.rows.setdefault(task_id, Row(int(case), task_id, INBOX_SPEC.get(html.unescape(title))))
        return resp

    async def trivial(self, user: User) -> Response:
        """The yardstick page of ``bench.wsgi`` (same app, session, layout; one query)."""
        return await self.request(user, "GET", "/bench/trivial", "trivial")

    async def search(self, user: User, text: str) -> Response:
        resp = await self.request(user, "GET", "/search?" + _query(text), "search")
        if resp.status == 200:
            user.remember_page(resp.body)
        return resp

    async def task_form(self, user: User, row: Row, kind: str = "task_form") -> Response:
        resp = await self.request(user, "GET", f"/cases/{row.case_id}/tasks/{row.task_id}", kind)
        if resp.status == 200:
            token = CSRF.search(resp.body)
            if token:
                user.csrf = token.group(1)
        return resp

    async def submit(self, user: User, row: Row, fields: list, kind: str = "complete") -> Response:
        return await self.request(user, "POST", f"/cases/{row.case_id}/tasks/{row.task_id}", kind, fields)


def _query(text: str) -> str:
    from urllib.parse import urlencode
    return urlencode({"q": text})


# --- task forms ------------------------------------------------------------------------------------

@dataclass
class ParsedForm:
    hidden: dict
    values: dict          # name -> value (text, date, number, textarea, selected option)
    checked: dict         # name -> list of checked values (checkboxes, radios)
    options: dict         # select name -> [option values]
    boxes: dict           # checkbox/radio name -> [values offered]


def parse_task_form(body: str) -> ParsedForm | None:
    match = TASK_FORM.search(body)
    if match is None:
        return None
    form = match.group(1)
    hidden, values, checked, boxes = {}, {}, {}, {}
    for attrs_text in INPUT.findall(form):
        attrs = {k: html.unescape(v) if v is not None else "" for k, v in ATTR.findall(attrs_text)}
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name:
            continue
        if kind == "hidden":
            hidden[name] = attrs.get("value", "")
        elif kind in ("checkbox", "radio"):
            value = attrs.get("value", "on")
            boxes.setdefault(name, []).append(value)
            if "checked" in attrs:
                checked.setdefault(name, []).append(value)
        else:
            values[name] = attrs.get("value", "")
    for name, text in TEXTAREA.findall(form):
        values[name] = html.unescape(text)
    options = {}
    for name, inner in SELECT.findall(form):
        offered = OPTION.findall(inner)
        options[name] = [html.unescape(v) for v, _ in offered if v]
        chosen = [html.unescape(v) for v, sel in offered if sel and v]
        values[name] = chosen[0] if chosen else ""
    return ParsedForm(hidden, values, checked, options, boxes)


def fill_task_form(spec: str, form: ParsedForm, token: str, today: date, rng) -> tuple[list, dict]:
    """What a caseworker would submit: the form's own defaults, and for every empty field a value the
    task's handler accepts. Every free text carries ``token`` so the verification can find it.

    Returns the form fields as (name, value) pairs and the values by name (for the verification)."""
    pairs = [("csrf_token", form.hidden.get("csrf_token", "")),
             ("expected_version", form.hidden.get("expected_version", ""))]
    sent = {}
    for f in ALL_FORMS[spec].fields:
        name = f.name
        if f.kind == "scores":
            # mostly low scores: blue and yellow codes, now and then a higher one
            high = rng.random() < 0.15
            for item in ASSESSMENT_ITEMS:
                value = str(rng.choice((2, 3, 4) if high else (0, 0, 1, 1, 2)))
                pairs.append((item, value))
                sent[item] = int(value)
        elif f.kind in ("textarea", "text"):
            value = form.values.get(name) or ""
            value = f"{value} 压测{token}".strip() if f.kind == "textarea" else f"压测{token}"
            pairs.append((name, value))
            sent[name] = value
        elif f.kind == "date":
            value = form.values.get(name) or (today + timedelta(days=30 if name == "deadline" else 0)).isoformat()
            pairs.append((name, value))
            sent[name] = value
        elif f.kind == "int":
            value = form.values.get(name) or "6"
            pairs.append((name, value))
            sent[name] = int(value)
        elif f.kind == "bool":
            on = bool(form.checked.get(name))
            if on:
                pairs.append((name, "on"))
            sent[name] = on
        elif f.kind in ("choice", "provider"):
            value = form.values.get(name) or (form.options.get(name) or [""])[0]
            pairs.append((name, value))
            sent[name] = int(value) if f.kind == "provider" and value.isdigit() else value
        elif f.kind == "multi":
            chosen = list(form.checked.get(name, []))
            if name == "attendees" and len(chosen) < 2:
                chosen = form.boxes.get(name, [])[:3]
            pairs.extend((name, value) for value in chosen)
            sent[name] = chosen
    return pairs, sent
