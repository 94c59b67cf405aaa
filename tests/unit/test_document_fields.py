"""Each document's template fields from what its task stored (engine.issuing.document_fields): pure."""
from datetime import datetime, timezone
from types import SimpleNamespace

from engine.issuing.document_fields import FIELD_BUILDERS, cn_date, code_name, visits
from engine.reference import DOCUMENT_TYPES


def test_dates_are_written_in_chinese_in_china_time():
    assert cn_date("2026-06-27") == "2026年6月27日"
    assert cn_date(datetime(2026, 6, 26, 17, 0, tzinfo=timezone.utc)) == "2026年6月27日"
    assert cn_date(None) == "" and cn_date("") == ""


def test_codes_become_words():
    assert code_name("orange") == "橙码" and code_name(None) == "未赋码"


def test_an_order_with_nothing_stored_has_every_field_empty():
    fields = FIELD_BUILDERS["supervision_order"]({})
    assert fields["failings"] == "" and fields["deadline"] == "" and fields["report_interval_days"] is None


def test_a_guidance_order_keeps_its_counts_as_numbers_and_the_objection_period():
    fields = FIELD_BUILDERS["guidance_order"]({"sessions": "6", "period_days": "x", "deadline": "2026-07-01"})
    assert fields["sessions"] == 6 and fields["period_days"] is None and fields["deadline"] == "2026年7月1日"
    assert fields["objection_days"] == 5


def test_a_delivery_receipt_is_blank_until_the_delivery_is_recorded():
    blank = FIELD_BUILDERS["delivery_receipt"]({"method": "in_person", "signed": True})
    assert not blank["filled"] and blank["method"] == "" and not blank["signed"] and blank["copies"] == 1
    filled = FIELD_BUILDERS["delivery_receipt"]({"method": "in_person", "delivered_on": "2026-06-02", "signed": True,
                                                  "refusal": {"reason": "拒签", "witness": "李四"}})
    assert filled["filled"] and filled["delivered_on"] == "2026年6月2日" and filled["signed"]
    assert filled["refusal"] == {"reason": "拒签", "witness": "李四"} and filled["proxy"] is None


def test_an_assessment_report_totals_its_scores_and_names_its_risk_factors():
    fields = FIELD_BUILDERS["assessment_report"]({"scores": {}, "code": "red", "risk_factors": ["unknown"]})
    assert fields["total_score"] == 0 and fields["code"] == "红码" and fields["risk_factors"] == []


def test_visits_are_listed_with_their_method_in_words():
    row = SimpleNamespace(visited_on="2026-06-01", method="home_visit", findings="好", orders_complied=True)
    listed = visits([row])
    assert listed[0]["date"] == "2026年6月1日" and listed[0]["orders_complied"] == "是"


def test_every_builder_names_a_document_type():
    assert set(FIELD_BUILDERS) <= set(DOCUMENT_TYPES)
