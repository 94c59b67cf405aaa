"""The four steps of the procedure (+ review), in order, and the model versions deployed.

Which call activity of ``intervention_round.bpmn`` belongs to which step is its ``step`` property; the round
records when each step began and ended (``Round.steps``), and the closed-loop checklist and the cockpit's
step times read those times.
"""
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import ModelVersion
from engine.reference import STEPS

STEP_ORDER = tuple(STEPS)                    # assess, handle, guide, follow_up, review


def deployed_versions(session: Session) -> list[str]:
    return list(session.scalars(select(ModelVersion.version)))
