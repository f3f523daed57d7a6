"""TLS for the training service: a training CA and a server certificate for loopback.

Made with ``cryptography`` the first time the service starts, kept under the
data folder (``<data>/service``: folder 0700, files 0600) and reused on later
runs; a certificate near its end (or a missing file) is made afresh. Clients
verify the server against ``ca.pem`` (their ``ca_bundle`` setting), never
without verification.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..private_files import private_folder, write_private

CA_DAYS = 5 * 365
SERVER_DAYS = 365
RENEW_WITHIN = dt.timedelta(days=14)
HOSTS = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # the bundle clients verify against
    cert: Path
    key: Path
    ca_key: Path


def files(folder: Path) -> TlsFiles:
    return TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server.key", folder / "ca.key")


def _write(path: Path, data: bytes) -> None:
    write_private(path, data)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _usable(cert_path: Path, now: dt.datetime) -> x509.Certificate | None:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError):
        return None
    return cert if cert.not_valid_after_utc - RENEW_WITHIN > now else None


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Signpost training"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _make_ca(f: TlsFiles, now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Signpost training CA")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256()))
    _write(f.ca_key, _key_pem(key))
    _write(f.ca, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _make_server(f: TlsFiles, ca: x509.Certificate, ca_key, now: dt.datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(h) for h in HOSTS] + [x509.IPAddress(ipaddress.ip_address(a)) for a in ADDRESSES]
    cert = (x509.CertificateBuilder().subject_name(_name("Signpost training directory (loopback)"))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write(f.key, _key_pem(key))
    _write(f.cert, cert.public_bytes(serialization.Encoding.PEM))


def ensure(folder: Path) -> TlsFiles:
    """The CA and server certificate under ``folder``, made now if missing or near their end."""
    private_folder(folder)
    f = files(folder)
    now = dt.datetime.now(dt.UTC)
    ca = _usable(f.ca, now)
    ca_key = None
    if ca is not None:
        try:
            loaded = serialization.load_pem_private_key(f.ca_key.read_bytes(), password=None)
            ca_key = loaded if isinstance(loaded, ec.EllipticCurvePrivateKey) else None  # only ever made as EC
        except (OSError, ValueError):
            ca = None
    if ca is None or ca_key is None:
        ca, ca_key = _make_ca(f, now)
        f.cert.unlink(missing_ok=True)  # issued by the old CA
    server = _usable(f.cert, now)
    if server is None or server.issuer != ca.subject or not f.key.exists() or server.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier).value.key_identifier != x509.SubjectKeyIdentifier.from_public_key(
            ca_key.public_key()).digest:
        _make_server(f, ca, ca_key, now)
    for p in (f.ca, f.cert, f.key, f.ca_key):
        os.chmod(p, 0o600)
    return f
