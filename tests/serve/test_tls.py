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


def test_chromium_on_the_lan_address_over_tls_gets_a_secure_context(tmp_path: Path) -> None:
    """With the certificate trusted (here: the server certificate's key pinned with Chromium's
    --ignore-certificate-errors-spki-list, standing in for the installed authority, which a
    headless test cannot add to the system store), the page on the LAN address is a secure
    context: the service worker runs and Keep for offline is there."""
    import base64
    import hashlib
    import shutil

    import pytest
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from tests.serve.test_page import CHROMEDRIVER, CHROMIUM, PHONE, wait_for
    from voice_coach.serve.network import lan_addresses

    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver")
    addresses = lan_addresses()
    if not addresses:
        pytest.skip("this computer has no network address but loopback")
    data = tmp_path / "data"
    library = make_library(tmp_path / "library", data)
    server = start_server(library, data, "--lan", "--tls")
    try:
        assert any(f"https://{addresses[0]}:{server.port}/ca.crt" in line
                   for line in server.output)
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        leaf = x509.load_pem_x509_certificate((data / "tls" / "server.pem").read_bytes())
        spki = leaf.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
        pin = base64.b64encode(hashlib.sha256(spki).digest()).decode()
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM  # type: ignore[assignment]
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--mute-audio",
                    "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--ignore-certificate-errors-spki-list={pin}",
                    f"--window-size={PHONE['width']},{PHONE['height']}"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER),
                                  options=options)
        try:
            url = server.url.replace("127.0.0.1", addresses[0])
            driver.get(url)
            assert driver.execute_script("return window.isSecureContext") is True
            wait_for(lambda: driver.execute_script(
                "return navigator.serviceWorker.controller !== null"), timeout_s=30,
                what="the service worker over https on the LAN address")
            assert driver.execute_script(
                "return !document.querySelector('button.keep').hidden")
            assert "Install this computer's certificate" in driver.page_source
        finally:
            driver.quit()
    finally:
        server.stop()
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
