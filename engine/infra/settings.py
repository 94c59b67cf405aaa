"""Settings read from the environment, with the defaults from DOMAIN.md. Nothing is read at import time."""
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
DEMO_AUDIT_KEY = "guardloop-demo-audit-key-NOT-SECRET"


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{ROOT / 'instance' / 'guardloop.db'}"
    models_dir: Path = ROOT / "workflows"
    tick_batch: int = 100
    case_no_format: str = "{district}-{year}-{seq:05d}"
    verify_base_url: str = "http://127.0.0.1:5000"   # printed in every document's QR code
    # Demo mode (GUARDLOOP_DEMO=1, set by ``make run``): documents may be issued with a loopback verification
    # address. Outside it, issuing refuses until GUARDLOOP_VERIFY_BASE_URL names the public address.
    demo_mode: bool = False
    # Rate limits (Flask-Limiter's notation) and where their counters live: "database" (the application's
    # own database, shared by every worker and host) or any ``limits`` storage URI (memory://, redis://…).
    login_rate_limit: str = "10 per minute;50 per hour"
    verify_rate_limit: str = "30 per minute"
    # The API's limits per client token (per address without one): writes (POST, PUT, PATCH, DELETE), reads.
    api_write_rate_limit: str = "60 per minute"
    api_read_rate_limit: str = "300 per minute"
    rate_limit_storage: str = "database"
    # The audit chain's HMAC key, kept outside the database (GUARDLOOP_AUDIT_KEY). The default is public:
    # for the demo and the tests only.
    audit_key: str = DEMO_AUDIT_KEY
    # Signing (电子签名): keys and certificates of the offices (engine/issuing/pki.py), an RFC 3161 timestamping
    # authority (none: signatures carry the signer's time only).
    pki_dir: Path = ROOT / "instance" / "pki"
    tsa_url: str = ""
    # Issued documents are rendered as PDF/A-3b for the archive (WeasyPrint's pdf_variant; "" for plain PDF).
    document_variant: str = "pdf/a-3b"
    # Closed-loop review (闭环审查): the approval each round outcome needs on record (outcome → approval
    # kind); an outcome not listed needs none. Interrupted rounds (a new incident) count in the rate or not.
    closed_loop_approvals: dict = field(default_factory=lambda: {
        "downgraded": "downgrade", "closed": "closure", "escalated": "escalation"})
    closed_loop_rate_counts_interrupted: bool = False
    # The cockpit (数字驾驶舱): how stale a cached figure set may be, the default and the longest period.
    cockpit_cache_seconds: int = 60
    cockpit_default_months: int = 12
    cockpit_max_years: int = 5
    # Casework: how long the author may edit a note; attachments (photos, scans) in a content-addressed
    # store outside the database, their largest size and (images) pixel count.
    note_edit_minutes: int = 15
    # Parent schools (家长学校): the learning a guardian needs in a school year for the certificate (seed 001:
    # 4 class hours of 60 minutes), and how long a QR sign-in sheet or survey link stays open.
    parent_school_year_minutes: int = 240
    parent_school_link_hours: int = 4
    attachment_dir: Path = ROOT / "instance" / "attachments"
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachment_max_pixels: int = 50_000_000
    # Notifications: how many days before a task's deadline its holder is told (``guardloop tick``); the daily
    # e-mail digest's SMTP server (no host: no digest is sent), its sender and whether to use STARTTLS.
    deadline_warning_days: int = 3
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "guardloop@localhost"
    smtp_starttls: bool = False
    digest_hour: int = 7     # the tick sends the day's digest from this hour (local time of the server: UTC+8)
    # Practice bases (实践基地): a base whose recognition ends within this many days is "expiring" and raises
    # a work item for the district family-education office.
    base_expiring_days: int = 90
    # 心理监测: a psychological warning at a screening visit is dealt with when the child is seen again (or
    # reported as a risk clue) within this many days
    psych_follow_up_days: int = 14
    extra: dict = field(default_factory=dict)

    def verify_url_problem(self) -> tuple[str, str] | None:
        """Why documents may not be issued with ``verify_base_url`` printed in them, or None: outside demo
        mode it must be an address the public reaches, not this machine's loopback."""
        parts = urlsplit(self.verify_base_url or "")
        host = parts.hostname or ""
        try:
            local = ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
        except ValueError:
            local = host in ("", "localhost") or host.endswith(".localhost")
        if parts.scheme not in ("http", "https") or (local and not self.demo_mode):
            return ("未配置文书核验地址（GUARDLOOP_VERIFY_BASE_URL），暂不能制发文书：核验二维码会指向本机。请联系系统管理员。",
                    "The verification address (GUARDLOOP_VERIFY_BASE_URL) is not set: documents cannot be issued "
                    "while their QR code would point at this machine. Ask your administrator.")
        return None

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env: dict[str, Any] = {}
        if os.environ.get("DATABASE_URL"):
            env["database_url"] = os.environ["DATABASE_URL"]
        if os.environ.get("GUARDLOOP_DEMO"):
            env["demo_mode"] = os.environ["GUARDLOOP_DEMO"] == "1"
        for name, var in (("login_rate_limit", "GUARDLOOP_LOGIN_RATE_LIMIT"),
                          ("verify_rate_limit", "GUARDLOOP_VERIFY_RATE_LIMIT"),
                          ("api_write_rate_limit", "GUARDLOOP_API_WRITE_RATE_LIMIT"),
                          ("api_read_rate_limit", "GUARDLOOP_API_READ_RATE_LIMIT"),
                          ("rate_limit_storage", "GUARDLOOP_RATE_LIMIT_STORAGE")):
            if os.environ.get(var):
                env[name] = os.environ[var]
        if os.environ.get("GUARDLOOP_AUDIT_KEY"):
            env["audit_key"] = os.environ["GUARDLOOP_AUDIT_KEY"]
        if os.environ.get("GUARDLOOP_VERIFY_BASE_URL"):
            env["verify_base_url"] = os.environ["GUARDLOOP_VERIFY_BASE_URL"].rstrip("/")
        if os.environ.get("GUARDLOOP_PKI_DIR"):
            env["pki_dir"] = Path(os.environ["GUARDLOOP_PKI_DIR"])
        if "GUARDLOOP_PDF_VARIANT" in os.environ:
            env["document_variant"] = os.environ["GUARDLOOP_PDF_VARIANT"]
        if os.environ.get("GUARDLOOP_TSA_URL"):
            env["tsa_url"] = os.environ["GUARDLOOP_TSA_URL"]
        if os.environ.get("GUARDLOOP_ATTACHMENT_DIR"):
            env["attachment_dir"] = Path(os.environ["GUARDLOOP_ATTACHMENT_DIR"])
        for name, var in (("smtp_host", "GUARDLOOP_SMTP_HOST"), ("smtp_user", "GUARDLOOP_SMTP_USER"),
                          ("smtp_password", "GUARDLOOP_SMTP_PASSWORD"), ("smtp_from", "GUARDLOOP_SMTP_FROM")):
            if os.environ.get(var):
                env[name] = os.environ[var]
        if os.environ.get("GUARDLOOP_SMTP_STARTTLS"):
            env["smtp_starttls"] = os.environ["GUARDLOOP_SMTP_STARTTLS"] == "1"
        for name, var in (("note_edit_minutes", "GUARDLOOP_NOTE_EDIT_MINUTES"),
                          ("smtp_port", "GUARDLOOP_SMTP_PORT"),
                          ("deadline_warning_days", "GUARDLOOP_DEADLINE_WARNING_DAYS"),
                          ("digest_hour", "GUARDLOOP_DIGEST_HOUR"),
                          ("attachment_max_bytes", "GUARDLOOP_ATTACHMENT_MAX_BYTES"),
                          ("cockpit_cache_seconds", "GUARDLOOP_COCKPIT_CACHE_SECONDS"),
                          ("base_expiring_days", "GUARDLOOP_BASE_EXPIRING_DAYS")):
            if os.environ.get(var):
                env[name] = int(os.environ[var])
        env.update(overrides)
        return cls(**env)
