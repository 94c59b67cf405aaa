"""The case page: summary, where the round stands (its five steps, the step's diagram), what is due next,
measures and orders, evidence and the audit trail."""
import json
from datetime import datetime, time
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine import services
from engine.errors import Conflict, InvalidInput
from engine.reads.diagrams import model_file
from engine.reference import REFERRAL_KINDS, STEPS
from engine.services.case_file import case_file as make
from engine.workflow.clock import CHINA_TZ, clock
from web.diagram import render_round_svg
from web.extensions import actor, casework_only, gl
from web.i18n import message
from web.task_forms import AWAITED

bp = Blueprint("cases", __name__, url_prefix="/cases")
bp.before_request(casework_only)

ROUND = "intervention_round"
STEP_PROCESS = {"assess": "assess", "handle": "handle", "guide": "guide", "follow_up": "follow_up", "review": "review"}


def step_strip(rnd) -> list[dict]:
    """The round's five steps as a strip: done, in progress, or not begun (they may run side by side)."""
    times = (rnd.steps or {}) if rnd is not None else {}
    strip = []
    for step in STEPS:
        entry = times.get(step)
        state = "waiting" if not entry else ("done" if entry.get("ended") or rnd.status != "running" else "active")
        strip.append({"step": step, "state": state, "started": entry and entry.get("started"),
                      "ended": entry and entry.get("ended")})
    return strip


def process_states(runtime, states: dict) -> dict[str, dict]:
    """Element states per BPMN process (an embedded sub-process's elements belong to the process it sits in)."""
    merged: dict[str, dict] = {}
    for process, elements in states.items():
        while process in runtime.index.embedded:
            process = runtime.index.embedded[process]
        merged.setdefault(process, {}).update(elements)
    return merged


def diagrams(runtime, states: dict, strip: list[dict]) -> tuple[list[dict], str]:
    """The diagrams a reader can choose (the round, and every process the round has entered) and the one to
    show first: the first step in progress."""
    per_process = process_states(runtime, states)
    shown = [ROUND] + [p for p in runtime.index.process_files if p != ROUND and p in per_process]
    chosen = next((STEP_PROCESS[s["step"]] for s in strip if s["state"] == "active"
                   and STEP_PROCESS[s["step"]] in per_process), ROUND)
    return [{"id": p, "name": runtime.index.process_names.get(p, p), "file": runtime.index.process_files[p],
             "states": per_process.get(p, {})} for p in shown], chosen


def next_due(view) -> list[dict]:
    """Every pending thing with its due date: open tasks and waiting steps, the code review, open chases."""
    named = {**{f"referral:{r.id}": r.measure for r in view["referrals"]},
             **{f"order:{d.id}": d.doc_type for d in view["documents"]}}
    rows = [{"kind": "task", "item": item, "due": item.due_at,
             "about": REFERRAL_KINDS.get(named.get(item.subject or "", ""))} for item in view["work_items"]]
    case = view["case"]
    if case.status == "open" and case.code_review_due:
        rows.append({"kind": "review", "due": datetime.combine(case.code_review_due, time(9), CHINA_TZ)})
    rows += [{"kind": "chase", "chase": c, "due": c.last_raised_at} for c in view["chases"]
             if c.answered_at is None]
    return sorted(rows, key=lambda r: r["due"])


@bp.route("/<int:case_id>")
@login_required
def show(case_id):
    view = services.view_case(gl(), actor(), case_id)
    runtime, states = view["diagram"]
    strip = step_strip(view["current_round"])
    choices, chosen = diagrams(runtime, states, strip) if runtime is not None else ([], None)
    chosen = request.args.get("diagram", chosen)
    current = next((d for d in choices if d["id"] == chosen), choices[0] if choices else None)
    svg = (render_round_svg(runtime.sources[current["file"]], current["states"], title=current["name"])
           if current else "")
    return render_template("case.html", v=view, svg=svg, now=clock.now(), strip=strip, diagrams=choices,
                           diagram=current, version=runtime.version if runtime else None,
                           diagram_states=json.dumps(current["states"] if current else {}), due=next_due(view),
                           awaited=AWAITED)


@bp.route("/<int:case_id>/file.pdf")
@login_required
def case_file(case_id):
    """The case file (卷宗): the whole record and the issued documents in one PDF, made now."""

    made = make(gl(), actor(), case_id)
    response = Response(made.pdf, mimetype="application/pdf")
    name = quote(f"卷宗-{made.case_no}.pdf")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/models/<version>/<name>")
@login_required
def model(version, name):
    """A deployed model file as the case page's diagram viewer reads it (models hold no personal data)."""
    source = model_file(gl(), version, name)
    if source is None:
        abort(404)
    return Response(source, mimetype="application/xml")


@bp.route("/<int:case_id>/upgrade", methods=["POST"])
@login_required
def upgrade(case_id):
    data = {"code": request.form.get("code", ""), "reason": request.form.get("reason", "")}
    try:
        version = int(request.form.get("expected_version", ""))
        services.upgrade_on_incident(gl(), actor(), case_id, data, version)
    except ValueError:
        flash(_("The form was incomplete; reload the page."), "error")
    except (InvalidInput, Conflict) as exc:
        flash(message(exc), "error")
    else:
        flash(_("The risk code was raised and a new round has started."), "success")
    return redirect(url_for("cases.show", case_id=case_id) + "#upgrade")
