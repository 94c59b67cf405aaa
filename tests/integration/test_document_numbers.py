"""Document numbers per office, type and China-time year; the offices the seeds name; one receipt per person
served; every issued PDF signed by its office and checked by pyHanko's validator against the demo CA."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from engine.issuing import numbering, rendering
from engine.models import Agency, District, DocumentFile, DocumentRecord, Office
from engine.services import documents as docs
from engine.issuing.issue import office_of

from .helpers import assess, new_case, order, propose


def _order_case(driver):
    case = new_case(driver, case_type="minor_victim", guardians=[
        {"name": "监护人甲", "relation": "father", "is_guardian": True},
        {"name": "监护人乙", "relation": "mother", "is_guardian": True}])
    assess(driver, case, 18, ["criminal_victim"])
    propose(driver, case, notify=False, supervision_order=True)
    return case


def _documents(gl, case, doc_type):
    with gl.reading() as s:
        return s.scalars(select(DocumentRecord).where(DocumentRecord.case_id == case, DocumentRecord.doc_type ==
                                                      doc_type).order_by(DocumentRecord.id)).all()


def test_an_order_issued_at_half_past_midnight_beijing_time_on_new_years_day_is_numbered_in_the_new_year(
        gl, driver, clock):
    case = _order_case(driver)
    clock.set(datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc))      # 2027-01-01 00:30 in Beijing
    order(driver, case, "supervision_order", deadline="2027-02-01")
    (doc,) = _documents(gl, case, "supervision_order")
    assert doc.number == "江北检未督〔2027〕1号" and doc.year == 2027 and doc.sequence == 1


def test_each_document_type_of_an_office_counts_on_its_own(gl):
    now = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)
    with gl.transaction() as s:
        district = s.scalars(select(District).where(District.code == "JB")).one()
        office = office_of(s, "court", district.id)
        numbers = [numbering.document_number(s, office, "court", t, now)[0]
                   for t in ("guidance_order", "guidance_order", "protection_order", "duty_notice")]
    assert numbers == ["（2026）渝0105家教指1号", "（2026）渝0105家教指2号", "（2026）渝0105民保令1号",
                       "（2026）渝0105家告1号"]


def test_gaoxin_cases_go_to_the_real_offices_the_seed_names(gl):
    with gl.reading() as s:
        gx = s.scalars(select(District).where(District.code == "GX")).one()
        names = {agency: office_of(s, agency, gx.id).name for agency in
                 ("court", "procuratorate", "police", "womens_federation", "education")}
        spb_court = s.scalars(select(Office).join(Agency, Agency.id == Office.agency_id).join(
            District, District.id == Office.district_id).where(Agency.code == "court", District.code == "SPB")).one()
        assert office_of(s, "court", gx.id).id == spb_court.id                # one office, one sequence
    assert names == {"court": "重庆市沙坪坝区人民法院", "procuratorate": "重庆市九龙坡区人民检察院",
                     "police": "重庆高新区公安分局", "womens_federation": "重庆高新区妇女联合会",
                     "education": "重庆高新区公共服务局"}


def test_one_blank_receipt_for_each_guardian_served(gl, driver):
    case = _order_case(driver)
    order(driver, case, "supervision_order")
    (served,) = _documents(gl, case, "supervision_order")
    receipts = _documents(gl, case, "delivery_receipt")
    assert sorted(r.fields["recipient"] for r in receipts) == ["监护人乙", "监护人甲"]
    assert all(r.served_document_id == served.id and r.fields["served_number"] == served.number for r in receipts)
    assert all("method" not in r.fields for r in receipts)                   # blank, for hand filling


def test_every_issued_pdf_is_signed_by_its_office_and_validates_against_the_demo_ca(gl, driver):
    case = _order_case(driver)
    order(driver, case, "supervision_order")
    rendering.render_due(gl)                        # the workers make (and sign) the PDFs after the commit
    root = Path(gl.settings.pki_dir)
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(root / "ca.pem"))])
    with gl.reading() as s:
        files = s.execute(select(DocumentRecord.doc_type, DocumentFile.pdf).join(
            DocumentFile, DocumentFile.document_id == DocumentRecord.id).where(DocumentRecord.case_id == case)).all()
    assert {t for t, _ in files} >= {"assessment_report", "supervision_order", "delivery_receipt"}
    for doc_type, pdf in files:
        (signature,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
        with ThreadPoolExecutor(max_workers=1) as pool:     # pyHanko calls asyncio.run: not in Playwright's loop
            status = pool.submit(validate_pdf_signature, signature, context).result()
        assert status.bottom_line and status.intact and status.trusted, doc_type
        assert status.signing_cert.subject.native["common_name"].endswith(("人民检察院", "妇女联合会"))
        root_dict = PdfFileReader(BytesIO(pdf)).root
        assert b'pdfaid:part="3"' in root_dict["/Metadata"].data and "/OutputIntents" in root_dict   # kept


def test_a_file_signed_under_another_ca_is_not_trusted(gl, driver, tmp_path):
    from documents.signing import sign_pdf
    from engine.issuing import pki
    case = _order_case(driver)
    order(driver, case, "supervision_order")
    doc = _documents(gl, case, "supervision_order")[0]
    _, pdf = docs.document_file(gl, driver.actor("prosecutor"), doc.id)
    forger = pki.signing_key(tmp_path, "JB-procuratorate", "重庆市江北区人民检察院")
    forged = sign_pdf(pdf, forger, field="Forged")
    check = docs.verify_document(gl, doc.verification_code, forged)["signature"]
    assert check["count"] == 2 and check["intact"] and not check["trusted"] and not check["bottom_line"]
    unsigned = docs.verify_document(gl, doc.verification_code, b"%PDF-1.7 not a real file")["signature"]
    assert unsigned == {"readable": False, "signed": False}


@pytest.mark.parametrize("fmt", ["{prefix}{code}〔{year}〕{seq}号", "（{year}）{prefix}{code}{seq}号"])
def test_number_formats_read_as_configured(fmt):
    assert numbering.format_number(fmt, "江北检未", "督", 2026, 7) in ("江北检未督〔2026〕7号", "（2026）江北检未督7号")


def test_an_office_with_an_electronic_seal_prints_it_and_one_without_prints_the_wet_seal_mark(gl, driver):
    from engine.errors import PermissionDenied
    from engine.services import offices
    from tests.documents.conftest import seal_png
    case = _order_case(driver)
    with gl.reading() as s:
        office = office_of(s, "procuratorate", s.scalars(select(District.id).where(District.code == "JB")).one())
    offices.update_office(gl, driver.actor("admin"), office.id, {
        "name": office.name, "doc_prefix": office.doc_prefix, "number_format": "{prefix}{code}〔{year}〕{seq}号"},
        seal_png())
    order(driver, case, "supervision_order")
    (doc,) = _documents(gl, case, "supervision_order")
    _, pdf = docs.document_file(gl, driver.actor("prosecutor"), doc.id)
    assert pdf.count(b"/Subtype /Image") >= 1 and doc.number == "江北检未督〔2026〕1号"
    with pytest.raises(PermissionDenied):
        offices.update_office(gl, driver.actor("prosecutor"), office.id, {})
