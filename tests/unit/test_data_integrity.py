"""Canonical JSON (RFC 8785) and eddsa-jcs-2022 proofs: any change to a signed document shows."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from academy.domain import data_integrity as di

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
METHOD = "https://academy.example/issuer#" + di.multikey(KEY.public_key())
CREATED = __import__("datetime").datetime(2026, 5, 1, 9, 30, tzinfo=__import__("datetime").UTC)
DOCUMENT = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:test", "name": "Ελένη Παπαδοπούλου",
            "score": 92, "tags": ["a", "b"]}


def resolve(method):
    return KEY.public_key() if method == METHOD else None


def test_canonical_json_matches_the_rfc_8785_example():
    parsed = json.loads('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
                        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
                        '"literals": [null, true, false]}')
    expected = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
                '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    assert di.canonical_json(parsed) == expected.encode("utf-8")


def test_canonical_json_orders_keys_by_utf16_code_units():
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    canonical = di.canonical_json({k: 0 for k in keys}).decode("utf-8")
    assert [json.loads(f"{{{part}}}").popitem()[0] for part in canonical[1:-1].split(",")] == \
        ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


@pytest.mark.parametrize("number, text", [
    (0.0, "0"), (-0.0, "0"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    (9007199254740992.0, "9007199254740992"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
    (0.000001, "0.000001"), (1e-7, "1e-7"), (-1.5, "-1.5"), (295147905179352830000.0, "295147905179352830000"),
    (42, "42"), (-7, "-7"),
])
def test_numbers_serialise_as_ecmascript_does(number, text):
    assert di.canonical_json(number) == text.encode()


def test_values_json_cannot_express_are_refused():
    for bad in (float("nan"), float("inf"), 2**60, {1: "x"}, object()):
        with pytest.raises((TypeError, ValueError)):
            di.canonical_json(bad)


def test_a_signed_document_verifies_and_carries_a_data_integrity_proof():
    signed = di.sign(DOCUMENT, KEY, verification_method=METHOD, created=CREATED)
    [proof] = signed["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["created"] == "2026-05-01T09:30:00Z"
    assert proof["proofValue"].startswith("z") and proof["@context"] == DOCUMENT["@context"]
    assert di.verify(signed, resolve).valid
    # It survives a trip through JSON text with different spacing and key order.
    assert di.verify(json.loads(json.dumps(signed, indent=3, sort_keys=True)), resolve).valid


def test_changing_any_single_character_breaks_the_signature():
    text = json.dumps(di.sign(DOCUMENT, KEY, verification_method=METHOD, created=CREATED), ensure_ascii=False)
    start = text.index('"name"')
    for i in range(start, start + 40):
        if text[i] in '":, ':
            continue
        tampered = text[:i] + ("X" if text[i] != "X" else "Y") + text[i + 1:]
        try:
            document = json.loads(tampered)
        except json.JSONDecodeError:
            continue
        assert not di.verify(document, resolve).valid, tampered[start:start + 40]


def test_reordering_an_array_or_adding_a_member_breaks_the_signature():
    signed = di.sign(DOCUMENT, KEY, verification_method=METHOD, created=CREATED)
    assert not di.verify({**signed, "tags": ["b", "a"]}, resolve).valid
    assert not di.verify({**signed, "extra": True}, resolve).valid
    assert not di.verify({**signed, "@context": [*DOCUMENT["@context"], "https://evil.example"]}, resolve).valid


def test_a_proof_from_a_key_the_issuer_does_not_publish_is_refused():
    other = Ed25519PrivateKey.generate()
    signed = di.sign(DOCUMENT, other, verification_method=METHOD, created=CREATED)
    outcome = di.verify(signed, resolve)
    assert not outcome.valid and "changed" in outcome.problem
    unknown = di.sign(DOCUMENT, other, verification_method="https://academy.example/issuer#zOther", created=CREATED)
    assert "not one the issuer publishes" in di.verify(unknown, resolve).problem


@pytest.mark.parametrize("mangle", [
    lambda d: {k: v for k, v in d.items() if k != "proof"},
    lambda d: {**d, "proof": []},
    lambda d: {**d, "proof": [d["proof"][0], d["proof"][0]]},
    lambda d: {**d, "proof": [{**d["proof"][0], "cryptosuite": "eddsa-rdfc-2022"}]},
    lambda d: {**d, "proof": [{**d["proof"][0], "proofValue": "not-multibase"}]},
    lambda d: {**d, "proof": [{**d["proof"][0], "proofValue": "z0OIl"}]},
    lambda d: {**d, "proof": [{**d["proof"][0], "proofPurpose": "authentication"}]},
    lambda d: ["not", "an", "object"],
])
def test_malformed_proofs_are_reported_not_raised(mangle):
    signed = di.sign(DOCUMENT, KEY, verification_method=METHOD, created=CREATED)
    outcome = di.verify(mangle(signed), resolve)
    assert not outcome.valid and outcome.problem


def test_keys_round_trip_through_multikey_and_jwk():
    public = KEY.public_key()
    multikey = di.multikey(public)
    assert multikey.startswith("z6Mk")
    assert di.public_bytes(di.key_from_multikey(multikey)) == di.public_bytes(public)
    jwk = di.jwk(public, multikey)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["kid"] == multikey and "=" not in jwk["x"]
    assert di.public_bytes(di.key_from_jwk(jwk)) == di.public_bytes(public)
    for bad in ("x6Mk", "z111", "z" + di.base58btc_encode(b"\x12\x20" + bytes(32))):
        with pytest.raises(ValueError):
            di.key_from_multikey(bad)
    with pytest.raises(ValueError):
        di.key_from_jwk({"kty": "EC", "crv": "P-256", "x": "abc"})


def test_base58btc_keeps_leading_zero_bytes():
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(40))):
        assert di.base58btc_decode(di.base58btc_encode(data)) == data
