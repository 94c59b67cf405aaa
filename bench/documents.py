"""Render time and memory of the documents package versus raw WeasyPrint on the same HTML.

For every document type, on its sample context (documents.samples), N interleaved samples of:

* ``ours``        ``documents.render_pdf(doc_type, context)``: Jinja render + WeasyPrint with the shared
                  FontConfiguration and the static-only URL fetcher.
* ``raw_shared``  ``HTML(string=html, base_url=static).write_pdf(font_config=shared)`` on the very HTML
                  ours produced, WeasyPrint's default fetcher, one FontConfiguration reused.
* ``raw_fresh``   the same with a fresh FontConfiguration per call (WeasyPrint's default).
* ``archive``     ours as issued: the PDF/A-3b variant (``variant=ARCHIVE_VARIANT``).
* ``sign``        signing ours' PDF with an office key (``documents.signing.sign_pdf``, PAdES B-B, ECDSA P-256),
                  timed apart: it is not rendering.

Raw runs with WeasyPrint's own justification (``documents.justify`` is switched off around it), so the cost
of justifying Chinese lines counts as ours.

``base_url`` points at documents/static/ so raw loads the same stylesheet (without it, raw renders an
unstyled page and the comparison means nothing). Then memory: peak RSS and tracemalloc's traced memory
sampled every 20 renders over 200 renders of all types (flat after warm-up, or not), and RSS over 50
raw renders with a fresh FontConfiguration each.

    python -m bench.documents                  # N=20, ~3 min on 2 cores
    python -m bench.documents --n 50 --json out.json
"""
import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import weasyprint  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from documents import DOCUMENT_TYPES, justify, render_html, render_pdf  # noqa: E402
from documents.fetcher import STATIC_BASE_URL  # noqa: E402
from documents.render import ARCHIVE_VARIANT  # noqa: E402
from documents.samples import sample  # noqa: E402
from documents.signing import sign_pdf  # noqa: E402


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(fn) -> tuple[float, bytes]:
    gc.collect()            # each variant starts clean: garbage left by the one before (signing's) is not its cost
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def raw(html: str, config: FontConfiguration) -> bytes:
    """Plain WeasyPrint on our HTML, with its own justification."""
    from weasyprint.layout import inline
    patched, inline.justify_line = inline.justify_line, justify.__dict__["_original"]
    try:
        return weasyprint.HTML(string=html, base_url=STATIC_BASE_URL).write_pdf(font_config=config)
    finally:
        inline.justify_line = patched


def office_key():
    import tempfile

    from engine.issuing import pki
    return pki.signing_key(Path(tempfile.mkdtemp()), "JB-procuratorate", "重庆市江北区人民检察院")


def time_type(key: str, n: int, shared: FontConfiguration, signer) -> dict:
    context = sample(key)
    html = render_html(key, context)
    pdf = render_pdf(key, context)                                          # warm-up
    render_pdf(key, context, variant=ARCHIVE_VARIANT)
    raw(html, shared)
    ours, raw_shared, raw_fresh, html_only, archive, sign = [], [], [], [], [], []
    for _ in range(n):
        ours.append(timed(lambda: render_pdf(key, context))[0])
        raw_shared.append(timed(lambda: raw(html, shared))[0])
        raw_fresh.append(timed(lambda: raw(html, FontConfiguration()))[0])
        html_only.append(timed(lambda: render_html(key, context))[0])
        archive.append(timed(lambda: render_pdf(key, context, variant=ARCHIVE_VARIANT))[0])
        sign.append(timed(lambda: sign_pdf(pdf, signer))[0])
    layout = weasyprint.HTML(string=html, base_url=STATIC_BASE_URL).render(font_config=shared)
    row = {"type": key, "pages": len(layout.pages), "bytes": len(pdf)}
    for name, values in (("ours", ours), ("raw_shared", raw_shared), ("raw_fresh", raw_fresh),
                         ("html", html_only), ("archive", archive), ("sign", sign)):
        row[f"{name}_median_ms"] = ms(statistics.median(values))
        row[f"{name}_p95_ms"] = ms(p95(values))
    row["ratio_shared"] = round(statistics.median(ours) / statistics.median(raw_shared), 3)
    row["ratio_fresh"] = round(statistics.median(ours) / statistics.median(raw_fresh), 3)
    row["archive_cost"] = round(statistics.median(archive) / statistics.median(ours), 3)
    return row


def memory(renders: int, every: int = 20) -> dict:
    """RSS and tracemalloc over `renders` renders cycling through all types (ours)."""
    keys = sorted(DOCUMENT_TYPES)
    contexts = {k: sample(k) for k in keys}
    gc.collect()
    tracemalloc.start(1)
    samples = []
    for i in range(1, renders + 1):
        render_pdf(keys[i % len(keys)], contexts[keys[i % len(keys)]])
        if i % every == 0:
            gc.collect()
            current, peak = tracemalloc.get_traced_memory()
            samples.append({"renders": i, "rss_mb": rss_mb(), "traced_mb": round(current / 2**20, 2),
                            "traced_peak_mb": round(peak / 2**20, 2)})
    tracemalloc.stop()
    return {"samples": samples, "peak_rss_mb": peak_rss_mb()}


def memory_fresh(renders: int, every: int = 10) -> list[dict]:
    html = render_html("supervision_order", sample("supervision_order"))
    out = []
    for i in range(1, renders + 1):
        weasyprint.HTML(string=html, base_url=STATIC_BASE_URL).write_pdf(font_config=FontConfiguration())
        if i % every == 0:
            gc.collect()
            out.append({"renders": i, "rss_mb": rss_mb()})
    return out


def in_child(kind: str, renders: int) -> dict:
    """Run a memory phase in a fresh process, so its peak RSS is its own."""
    cmd = [sys.executable, "-m", "bench.documents", "--child", kind, "--memory-renders", str(renders)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def child(kind: str, renders: int) -> None:
    if kind == "ours":
        result = memory(renders)
    elif kind == "ours-untraced":
        keys = sorted(DOCUMENT_TYPES)
        contexts = {k: sample(k) for k in keys}
        samples = []
        for i in range(1, renders + 1):
            render_pdf(keys[i % len(keys)], contexts[keys[i % len(keys)]])
            if i % 20 == 0:
                samples.append({"renders": i, "rss_mb": rss_mb()})
        result = {"samples": samples}
    else:
        result = {"samples": memory_fresh(renders)}
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def git_head() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
        return head + ("+uncommitted" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def print_table(rows: list[dict]) -> None:
    head = (f"{'type':<18} {'pp':>2} {'KB':>5}  {'ours med':>8} {'p95':>6}  {'raw shared':>10} {'p95':>6}"
            f"  {'raw fresh':>9} {'p95':>6}  {'÷shared':>7} {'÷fresh':>6}  {'html':>5}  {'pdf/a':>6} {'÷ours':>5}"
            f"  {'sign':>5}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['type']:<18} {r['pages']:>2} {r['bytes'] // 1024:>5}  {r['ours_median_ms']:>8} "
              f"{r['ours_p95_ms']:>6}  {r['raw_shared_median_ms']:>10} {r['raw_shared_p95_ms']:>6}  "
              f"{r['raw_fresh_median_ms']:>9} {r['raw_fresh_p95_ms']:>6}  {r['ratio_shared']:>7} "
              f"{r['ratio_fresh']:>6}  {r['html_median_ms']:>5}  {r['archive_median_ms']:>6} "
              f"{r['archive_cost']:>5}  {r['sign_median_ms']:>5}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20, help="timed renders per type and variant (20)")
    parser.add_argument("--memory-renders", type=int, default=200)
    parser.add_argument("--fresh-renders", type=int, default=50)
    parser.add_argument("--types", nargs="*", default=sorted(DOCUMENT_TYPES))
    parser.add_argument("--json", metavar="PATH", help="also write all figures as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.memory_renders)

    shared = FontConfiguration()
    signer = office_key()
    rows = []
    for key in args.types:
        rows.append(time_type(key, args.n, shared, signer))
        print(f"  {key}: {rows[-1]['ours_median_ms']} ms", file=sys.stderr)
    print(f"\nrender time, N={args.n} per variant (ms); ratio = ours median / raw median\n")
    print_table(rows)

    untraced = in_child("ours-untraced", args.memory_renders)
    mem = in_child("ours", args.memory_renders)
    print(f"\nmemory over {args.memory_renders} renders (all types in turn, shared FontConfiguration), "
          f"each phase in a fresh process:")
    for u, s in zip(untraced["samples"], mem["samples"]):
        print(f"  after {s['renders']:>4}: RSS {u['rss_mb']:>7} MB   with tracemalloc: traced "
              f"{s['traced_mb']:>6} MB (peak {s['traced_peak_mb']} MB)")
    print(f"  peak RSS: {untraced['peak_rss_mb']} MB (with tracemalloc: {mem['peak_rss_mb']} MB)")
    fresh = in_child("fresh", args.fresh_renders) if args.fresh_renders else {}
    if fresh:
        print(f"raw WeasyPrint, a fresh FontConfiguration per call, the order, {args.fresh_renders} renders:")
        for s in fresh["samples"]:
            print(f"  after {s['renders']:>4}: RSS {s['rss_mb']:>7} MB")
        print(f"  peak RSS: {fresh['peak_rss_mb']} MB")

    if args.json:
        Path(args.json).write_text(json.dumps({
            "rows": rows, "memory": {"untraced": untraced, "tracemalloc": mem},
            "memory_fresh_font_config": fresh, "n": args.n,
            "python": platform.python_version(), "weasyprint": weasyprint.__version__,
            "cpus": os.cpu_count(), "git": git_head(),
        }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
