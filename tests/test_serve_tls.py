"""`serve --tls`: a local certificate authority made once (as mkcert does), a server
certificate it signs for this computer's addresses, and a client that trusts only that
authority connecting to the real server on 127.0.0.1 with full verification."""

from __future__ import annotations

import datetime as dt
import http.client
import ssl
from pathlib import Path

from tests.serve_fixture import make_library, start_server


def test_https_with_a_local_authority_that_phones_install(tmp_path: Path) -> None:
    from cryptography import x509

    data = tmp_path / "data"
    library = make_library(tmp_path / "library", data)
    server = start_server(library, data, "--tls")
    try:
        assert server.url.startswith("https://127.0.0.1:")
        ca = data / "tls" / "ca.pem"
        assert oct((data / "tls" / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
        assert oct((data / "tls" / "server-key.pem").stat().st_mode & 0o777) == "0o600"
        context = ssl.create_default_context(cafile=str(ca))  # verifies name and chain
        conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=context,
                                           timeout=30)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert response.status == 200 and b"voice-coach" in response.read()
        conn.request("GET", "/ca.crt")
        response = conn.getresponse()
        der = response.read()
        assert response.getheader("content-type") == "application/x-x509-ca-cert"
        assert x509.load_der_x509_certificate(der) == x509.load_pem_x509_certificate(
            ca.read_bytes())
        conn.close()
        # A client without the authority refuses the connection (it is not self-signed trust).
        bare = http.client.HTTPSConnection("127.0.0.1", server.port,
                                           context=ssl.create_default_context(), timeout=30)
        try:
            bare.request("GET", "/")
            raise AssertionError("a client without the authority connected")
        except ssl.SSLCertVerificationError:
            pass
        finally:
            bare.close()
    finally:
        server.stop()
    first_ca = ca.read_bytes()
    first_cert = (data / "tls" / "server.pem").read_bytes()
    server = start_server(library, data, "--tls")  # made once: the same authority next time
    server.stop()
    assert ca.read_bytes() == first_ca and (data / "tls" / "server.pem").read_bytes() == first_cert


def test_server_certificate_follows_the_addresses(tmp_path: Path) -> None:
    from cryptography import x509

    from voice_coach.serve.tls import SERVER_DAYS, ensure_tls

    files = ensure_tls(tmp_path, ["192.168.1.20"], "desk")
    first = files.cert.read_bytes()
    ca = x509.load_pem_x509_certificate(files.ca.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(str(a) for a in san.get_values_for_type(x509.IPAddress)) == [
        "127.0.0.1", "192.168.1.20"]
    assert sorted(san.get_values_for_type(x509.DNSName)) == ["desk", "desk.local", "localhost"]
    assert cert.issuer == ca.subject
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(
        days=SERVER_DAYS, hours=1)
    again = ensure_tls(tmp_path, ["192.168.1.20"], "desk")
    assert again.cert.read_bytes() == first  # nothing changed: kept
    moved = ensure_tls(tmp_path, ["192.168.1.31"], "desk")  # a new address: a new certificate
    assert moved.cert.read_bytes() != first
    cert = x509.load_pem_x509_certificate(moved.cert.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "192.168.1.31" in [str(a) for a in san.get_values_for_type(x509.IPAddress)]
    assert moved.ca.read_bytes() == files.ca.read_bytes()
    before = moved.cert.read_bytes()
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=SERVER_DAYS - 10)
    renewed = ensure_tls(tmp_path, ["192.168.1.31"], "desk", now=later)  # near its end
    assert renewed.cert.read_bytes() != before
