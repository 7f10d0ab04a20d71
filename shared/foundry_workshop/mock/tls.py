"""A throw-away self-signed certificate for serving the mock over HTTPS on 127.0.0.1.

Why: Azure SDKs refuse to send a bearer token over plain HTTP (azure-core raises "Bearer token
authentication is not permitted for non-TLS protected (non-https) URLs"), so the keyless
(Microsoft Entra ID) path of ``azure-ai-inference`` can only be exercised against a server that
speaks TLS. The certificate is valid for ``127.0.0.1``, ``::1`` and ``localhost`` only, lives in a
private temporary directory, and is deleted when the server stops. Clients trust it through the
standard variables: ``SSL_CERT_FILE`` (httpx, hence ``openai``) and ``REQUESTS_CA_BUNDLE``
(requests, hence ``azure-core``), or explicitly (``connection_verify=`` / ``verify=``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SelfSignedCertificate:
    """PEM files of a loopback-only certificate; ``cert_file`` doubles as the CA bundle to trust."""

    directory: Path
    cert_file: Path
    key_file: Path

    @classmethod
    def create(cls, days: int = 1) -> SelfSignedCertificate:
        # cryptography comes with azure-identity (via msal); imported here so plain HTTP mocks never need it.
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "foundry-workshop mock (127.0.0.1)")])
        now = dt.datetime.now(dt.UTC)
        alt_names = x509.SubjectAlternativeName([
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ])
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(alt_names, critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        directory = Path(tempfile.mkdtemp(prefix="foundry-mock-tls-"))  # mode 0700
        cert_file, key_file = directory / "cert.pem", directory / "key.pem"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        os.chmod(key_file, 0o600)
        return cls(directory, cert_file, key_file)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
