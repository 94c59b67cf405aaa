"""The user tasks' handlers, one module per step of the procedure: ``assess``, ``handling`` (处置), ``guide``,
``follow_up``, ``safety``, ``orders`` (令与文书), ``compliance`` (an order's 履行监督), ``reassessment`` (复评),
``escalation``; ``guardianship`` and ``courses`` are what several of them record. ``registry`` holds the
handler table; importing this package registers every handler in it.
"""
from engine.tasks import assess, compliance, escalation, follow_up, guide, handling, orders, reassessment, safety  # noqa: F401  (each module registers its handlers)
from engine.tasks.registry import HANDLERS, TaskContext

__all__ = ["HANDLERS", "TaskContext"]
