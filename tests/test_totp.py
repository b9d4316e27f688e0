"""TOTP helpers as pure functions: code windows, secrets at rest, recovery codes, QR codes."""

from __future__ import annotations

import pyotp
import pytest

from server.auth import totp


def test_codes_match_their_step_within_one_step_either_side() -> None:
    secret = totp.new_secret()
    now = 1_800_000_000.0
    step = int(now // 30)
    code = pyotp.TOTP(secret).at(now)
    assert totp.matching_step(secret, code, at=now) == step
    assert totp.matching_step(secret, code, at=now + 30) == step
    assert totp.matching_step(secret, code, at=now - 30) == step
    assert totp.matching_step(secret, code, at=now + 90) is None
    assert totp.matching_step(secret, " " + code[:3] + " " + code[3:], at=now) == step
    for bad in ("", "12345", "1234567", "abcdef", "\uff11\uff12\uff13\uff14\uff15\uff16"):
        assert totp.matching_step(secret, bad, at=now) is None


def test_secrets_are_sealed_and_only_the_same_key_opens_them() -> None:
    box = totp.SecretBox("one key")
    secret = totp.new_secret()
    sealed = box.seal(secret)
    assert secret not in sealed and box.open(sealed) == secret
    with pytest.raises(ValueError, match="SECRET_KEY"):
        totp.SecretBox("another key").open(sealed)


def test_recovery_codes_are_distinct_and_hash_the_same_however_typed() -> None:
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10 and all(len(c) == 11 and c[5] == "-" for c in codes)
    code = codes[0]
    variants = (code, code.upper(), code.replace("-", ""), f" {code[:5]} {code[6:]} ")
    assert len({totp.hash_recovery_code(v) for v in variants}) == 1
    assert totp.hash_recovery_code(codes[1]) != totp.hash_recovery_code(code)
    assert totp.looks_like_recovery_code(code) and not totp.looks_like_recovery_code("123456")


def test_enrolment_uri_and_qr_code() -> None:
    uri = totp.provisioning_uri(
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", account="ada@acme.test", issuer="Cofacture"
    )
    assert uri.startswith(
        "otpauth://totp/Cofacture:ada%40acme.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    )
    svg = totp.qr_svg(uri)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
