"""https for the home network (`serve --tls`), as mkcert does it: a local certificate authority
made once (its private key never leaves this computer's data folder) that a phone installs and
trusts, and a server certificate it signs for this computer's current addresses, made again
when they change. Service workers (the offline page) need a secure context; a self-signed
certificate alone is not one, a trusted authority's certificate is. Uses `cryptography`.

Writes only in the tls folder it is given: ca.pem, ca-key.pem (owner-only), server.pem,
server-key.pem (owner-only).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from voice_coach.basics.errors import EngineError, OutputError

CA_DAYS = 3650
SERVER_DAYS = 397  # the longest that Apple and Chrome accept for a server certificate
RENEW_DAYS = 30


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    ca_key: Path
    cert: Path
    key: Path


def _crypto():
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError:
        raise EngineError("serve --tls needs the cryptography package, which is not installed",
                          "install the serve extra: pip install 'voice-coach[serve]'") from None
    return x509, hashes, serialization, ec, ExtendedKeyUsageOID, NameOID


def ensure_tls(folder: Path, hosts: list[str], host_name: str,
               now: dt.datetime | None = None) -> TlsFiles:
    """The authority (made the first time) and a server certificate valid for `hosts` (IP
    addresses or names) and host_name(.local), renewed when they change or it nears its end."""
    now = now or dt.datetime.now(dt.timezone.utc)
    files = TlsFiles(folder / "ca.pem", folder / "ca-key.pem", folder / "server.pem",
                     folder / "server-key.pem")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not (files.ca.is_file() and files.ca_key.is_file()):
            _make_ca(files, host_name, now)
        names = sorted({*hosts, "127.0.0.1", "localhost", *(
            [host_name, f"{host_name}.local"] if host_name else [])})
        if not _server_fits(files, names, now):
            _make_server(files, names, now)
    except OSError as exc:
        raise OutputError(f"cannot write the certificates in {folder}: {exc.strerror or exc}",
                          "make the data folder writable, or set VOICE_COACH_DATA_DIR") \
            from None
    return files


def ca_der(files: TlsFiles) -> bytes:
    """The authority's certificate in DER, as phones install it (a .crt file)."""
    x509, _, serialization, *_ = _crypto()
    cert = x509.load_pem_x509_certificate(files.ca.read_bytes())
    return cert.public_bytes(serialization.Encoding.DER)


def ca_fingerprint(files: TlsFiles) -> str:
    """SHA-256 of the authority's certificate, as phones show it, for checking by eye."""
    x509, hashes, *_ = _crypto()
    cert = x509.load_pem_x509_certificate(files.ca.read_bytes())
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _make_ca(files: TlsFiles, host_name: str, now: dt.datetime) -> None:
    x509, hashes, serialization, ec, _, NameOID = _crypto()  # noqa: N806
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "voice-coach local CA"),
        x509.NameAttribute(NameOID.COMMON_NAME,
                           f"voice-coach on {host_name or 'this computer'}")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    _write_private(files.ca_key, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    _write(files.ca, cert.public_bytes(serialization.Encoding.PEM))
    with contextlib.suppress(OSError):  # a new authority: the old server certificate goes
        files.cert.unlink()


def _server_fits(files: TlsFiles, names: list[str], now: dt.datetime) -> bool:
    x509, *_ = _crypto()
    try:
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        ca = x509.load_pem_x509_certificate(files.ca.read_bytes())
        files.key.read_bytes()
    except (OSError, ValueError):
        return False
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    have = sorted({str(v) for v in san.get_values_for_type(x509.IPAddress)}
                  | set(san.get_values_for_type(x509.DNSName)))
    return (have == names and cert.issuer == ca.subject
            and cert.not_valid_after_utc - now > dt.timedelta(days=RENEW_DAYS))


def _make_server(files: TlsFiles, names: list[str], now: dt.datetime) -> None:
    x509, hashes, serialization, ec, ExtendedKeyUsageOID, NameOID = _crypto()  # noqa: N806
    ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    ca = x509.load_pem_x509_certificate(files.ca.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    alt = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca.public_key()), critical=False)  # type: ignore[arg-type]
            .sign(ca_key, hashes.SHA256()))  # type: ignore[arg-type]
    _write_private(files.key, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    _write(files.cert, cert.public_bytes(serialization.Encoding.PEM))


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def _write_private(path: Path, data: bytes) -> None:
    _write(path, data, 0o600)
