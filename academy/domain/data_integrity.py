"""Ed25519 Data Integrity proofs over canonical JSON (the W3C ``eddsa-jcs-2022`` cryptosuite).

A signed document carries ``"proof": [{"type": "DataIntegrityProof", "cryptosuite":
"eddsa-jcs-2022", ...}]``. The signature covers SHA-256 of the canonical proof options followed
by SHA-256 of the canonical document without its proof, both canonicalised with the JSON
Canonicalization Scheme (RFC 8785). Canonical JSON means the signature needs no RDF processing,
yet any change to any value, key or array order of the signed document breaks it.

Public keys travel as Multikeys (``z6Mk...``: multibase base58btc of the multicodec ``ed25519-pub``
prefix and the 32 key bytes) and as JSON Web Keys (RFC 8037).

References: W3C "Data Integrity EdDSA Cryptosuites v1.0" §3.3 (eddsa-jcs-2022), RFC 8785 (JCS).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_PURPOSE = "assertionMethod"
#: Multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint).
_ED25519_PUB = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58)}


# --- canonical JSON (RFC 8785) -------------------------------------------------------------------

def canonical_json(value: Any) -> bytes:
    """``value`` serialised per the JSON Canonicalization Scheme, as UTF-8 bytes."""
    return "".join(_jcs(value)).encode("utf-8")


def _jcs(value: Any):
    if value is None or value is True or value is False:
        yield json.dumps(value)
    elif isinstance(value, str):
        yield json.dumps(value, ensure_ascii=False)
    elif isinstance(value, int | float):
        yield _jcs_number(value)
    elif isinstance(value, list | tuple):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from _jcs(item)
        yield "]"
    elif isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("JSON object keys must be strings")
        yield "{"
        # Members are ordered by the UTF-16 code units of their names, as in JavaScript.
        for i, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))):
            if i:
                yield ","
            yield json.dumps(key, ensure_ascii=False)
            yield ":"
            yield from _jcs(value[key])
        yield "}"
    else:
        raise TypeError(f"{type(value).__name__} is not a JSON value")


def _jcs_number(number: int | float) -> str:
    """ECMAScript's Number.prototype.toString, which RFC 8785 prescribes for numbers."""
    if isinstance(number, int):
        if abs(number) > 2**53:
            raise ValueError("integers beyond 2**53 have no exact JSON (IEEE 754) form")
        return str(number)
    if not math.isfinite(number):
        raise ValueError("NaN and infinities are not JSON numbers")
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    # repr() gives the shortest digits that round-trip, as ECMAScript does.
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = exponent + k  # the decimal point sits after n digits
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{mantissa}e{'+' if n - 1 > 0 else '-'}{abs(n - 1)}"
    return sign + text


# --- key encodings -------------------------------------------------------------------------------

def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    chars = []
    while number:
        number, rest = divmod(number, 58)
        chars.append(_B58[rest])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(chars))


def base58btc_decode(text: str) -> bytes:
    """Bytes of a base58btc string; ValueError for a character outside the alphabet."""
    number = 0
    for ch in text:
        if ch not in _B58_INDEX:
            raise ValueError(f"{ch!r} is not a base58btc character")
        number = number * 58 + _B58_INDEX[ch]
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_zeros + body


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def multikey(key: Ed25519PublicKey) -> str:
    """The key's ``publicKeyMultibase`` (``z6Mk...``); also used as its key id."""
    return "z" + base58btc_encode(_ED25519_PUB + public_bytes(key))


def key_from_multikey(value: str) -> Ed25519PublicKey:
    """The Ed25519 key in a ``publicKeyMultibase``; ValueError if it is not one."""
    if not value.startswith("z"):
        raise ValueError("a Multikey is base58btc, starting with 'z'")
    raw = base58btc_decode(value[1:])
    if len(raw) != 34 or not raw.startswith(_ED25519_PUB):
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def jwk(key: Ed25519PublicKey, kid: str) -> dict[str, str]:
    """The key as a public JSON Web Key (RFC 8037)."""
    x = base64.urlsafe_b64encode(public_bytes(key)).rstrip(b"=").decode("ascii")
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}


def key_from_jwk(value: Mapping[str, Any]) -> Ed25519PublicKey:
    """The Ed25519 key in a public JWK; ValueError if it is not one."""
    if value.get("kty") != "OKP" or value.get("crv") != "Ed25519" or not isinstance(value.get("x"), str):
        raise ValueError("not an Ed25519 JSON Web Key")
    x = value["x"]
    raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
    if len(raw) != 32:
        raise ValueError("an Ed25519 key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


# --- proofs --------------------------------------------------------------------------------------

def timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC to the second, as VC documents use: ``2026-05-01T09:30:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(proof_options: Mapping[str, Any], unsecured: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(canonical_json(proof_options)).digest() + hashlib.sha256(canonical_json(unsecured)).digest()


def sign(document: Mapping[str, Any], key: Ed25519PrivateKey, *, verification_method: str,
         created: datetime) -> dict[str, Any]:
    """A copy of ``document`` with an ``eddsa-jcs-2022`` proof in its ``proof`` list."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    if "@context" in unsecured:
        proof["@context"] = unsecured["@context"]
    signature = key.sign(_hash_data(proof, unsecured))
    proof["proofValue"] = "z" + base58btc_encode(signature)
    return {**unsecured, "proof": [proof]}


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking a document's proof; ``problem`` says why it failed."""

    valid: bool
    problem: str = ""
    verification_method: str = ""
    created: str = ""


def verify(document: Any, resolve_key: Callable[[str], Ed25519PublicKey | None]) -> ProofCheck:
    """Check the single ``eddsa-jcs-2022`` proof of ``document``.

    ``resolve_key`` maps a verification method URL to the issuer's public key, or None when the
    issuer does not publish that key.
    """
    if not isinstance(document, Mapping):
        return ProofCheck(False, "The document is not a JSON object.")
    proofs = document.get("proof")
    if isinstance(proofs, Mapping):
        proofs = [proofs]
    if not isinstance(proofs, list) or len(proofs) != 1 or not isinstance(proofs[0], Mapping):
        return ProofCheck(False, "The document does not carry exactly one proof.")
    proof = proofs[0]
    method = proof.get("verificationMethod")
    created = proof.get("created", "")
    if (proof.get("type"), proof.get("cryptosuite")) != (PROOF_TYPE, CRYPTOSUITE):
        return ProofCheck(False, f"The proof is not a {PROOF_TYPE} with the {CRYPTOSUITE} cryptosuite.")
    if proof.get("proofPurpose") != PROOF_PURPOSE or not isinstance(method, str):
        return ProofCheck(False, "The proof has no assertionMethod verification method.")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    # The cryptosuite lets a document's @context merely start with the signed one; an appended
    # context could change what the terms mean, so this verifier asks for the very same list.
    if "@context" in options and unsecured.get("@context") != options["@context"]:
        return ProofCheck(False, "The document's @context does not match its proof.", method, created)
    value = proof.get("proofValue")
    try:
        if not isinstance(value, str) or not value.startswith("z"):
            raise ValueError("proofValue must be multibase base58btc")
        signature = base58btc_decode(value[1:])
        message = _hash_data(options, unsecured)
    except (ValueError, TypeError) as exc:
        return ProofCheck(False, f"The proof cannot be read: {exc}.", method, created)
    key = resolve_key(method)
    if key is None:
        return ProofCheck(False, f"The signing key {method} is not one the issuer publishes.", method, created)
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return ProofCheck(False, "The signature does not match: the document was changed after signing.",
                          method, created)
    return ProofCheck(True, "", method, created)
