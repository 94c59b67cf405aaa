"""An injectable clock shared by the engine and SpiffWorkflow's timers.

SpiffWorkflow's timer module calls ``datetime.now(timezone.utc)`` directly, so the clock replaces the
``datetime`` name in that module with a subclass whose ``now`` reads this clock. Production code never
sets it; tests and the demo move time forward with ``set`` and ``advance``.
"""
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer


class Clock:
    def __init__(self):
        self._fixed = None

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else datetime.now(timezone.utc)

    def today(self):
        return self.now().astimezone(CHINA_TZ).date()

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock takes timezone-aware datetimes")
        self._fixed = moment.astimezone(timezone.utc)

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)

    def reset(self) -> None:
        self._fixed = None


CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
clock = Clock()


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        moment = clock.now()
        return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)


_spiff_timer.datetime = _ClockedDatetime
