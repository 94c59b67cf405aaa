"""Safety (安全保护): a red case's timed safety contact — someone sees the child — and the police's
emergency protection when the child is not safe (反家庭暴力法 art. 15; 未成年人保护法 art. 92)."""
from engine.rules import validate as v
from engine.tasks.registry import task_handler
from engine.workflow.catalog import Task

CONTACT_METHODS = {"home_visit": "入户见到儿童", "school": "在校见到儿童", "with_police": "会同公安入户",
                   "video": "视频见到儿童"}
EMERGENCY_ACTIONS = {"attended": "出警", "removed": "带离危险环境", "warned": "当场告诫",
                     "shelter": "通知民政临时庇护", "medical": "送医", "case_filed": "立案侦查"}


@task_handler(Task.SAFETY_CONTACT)
def safety_contact(ctx):
    child_seen = v.boolean(ctx.data, "child_seen")
    child_safe = v.boolean(ctx.data, "child_safe") and child_seen
    ctx.record.update(contacted_on=v.day(ctx.data, "contacted_on"),
                      method=v.choice(ctx.data, "method", CONTACT_METHODS), child_seen=child_seen,
                      child_safe=child_safe, findings=v.text(ctx.data, "findings", max_len=3000),
                      immediate_actions=v.text(ctx.data, "immediate_actions", required=False, max_len=2000))
    return {"child_safe": child_safe}


@task_handler(Task.EMERGENCY_PROTECTION)
def emergency_protection(ctx):
    ctx.record.update(acted_on=v.day(ctx.data, "acted_on"),
                      actions=v.choices(ctx.data, "actions", EMERGENCY_ACTIONS, at_least=1),
                      notes=v.text(ctx.data, "notes", max_len=3000))
    return {}
