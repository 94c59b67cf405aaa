"""Signing and checking PDF bytes (documents.signing) with keys from engine.issuing.pki in a temporary folder."""


def test_signing_works_inside_a_running_event_loop(tmp_path):
    """pyHanko's synchronous wrappers call asyncio.run; a caller inside an event loop (an async server, the
    browser tests' live server) must still be able to sign and check."""
    import asyncio

    from documents import render_pdf
    from documents.samples import sample
    from documents.signing import sign_pdf, validate
    from engine.issuing import pki

    pdf = render_pdf("reprimand", sample("reprimand"))
    key = pki.signing_key(tmp_path, "JB-police", "重庆市公安局江北区分局")

    async def inside_a_loop():
        signed = sign_pdf(pdf, key)
        return validate(signed, (tmp_path / "ca.pem").read_bytes())

    # a thread of its own: in a whole test run the browser tests' Playwright already runs a loop here
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result()["bottom_line"] is True


def test_a_signed_file_changed_after_signing_is_not_intact(tmp_path):
    from documents import render_pdf
    from documents.samples import sample
    from documents.signing import sign_pdf, validate
    from engine.issuing import pki

    key = pki.signing_key(tmp_path, "JB-court", "重庆市江北区人民法院")
    signed = sign_pdf(render_pdf("guidance_order", sample("guidance_order")), key)
    trust = (tmp_path / "ca.pem").read_bytes()
    genuine = validate(signed, trust)
    assert genuine["intact"] and genuine["trusted"] and genuine["whole_file"]
    assert genuine["signer"] == "重庆市江北区人民法院"
    tampered = bytearray(signed)
    tampered[len(tampered) // 3] ^= 0x01
    assert validate(bytes(tampered), trust)["bottom_line"] is False
    assert validate(b"not a pdf", trust) == {"readable": False, "signed": False}
