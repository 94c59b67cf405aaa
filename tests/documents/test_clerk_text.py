"""What a clerk reads on each rendered document (pdftotext), sentence by sentence."""
import pytest

from documents import DOCUMENT_TYPES

from .conftest import poppler, squash, text_of

ORDERS = ("supervision_order", "guidance_order", "reprimand", "duty_notice", "warning_letter", "protection_order",
          "objection_decision", "revocation_support")


def read(rendered, name) -> str:
    return squash(text_of(rendered[name]))


def read_in_order(rendered, name) -> str:
    """The text in the order it was written (table cells whole, not interleaved line by line)."""
    return squash(poppler("pdftotext", "-raw", str(rendered[name]), "-"))


@pytest.mark.parametrize("key", ORDERS)
def test_orders_never_name_the_case_by_the_system_number_nor_write_you_in_brackets(rendered, key):
    text = read(rendered, key)
    assert "JB-2026-00412" not in text
    assert "你（们）" not in text and "（们）" not in text


def test_supervision_order_names_the_case_by_its_cause_and_addresses_both_guardians(rendered):
    text = read(rendered, "supervision_order")
    assert "本院在办理陈小明盗窃一案（附条件不起诉）中发现，你们作为未成年人陈小明的监护人" in text
    assert "请你们于2026年7月27日前履行上述监护职责，并自收到本令之日起每三十日向本院书面报告一次履行情况。" in text
    assert "《中华人民共和国未成年人保护法》第十六条、第一百一十八条" in text
    assert "特此督促。" in text


def test_guidance_order_is_a_decision_with_the_plan_in_words_judge_clerk_and_remedy(rendered):
    text = read(rendered, "guidance_order")
    assert text.startswith("重庆市江北区人民法院家庭教育指导令（2026）渝0105家教指3号")
    assert "本院在审理（2026）渝0105民初1234号陈某与李某离婚纠纷一案中查明" in text
    assert "决定如下：一、责令被决定人陈某、李某接受家庭教育指导。" in text
    assert "四、指导期限：六十日，自本决定书送达之日起计算。" in text
    assert "五、指导频次：每十五日不少于一次，期限内共不少于四次。" in text
    assert "可以自收到决定书之日起五日内向本院申请复议一次。复议期间，不停止本决定的执行。" in text
    assert "审判员赵敏" in text and "书记员孙丽" in text and "二〇二六年六月二十七日" in text
    assert "指导频次：6" not in text and "六个月" not in text and "每月5日" not in text


def test_reprimand_names_who_reprimanded_and_who_recorded_and_addresses_one_person(rendered):
    text = read(rendered, "reprimand")
    assert "训诫时间：2026年6月20日。训诫人：吴强。记录人：郑华。" in text
    assert "现对你予以训诫" in text and "你们" not in text
    assert "被训诫人陈某（签名）：" in text and "训诫人（签名）：" in text and "记录人（签名）：" in text


def test_duty_notice_lists_the_statutory_duties_with_their_articles(rendered):
    text = read(rendered, "duty_notice")
    assert "一、树立家庭是第一个课堂、家长是第一任老师的责任意识" in text
    assert "（《中华人民共和国家庭教育促进法》第二十三条）" in text
    assert "被告知人已收到并知悉本告知书内容。被告知人陈某（签名）：" in text


# Sentences a clerk reads on each document, as printed.
SENTENCES = {
    "warning_letter": [
        "重庆市公安局江北区分局江北公家暴告〔2026〕2号告诫书",
        "根据《中华人民共和国反家庭暴力法》第十六条、第十七条的规定，本局对你予以告诫：禁止你对家庭成员实施任何形式的家庭暴力"],
    "protection_order": [
        "裁定如下：一、禁止被申请人陈某对未成年人陈小明实施家庭暴力；", "本裁定有效期为一百八十日，自作出之日起生效。",
        "可以自裁定生效之日起五日内向本院申请复议一次。复议期间不停止本裁定的执行。"],
    "objection_decision": [
        "复议申请人不服本院于2026年6月27日作出的（2026）渝0105家教指3号家庭教育指导令",
        "驳回复议申请，维持（2026）渝0105家教指3号家庭教育指导令。"],
    "revocation_support": [
        "重庆市江北区人民法院：支持起诉人：重庆市江北区人民检察院。原告：重庆市江北区民政局。",
        "《中华人民共和国未成年人保护法》第一百零六条、第一百零八条、《中华人民共和国民法典》第三十六条",
        "一、撤销被告陈某对陈小明的监护人资格；"],
    "guidance_plan": [
        "《关于指导推进重庆市江北区家庭教育五年规划（2021-2025年）》第二部分第21项",      # seed 000's title
        "指导期限为一百八十日，期间开展指导不少于六次，每次不少于四十分钟。"],
}


@pytest.mark.parametrize("name", sorted(SENTENCES))
def test_the_new_types_and_the_plan_read_as_issued(rendered, name):
    text = read(rendered, name)
    for sentence in SENTENCES[name]:
        assert sentence in text, sentence


def test_reports_go_to_agencies_and_number_their_items_in_order(rendered):
    assessment = read(rendered, "assessment_report")
    assert "报送单位重庆市江北区人民检察院、重庆市江北区人民法院" in assessment
    closure = read(rendered, "closure_report")
    assert "报送单位重庆市江北区人民检察院" in closure
    assert "四、制发文书（一）督促监护令（江北检未督〔2026〕3号）" in closure and "五、结案意见" in closure


def test_followup_record_is_signed_by_visitor_and_visited_without_a_seal(rendered):
    text = read(rendered, "followup_record")
    assert "回访人（签名）：" in text and "被回访人（签名）：" in text
    assert "（印）" not in text


def test_blank_receipt_is_for_hand_filling(rendered):
    text = read_in_order(rendered, "delivery_receipt-blank")
    assert "受送达人陈某" in text and "名称及文号督促监护令江北检未督〔2026〕3号件数1" in text
    assert "□直接送达" in text and "□留置送达" in text and "年月日" in text
    assert "拒绝签收" not in text.split("填写说明")[0] and "已签收" not in text


def test_filled_receipt_records_a_signed_delivery_and_nothing_of_a_refusal(rendered):
    text = read_in_order(rendered, "delivery_receipt")
    assert "送达方式直接送达受送达人签名或盖章已签收（签名原件存卷）2026年6月28日" in text
    assert "拒绝" not in text and "留置" not in text and "送达人王某、赵某" in text and "填发人张磊" in text


def test_refused_receipt_records_the_reason_witness_and_date(rendered):
    text = read_in_order(rendered, "delivery_receipt-refused")
    assert "送达方式留置送达" in text
    assert ("拒收事由及见证人受送达人拒绝签收，拒收事由：认为督促监护令内容不实。见证人：何平（社区网格员）。"
            "送达人已于2026年6月28日将文书留置于送达地址，视为送达。") in text and "未签收" in text


@pytest.mark.parametrize("key", sorted(DOCUMENT_TYPES))
def test_no_drawn_seal_only_the_place_of_the_wet_seal(rendered, key):
    text = read(rendered, key)
    closing = DOCUMENT_TYPES[key].closing
    assert ("（印）" in text) == (closing == "seal")
    assert ("（院印）" in text) == (closing == "court")
