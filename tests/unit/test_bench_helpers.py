"""The pure helpers of the HTTP benchmarks (bench/stats.py, bench/http_client.py): statistics, the request
mix, status classification, reading and filling task forms. The benchmarks themselves are not run here."""
import random
from collections import Counter
from datetime import date

import pytest

from bench.http_client import (
    SPEC_BY_TITLE, CASE_LINK, TASK_LINK, User, fill_task_form, parse_task_form, require_loopback,
)
from bench.stats import MIX, MixPicker, Tally, is_error_status, latency_summary, percentile
from web.task_forms import ALL_FORMS


def test_percentile_interpolates_between_closest_ranks():
    values = [1, 2, 3, 4]
    assert percentile(values, 0) == 1
    assert percentile(values, 1) == 4
    assert percentile(values, 0.5) == 2.5
    assert percentile([10], 0.99) == 10
    assert percentile(list(range(1, 101)), 0.95) == pytest.approx(95.05)
    assert str(percentile([], 0.5)) == "nan"


def test_latency_summary_in_milliseconds():
    summary = latency_summary([0.010, 0.020, 0.030, 0.040, 1.0])
    assert summary["n"] == 5
    assert summary["p50_ms"] == 30.0
    assert summary["max_ms"] == 1000.0
    assert latency_summary([]) == {"n": 0}


def test_only_2xx_3xx_and_409_are_not_errors():
    assert not any(is_error_status(s) for s in (200, 204, 302, 303, 409))
    assert all(is_error_status(s) for s in (None, 400, 403, 404, 422, 500, 502))


def test_mix_follows_its_weights_and_is_reproducible():
    picker = MixPicker(seed=5)
    draws = Counter(picker.next() for _ in range(20000))
    for kind, weight in MIX.items():
        assert draws[kind] / 20000 == pytest.approx(weight / 100, abs=0.015)
    picker_a, picker_b = MixPicker(seed=9), MixPicker(seed=9)
    assert [picker_a.next() for _ in range(50)] == [picker_b.next() for _ in range(50)]


def test_tally_counts_statuses_throughput_and_errors():
    tally = Tally()
    for _ in range(30):
        tally.add("inbox", 200, 0.05)
    tally.add("case", 200, 0.08)
    tally.add("task_form", 409, 0.02)
    tally.add("complete", 302, 0.2)
    tally.add("duel", 302, 0.2)
    tally.add("duel", 409, 0.2)
    tally.add("complete", 422, 0.1)
    tally.add("case", None, 0.5, "ServerDisconnectedError")
    summary = tally.summary(2.0)
    assert summary["page_views"] == 31 and summary["page_views_per_s"] == 15.5
    assert summary["completions"] == 2 and summary["completions_per_s"] == 1.0
    assert summary["errors"] == {"complete": {"422": 1}, "case": {"no_response": 1}}
    assert summary["transport_errors"] == {"case": {"ServerDisconnectedError": 1}}
    assert summary["status_totals"]["409"] == 2


def test_only_loopback_hosts_are_accepted():
    assert require_loopback("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert require_loopback("http://localhost:5000") == "http://localhost:5000"
    assert require_loopback("http://127.0.0.2:1") == "http://127.0.0.2:1"
    for url in ("http://10.0.0.1:80", "http://192.168.1.5", "http://example.com", "http://0.0.0.0:80"):
        with pytest.raises(SystemExit):
            require_loopback(url)


def test_every_task_form_title_names_one_task():
    assert len(SPEC_BY_TITLE) == len(ALL_FORMS)


def test_an_orders_draft_is_known_by_the_models_name_and_filled_with_its_measures_form():
    from bench.http_client import INBOX_SPEC, form_key
    assert INBOX_SPEC["拟制文书"] == "draft_order"
    assert form_key("draft_order", "<h1>拟制督促监护令</h1>") == "draft_order:supervision_order"
    assert form_key("draft_order", "<h1>履行情况检查</h1>") is None      # another task's form: not this one
    assert form_key("compliance_check", "") == "compliance_check"


INBOX = """<input type="hidden" name="csrf_token" value="tok.en-1">
<tr><td><a href="/cases/12/tasks/0f0e7c1a-1111-4222-8333-944455556666">履行情况检查</a></td>
<td><a href="/cases/12">YB-2026-00012</a></td></tr>"""


def test_pages_are_read_for_links_and_the_csrf_token():
    user = User("yb.wf_caseworker", 1, "caseworker", "womens_federation", "YB")
    user.remember_page(INBOX)
    assert user.csrf == "tok.en-1"
    assert user.cases == {12: "YB-2026-00012"}
    [(case_id, task_id, title)] = TASK_LINK.findall(INBOX)
    assert (case_id, SPEC_BY_TITLE[title]) == ("12", "compliance_check")
    assert CASE_LINK.findall(INBOX) == [("12", "YB-2026-00012")]


FORM = """<form method="post" class="card task-form" novalidate>
  <input type="hidden" name="csrf_token" value="abc">
  <input type="hidden" name="expected_version" value="7">
  <input id="checked_on" name="checked_on" type="date" value="2026-12-02" required maxlength="200">
  <input id="report_received" name="report_received" type="checkbox" checked >
  <select id="result" name="result" required><option value="">— choose —</option><option value="complied" >已履行</option><option value="partial" >部分履行</option></select>
  <textarea id="notes" name="notes" rows="4" maxlength="5000"></textarea>
</form>"""


def test_a_task_form_is_filled_with_its_defaults_and_a_token_in_the_free_text():
    form = parse_task_form("<html>" + FORM + "</html>")
    assert form.hidden == {"csrf_token": "abc", "expected_version": "7"}
    assert form.values["checked_on"] == "2026-12-02" and form.checked == {"report_received": ["on"]}
    pairs, sent = fill_task_form("compliance_check", form, "lt1-5", date(2026, 12, 2), random.Random(1))
    fields = dict(pairs)
    assert fields["expected_version"] == "7" and fields["csrf_token"] == "abc"
    assert fields["result"] == "complied"          # first real option when nothing is preselected
    assert fields["report_received"] == "on"
    assert "lt1-5" in fields["notes"]
    assert sent == {"checked_on": "2026-12-02", "report_received": True, "result": "complied",
                    "notes": fields["notes"]}


def test_an_order_deadline_is_set_after_today_and_a_joint_meeting_gets_two_agencies():
    form = parse_task_form("""<form method="post" class="card task-form">
      <textarea name="failings"></textarea><textarea name="duties"></textarea>
      <input id="deadline" name="deadline" type="date" value="" required></form>""")
    pairs, _ = fill_task_form("draft_order:supervision_order", form, "t-1", date(2026, 12, 2), random.Random(1))
    assert dict(pairs)["deadline"] == "2027-01-01"
    meeting = parse_task_form("""<form method="post" class="card task-form">
      <input type="checkbox" name="attendees" value="police"> <input type="checkbox" name="attendees" value="court">
      <input type="checkbox" name="attendees" value="procuratorate"></form>""")
    pairs, sent = fill_task_form("joint_meeting", meeting, "t-2", date(2026, 12, 2), random.Random(1))
    assert sent["attendees"] == ["police", "court", "procuratorate"]


def test_each_endpoint_is_reported_as_a_ratio_of_the_trivial_page():
    from bench.load import ratios

    def endpoint(kind, per_s, cpu_ms, completions_per_s=0.0, cpu_per_completion=None):
        return {"ok_per_s": {kind: per_s}, "completions_per_s": completions_per_s,
                "cpu": {"server_cpu_ms_per_request": cpu_ms, "server_cpu_ms_per_completion": cpu_per_completion}}

    found = ratios({"trivial": endpoint("trivial", 400.0, 4.0), "case": endpoint("case", 100.0, 20.0),
                    "complete": endpoint("complete", 0.0, 30.0, completions_per_s=40.0, cpu_per_completion=50.0)},
                   {"page_views_per_s": 120.0, "completions_per_s": 20.0})
    assert found["trivial"]["throughput_ratio"] == 1.0 and found["trivial"]["cpu_ratio"] == 1.0
    assert (found["case"]["throughput_ratio"], found["case"]["cpu_ratio"]) == (0.25, 0.2)
    assert (found["complete"]["per_s"], found["complete"]["throughput_ratio"], found["complete"]["cpu_ratio"]) == \
        (40.0, 0.1, 0.08)   # a completion: completions per second, CPU per completion (its form's GET and POST)
    assert (found["mix"]["page_view_ratio"], found["mix"]["completion_ratio"]) == (0.3, 0.05)
    assert ratios({"case": endpoint("case", 100.0, 20.0)}, None) == {}   # no yardstick, no ratios


def test_a_completion_posts_cpu_is_its_windows_cpu_less_its_gets_measured_alone():
    from bench.load import post_cpu_estimate
    complete = {"completions": 10, "status_counts": {"task_form": {"200": 10, "409": 2}, "inbox": {"200": 4},
                                                     "complete": {"302": 10}},
                "cpu": {"gunicorn_seconds": 0.8, "postgres_seconds": 0.2}}
    endpoints = {"complete": complete, "form": {"cpu": {"server_cpu_ms_per_request": 25.0}},
                 "inbox": {"cpu": {"server_cpu_ms_per_request": 50.0}}}
    assert post_cpu_estimate(endpoints) == 50.0      # (1000 - 12 x 25 - 4 x 50) ms / 10 POSTs
    assert post_cpu_estimate({"complete": complete, "form": endpoints["form"]}) is None   # inbox not measured
