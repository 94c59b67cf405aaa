"""A compile-restricted script environment for gateway conditions, timer expressions and DMN cells.

SpiffWorkflow evaluates model expressions with plain ``eval``/``exec``; a model could then reach any
object in the process (``().__class__.__base__.__subclasses__()``). RestrictedPython refuses such code
at compile time. The runtime sets this environment on every workflow after every load.
"""
from datetime import datetime, timezone
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, safer_getattr
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.workflow.clock import clock


class ScriptRefused(Exception):
    """A model expression uses something the restricted environment does not allow."""


def moment_after(duration: str) -> str:
    """The moment ``duration`` (ISO 8601, e.g. ``"P30D"``) from now on the engine's clock, as an ISO string:
    for date timers fixed when a round starts (its review date), and cycle timers that begin later."""
    return moment_after_from(clock.now(), duration)


def moment_after_from(start, duration: str) -> str:
    """``start`` (a datetime, or a date taken at midnight UTC) plus an ISO 8601 duration, as an ISO string."""
    if not isinstance(start, datetime):
        start = datetime(start.year, start.month, start.day, tzinfo=timezone.utc)
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    return (start + TimerEventDefinition.get_timedelta_from_start(parsed, start)).isoformat()


_BUILTINS = dict(safe_builtins)
_BUILTINS.update(
    {name: __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)
     for name in ("set", "frozenset", "list", "dict", "any", "all", "min", "max", "sum", "enumerate")}
)
_BUILTINS["moment_after"] = moment_after
_GUARDS = {
    "__builtins__": _BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_write_": full_write_guard,
}


@lru_cache(maxsize=4096)
def _compile(source: str, mode: str):
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source)
    if result.errors:
        raise ScriptRefused("; ".join(result.errors))
    return result.code


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression, context, external_context=None):
        scope = dict(_GUARDS)
        scope.update(external_context or {})
        scope.update(context)
        return eval(_compile(expression, "eval"), scope)

    def execute(self, script, context, external_context=None):
        scope = dict(_GUARDS)
        scope.update(external_context or {})
        scope.update(context)
        exec(_compile(script, "exec"), scope)
        for key, value in scope.items():
            if key in _GUARDS or key in (external_context or {}) or callable(value):
                continue
            context[key] = value
        return True
