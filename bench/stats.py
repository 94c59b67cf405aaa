"""Pure helpers shared by the HTTP benchmarks: percentiles, latency summaries, status tallies, the
request mix and CPU readings from ``/proc``. Nothing here talks to a server or a database."""
import os
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# The load's mix of user actions and their weights (percent). A completion is two requests: the task
# form (GET, counted as a page view) and its submission (POST).
MIX = {"inbox": 50, "case": 30, "complete": 15, "search": 5}
PAGE_KINDS = ("inbox", "case", "search", "task_form")
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def percentile(values, q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); ``q`` in [0, 1]."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_summary(seconds) -> dict:
    """n, p50/p95/p99, mean and max, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50_ms": round(percentile(ms, 0.50), 1), "p95_ms": round(percentile(ms, 0.95), 1),
            "p99_ms": round(percentile(ms, 0.99), 1), "mean_ms": round(sum(ms) / len(ms), 1),
            "max_ms": round(max(ms), 1)}


def is_error_status(status) -> bool:
    """Anything but 2xx, 3xx and 409 is an error (a transport failure has status None: also an error)."""
    return status is None or not (200 <= status < 400 or status == 409)


class MixPicker:
    """Draws actions by weight from ``MIX`` with its own seeded generator (the same seed, the same draws)."""

    def __init__(self, mix: dict | None = None, seed: int = 0):
        self.mix = dict(mix or MIX)
        self.rng = random.Random(seed)
        self._names = list(self.mix)
        self._weights = list(self.mix.values())

    def next(self) -> str:
        return self.rng.choices(self._names, weights=self._weights)[0]


@dataclass
class Tally:
    """Latencies and status codes per request kind, within one measured window."""

    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    transport_errors: dict = field(default_factory=lambda: defaultdict(Counter))

    def add(self, kind: str, status, seconds: float, error: str | None = None) -> None:
        self.statuses[kind][str(status) if status is not None else "no_response"] += 1
        if status is not None:
            self.latencies[kind].append(seconds)
        if error:
            self.transport_errors[kind][error] += 1

    def count(self, kind: str, status=None) -> int:
        counts = self.statuses.get(kind, Counter())
        return sum(counts.values()) if status is None else counts.get(str(status), 0)

    def errors(self) -> dict:
        """kind -> {status: n} for every status that is an error."""
        out = {}
        for kind, counts in self.statuses.items():
            bad = {s: n for s, n in counts.items() if s == "no_response" or is_error_status(int(s))}
            if bad:
                out[kind] = bad
        return out

    def summary(self, seconds: float) -> dict:
        views = sum(self.count(k, 200) for k in PAGE_KINDS)
        completions = self.count("complete", 302) + self.count("duel", 302)
        all_statuses = Counter()
        for counts in self.statuses.values():
            all_statuses.update(counts)
        return {
            "seconds": round(seconds, 2),
            "page_views_per_s": round(views / seconds, 1) if seconds else 0.0,
            "completions_per_s": round(completions / seconds, 1) if seconds else 0.0,
            "requests_per_s": round(sum(all_statuses.values()) / seconds, 1) if seconds else 0.0,
            "page_views": views, "completions": completions,
            "latency": {kind: latency_summary(values) for kind, values in sorted(self.latencies.items())},
            "status_counts": {kind: dict(sorted(counts.items())) for kind, counts in sorted(self.statuses.items())},
            "status_totals": dict(sorted(all_statuses.items())),
            "transport_errors": {k: dict(v) for k, v in self.transport_errors.items()},
            "errors": self.errors(),
        }


# --- CPU from /proc --------------------------------------------------------------------------------

def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of one process (its own, not its children's), or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from ``/proc/stat``."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


def children_of(pid: int) -> list[int]:
    """Direct children of ``pid`` (scans ``/proc``: works without CONFIG_PROC_CHILDREN)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return sorted(found)
