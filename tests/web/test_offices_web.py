"""The offices page: only administrators see it; names, codes and format are saved with an audit entry,
bad input is a clear 422 in the user's language with nothing written."""
import io

from PIL import Image
from sqlalchemy import select

from engine.models import Agency, AuditEntry, District, Office


def _office(gl, district="JB", agency="procuratorate"):
    with gl.reading() as s:
        return s.scalars(select(Office).join(Agency, Agency.id == Office.agency_id).join(
            District, District.id == Office.district_id).where(Agency.code == agency, District.code == district)).one()


def _form(office, **changes):
    data = {"name": office.name, "doc_prefix": office.doc_prefix, "number_format": "{prefix}{code}〔{year}〕{seq}号",
            "code_supervision_order": "督监", "code_guidance_order": "指", "code_reprimand": "训",
            "code_duty_notice": "告", "code_warning_letter": "告诫", "code_protection_order": "保",
            "code_objection_decision": "复", "code_revocation_support": "支诉"}
    data.update(changes)
    return data


def test_only_an_administrator_opens_the_offices_page(as_user, gl):
    office = _office(gl)
    assert as_user("prosecutor").get("/admin/offices/").status_code == 403
    assert as_user("prosecutor").get(f"/admin/offices/{office.id}").status_code == 403
    page = as_user("admin").get("/admin/offices/?district=GX").get_data(as_text=True)
    assert "重庆市沙坪坝区人民法院" in page and "重庆市九龙坡区人民检察院" in page and "重庆高新区公安分局" in page


def test_an_administrator_changes_type_codes_and_the_next_number_follows(as_user, gl):
    office = _office(gl)
    b = as_user("admin")
    url = f"/admin/offices/{office.id}"
    response = b.post(url, _form(office), token_from=url)
    assert response.status_code == 302
    assert _office(gl).type_codes["supervision_order"] == "督监"
    assert "江北检未督监〔2026〕1号" in b.get(url).get_data(as_text=True)
    with gl.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "update_office")).all()[-1]
        assert entry.after["type_codes"]["supervision_order"] == "督监"


def test_colliding_codes_or_a_bad_format_are_refused_in_the_users_language(as_user, gl):
    office = _office(gl)
    b = as_user("admin")
    url = f"/admin/offices/{office.id}"
    same = b.post(url, _form(office, code_reprimand="督监"), token_from=url)
    assert same.status_code == 422 and "文号会重复" in same.get_data(as_text=True)
    bad = b.post(url, _form(office, number_format="{prefix}{year}{__class__}"), token_from=url)
    assert bad.status_code == 422 and "{year}" in bad.get_data(as_text=True)
    assert _office(gl).type_codes is None                      # nothing written
    b.get("/lang/en?next=/")
    english = b.post(url, _form(office, number_format="{prefix}"), token_from=url)
    assert english.status_code == 422 and "The number format needs {year} and {seq}" in english.get_data(as_text=True)


def test_an_electronic_seal_is_checked_stored_and_removed(as_user, gl):
    office = _office(gl)
    b = as_user("admin")
    url = f"/admin/offices/{office.id}"
    not_png = b.post(url, {**_form(office), "seal": (io.BytesIO(b"GIF89a..."), "seal.gif")}, token_from=url,
                     content_type="multipart/form-data")
    assert not_png.status_code == 422 and _office(gl).seal_image is None
    image = io.BytesIO()
    Image.new("RGBA", (400, 400), (200, 0, 0, 180)).save(image, "PNG")
    ok = b.post(url, {**_form(office), "seal": (io.BytesIO(image.getvalue()), "seal.png")}, token_from=url,
                content_type="multipart/form-data")
    assert ok.status_code == 302 and _office(gl).seal_image.startswith(b"\x89PNG")
    b.post(url, {**_form(office), "remove_seal": "on"}, token_from=url)
    assert _office(gl).seal_image is None
