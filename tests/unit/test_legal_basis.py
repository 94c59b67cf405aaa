"""Every legal basis a document cites comes from the one table, with its full title; no invented basis."""
import re
from datetime import datetime, timezone

import pytest

from documents.samples import samples
from engine.issuing.legal_basis import BY_TYPE, SOURCES, bases_for, family_education_duties
from engine.issuing.numbering import china_year
from engine.reference import DOCUMENT_TYPES

ARTICLE = re.compile(r"第[一二三四五六七八九十百零]+条(?:第[一二三四五六七八九十]+款)?")
RANGE = re.compile(r"第[一二三四五六七八九十]+条至第[一二三四五六七八九十]+条")


def cited_parts(citation: str) -> tuple[str, str]:
    source = next(title for title in SOURCES.values() if citation.startswith(title))
    return source, citation[len(source):]


@pytest.mark.parametrize("doc_type", sorted(DOCUMENT_TYPES))
def test_each_type_cites_only_table_sources_with_well_formed_articles(doc_type):
    assert doc_type in BY_TYPE
    for district in ("JB", "GX", "YZ"):
        for case_type in ("general", "minor_suspect", "minor_victim", "family_case"):
            for citation in bases_for(doc_type, district=district, case_type=case_type):
                source, part = cited_parts(citation)
                for piece in filter(None, part.split("、")):
                    assert ARTICLE.fullmatch(piece) or RANGE.fullmatch(piece) or piece == "第二部分第21项", piece


def test_the_assessment_report_cites_the_2021_opinion_only_in_criminal_cases():
    opinion = SOURCES["procuratorate_guidance_opinion"]
    assert opinion in bases_for("assessment_report", case_type="minor_suspect")
    assert opinion in bases_for("assessment_report", stage="not_prosecuted")
    assert opinion not in bases_for("assessment_report", case_type="general")


def test_the_guidance_plan_cites_the_jiangbei_plan_by_its_title_in_seed_000():
    assert bases_for("guidance_plan", district="JB")[-1] == \
        "《关于指导推进重庆市江北区家庭教育五年规划（2021-2025年）》第二部分第21项"
    assert all("江北" not in c for c in bases_for("guidance_plan", district="YZ"))


def test_citations_of_one_statute_are_merged():
    assert bases_for("supervision_order")[0] == "《中华人民共和国未成年人保护法》第十六条、第一百一十八条"


def test_the_duty_notice_lists_the_family_education_duties_by_article():
    duties = family_education_duties()
    assert duties[0].endswith("（《中华人民共和国家庭教育促进法》第十四条）")
    assert any("第二十二条" in d and "沉迷网络" in d for d in duties)
    assert any("第二十三条" in d and "家庭暴力" in d for d in duties)


@pytest.mark.parametrize("doc_type,context", sorted(samples().items()))
def test_the_samples_cite_only_what_the_table_can_produce(doc_type, context):
    for citation in context["legal_basis"]:
        cited_parts(citation)                                   # StopIteration if the source is not in the table
    assert "高检发" not in "".join(context["legal_basis"])      # a number that could not be confirmed


def test_the_year_of_a_number_is_the_year_in_china():
    assert china_year(datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)) == 2027
    assert china_year(datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)) == 2026
