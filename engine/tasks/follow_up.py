"""Follow up (回访): visits are recorded when they happen (``services.records.record_visit``); a visit that
finds a new incident asks the coordinating caseworker to weigh an upgrade."""
from engine.errors import InvalidInput
from engine.reference import CODES, code_rank
from engine.rules import validate as v
from engine.tasks.registry import task_handler
from engine.workflow.catalog import Task


@task_handler(Task.REVIEW_INCIDENT)
def review_incident(ctx):
    """新情况研判: raise the code now (the round stops and a new one starts), or keep it with a reason."""
    decision = v.choice(ctx.data, "decision", ("upgrade", "keep"))
    reason = v.text(ctx.data, "reason", max_len=3000)
    ctx.record.update(decision=decision, reason=reason)
    if decision == "upgrade":
        code = v.choice(ctx.data, "code", CODES)
        if code_rank(code) <= code_rank(ctx.case.current_code):
            raise InvalidInput("code", "升级后的等级应高于当前等级。", "The new code must be higher than the current one.")
        ctx.upgrade = (code, reason)
        ctx.record["code"] = code
    return {"incident_decision": decision}
