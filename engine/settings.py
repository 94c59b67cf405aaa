"""Settings read from the environment, with the defaults from DOMAIN.md. Nothing is read at import time."""
import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{ROOT / 'instance' / 'guardloop.db'}"
    models_dir: Path = ROOT / "workflows"
    guidance_sessions: int = 6          # default plan: monthly sessions …
    guidance_min_minutes: int = 40      # … of at least 40 minutes …
    guidance_period_days: int = 180     # … for 6 months
    tick_batch: int = 100
    case_no_format: str = "{district}-{year}-{seq:05d}"
    verify_base_url: str = "http://127.0.0.1:5000"   # printed in every document's QR code
    # Closed-loop review (闭环审查): the approval each round outcome needs on record (outcome → approval
    # kind); an outcome not listed needs none. Interrupted rounds (a new incident) count in the rate or not.
    closed_loop_approvals: dict = field(default_factory=lambda: {
        "downgraded": "downgrade", "closed": "closure", "escalated": "escalation"})
    closed_loop_rate_counts_interrupted: bool = False
    # The cockpit (数字驾驶舱): how stale a cached figure set may be, the default and the longest period.
    cockpit_cache_seconds: int = 60
    cockpit_default_months: int = 12
    cockpit_max_years: int = 5
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = {}
        if os.environ.get("DATABASE_URL"):
            env["database_url"] = os.environ["DATABASE_URL"]
        if os.environ.get("GUARDLOOP_VERIFY_BASE_URL"):
            env["verify_base_url"] = os.environ["GUARDLOOP_VERIFY_BASE_URL"].rstrip("/")
        for name, var in (("guidance_sessions", "GUARDLOOP_GUIDANCE_SESSIONS"),
                          ("guidance_min_minutes", "GUARDLOOP_GUIDANCE_MIN_MINUTES"),
                          ("guidance_period_days", "GUARDLOOP_GUIDANCE_PERIOD_DAYS"),
                          ("cockpit_cache_seconds", "GUARDLOOP_COCKPIT_CACHE_SECONDS")):
            if os.environ.get(var):
                env[name] = int(os.environ[var])
        env.update(overrides)
        return cls(**env)
