"""Numbers and dates in words, and the binding of a paragraph's last characters (pure functions)."""
from documents.view import addressed, cn_date_words, cn_number, days_words, keep_last_line, self_reference


def test_numbers_in_chinese_words():
    assert [cn_number(n) for n in (1, 10, 12, 20, 60, 105, 180, 2026)] == \
        ["一", "十", "十二", "二十", "六十", "一百零五", "一百八十", "二千零二十六"]
    assert cn_number(None) == "" and cn_number("x") == ""


def test_court_dates_and_periods_in_words():
    assert cn_date_words("2026年6月27日") == "二〇二六年六月二十七日"
    assert days_words(60) == "六十日" and days_words(None) == "" and days_words(0) == ""


def test_you_by_the_number_of_recipients_and_how_an_issuer_names_itself():
    assert addressed({"recipients": ["陈某", "李某"]}) == "你们" and addressed({"recipient": "陈某"}) == "你"
    assert self_reference({"name": "重庆市公安局江北区分局"}) == "本局"
    assert self_reference({"name": "重庆市江北区人民法院"}) == "本院"


def test_the_last_two_characters_of_a_paragraph_stay_together():
    html = keep_last_line("<p>依法追究相应法律责任。</p><p>甲。</p>")
    assert html == '<p>依法追究相应法律<span class="keep">责任。</span></p><p>甲。</p>'
    assert keep_last_line("<p>a &lt;b&gt;。</p>") == '<p>a &lt;<span class="keep">b&gt;。</span></p>'

