"""Keys and certificates of the offices that sign documents (签名证书), kept under ``settings.pki_dir``.

``guardloop init`` creates a demo certificate authority and a certificate for every office; an office
added later gets one when it first signs. In production put the office's own key and certificate (PEM,
issued by a recognised CA) at the same paths and the CA's certificate in ``ca.pem``; nothing else changes.

    <pki_dir>/ca.pem, ca.key                    the (demo) CA
    <pki_dir>/offices/<district>-<agency>.pem    the office's certificate
    <pki_dir>/offices/<district>-<agency>.key    its private key (mode 0600)

The files are named by district and agency code, not by database id, so every database of one
installation (and each test's) shares them; creation is serialised by a file lock.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from documents.signing import SigningKey, sign_pdf, validate
from engine.models import Agency, District, Office

if TYPE_CHECKING:  # (engine.context imports this module)
    from engine.context import GuardLoop

CA_NAME = "GuardLoop 演示根证书（仅供演示）"
YEARS = 10
_keys: dict = {}         # (pki_dir, office file stem) -> documents.signing.SigningKey, per process


def _name(common: str, org: str = "GuardLoop") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes, private: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    if private:
        tmp.chmod(0o600)
    os.replace(tmp, path)


@contextmanager
def _locked(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool):
    now = datetime.now(timezone.utc) - timedelta(days=1)
    usage = x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                          encipher_only=False, decipher_only=False)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number()).not_valid_before(now)
               .not_valid_after(now + timedelta(days=365 * YEARS))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
               .add_extension(usage, critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
    return builder.sign(signing_key, hashes.SHA256())


def ensure_ca(root: Path) -> None:
    if (root / "ca.pem").exists():
        return
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name(CA_NAME), _name(CA_NAME), key.public_key(), key, ca=True)
    _write(root / "ca.key", _pem_key(key), private=True)
    _write(root / "ca.pem", cert.public_bytes(serialization.Encoding.PEM))


def ensure_office(root: Path, stem: str, name: str) -> None:
    """A key and certificate for one office, issued by the CA in ``root`` (nothing if present)."""
    target = root / "offices" / f"{stem}.pem"
    if target.exists():
        return
    ca_key = serialization.load_pem_private_key((root / "ca.key").read_bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate((root / "ca.pem").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name(name, name), ca_cert.subject, key.public_key(), ca_key, ca=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(root / "offices" / f"{stem}.key", _pem_key(key), private=True)
    _write(target, cert.public_bytes(serialization.Encoding.PEM))


def office_stem(session, office) -> str:
    return f"{session.get(District, office.district_id).code}-{session.get(Agency, office.agency_id).code}"


def ensure_all(gl: GuardLoop) -> int:
    """The CA and every office's certificate (``guardloop init``). Returns how many offices there are."""
    root = Path(gl.settings.pki_dir)
    with gl.reading() as session:
        offices = [(office_stem(session, o), o.name) for o in session.scalars(select(Office))]
    with _locked(root):
        ensure_ca(root)
        for stem, name in offices:
            ensure_office(root, stem, name)
    return len(offices)


def signing_key(root: Path, stem: str, name: str):
    """The office's signing key, created when missing, loaded once per process."""
    cached = _keys.get((root, stem))
    if cached is None:
        with _locked(root):
            ensure_ca(root)
            ensure_office(root, stem, name)
        offices = root / "offices"
        cached = _keys[(root, stem)] = SigningKey.from_pem(
            (offices / f"{stem}.key").read_bytes(), (offices / f"{stem}.pem").read_bytes(),
            (root / "ca.pem").read_bytes())
    return cached


def sign(gl: GuardLoop, session, office, pdf: bytes) -> bytes:
    """The PDF signed with the office's certificate (and timestamped when a TSA is configured)."""
    key = signing_key(Path(gl.settings.pki_dir), office_stem(session, office), office.name)
    return sign_pdf(pdf, key, reason="签发", location=office.name, tsa_url=gl.settings.tsa_url or None)


def check_signature(gl: GuardLoop, pdf: bytes) -> dict:
    """The signature check of an uploaded file against this installation's CA."""
    root = Path(gl.settings.pki_dir)
    with _locked(root):
        ensure_ca(root)
    return validate(pdf, (root / "ca.pem").read_bytes())
