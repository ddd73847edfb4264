"""The Open Badges 3.0 credential and status documents, checked against the official schema."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from academy.domain import data_integrity as di
from academy.domain import open_badges as ob
from academy.domain.certification import Status
from academy.domain.credential_check import Verdict, check_credential

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "ob_v3p0_achievementcredential.schema.json").read_text())
SITE = ob.Site("https://academy.example")
KEY = Ed25519PrivateKey.generate()
KEY_ID = di.multikey(KEY.public_key())
ISSUED = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
CODE = "7KQ2-M9XD-4HWT-B8NC-R3VJ"


def facts(**changes) -> ob.CredentialFacts:
    values = dict(
        code=CODE, holder_name="Дмитрий Иванов", identity_hash=ob.identity_hash("dmitri@example.com", "c0ffee"),
        identity_salt="c0ffee", title="Certified Incident Responder", course_title="Incident Basics",
        course_summary="Recognise a major incident.", course_url=SITE.course_url("incident-basics"),
        criteria=ob.criteria_narrative("Incident Basics", module_quizzes=1, has_final=True, modules_read=1),
        score_percent=92, pass_mark=80, awarded_at=ISSUED - timedelta(days=700), valid_from=ISSUED,
        expires_at=ISSUED + timedelta(days=365),
        alignments=(ob.Alignment("Recognising a major incident", SITE.module_url("incident-basics", "recognise"),
                                 "Define a major incident; Explain priority", "recognise"),),
    )
    values.update(changes)
    return ob.CredentialFacts(**values)


def signed(document):
    return di.sign(document, KEY, verification_method=SITE.key_id(KEY_ID), created=ISSUED)


def resolve(method):
    return KEY.public_key() if method == SITE.key_id(KEY_ID) else None


def validate(document):
    jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER) \
        .validate(document)


def test_the_signed_credential_validates_against_the_open_badges_schema():
    credential = signed(ob.build_credential(facts(), SITE))
    validate(credential)
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {"id": "https://academy.example/issuer", "type": ["Profile"], "name": "MIM Academy",
                                    "url": "https://academy.example",
                                    "description": ob.ISSUER_DESCRIPTION}
    assert credential["id"] == f"https://academy.example/certificates/{CODE}.json"
    assert credential["credentialStatus"] == {"id": f"https://academy.example/certificates/{CODE}/status",
                                              "type": "1EdTechRevocationList"}


def test_dates_the_holder_the_achievement_and_the_score():
    credential = ob.build_credential(facts(), SITE)
    assert credential["validFrom"] == "2026-05-01T09:30:00Z"
    assert credential["validUntil"] == "2027-05-01T09:30:00Z"
    assert credential["awardedDate"] == "2024-05-31T09:30:00Z"
    subject = credential["credentialSubject"]
    email, name = subject["identifier"]
    assert email == {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "salt": "c0ffee",
                     "identityHash": ob.identity_hash("dmitri@example.com", "c0ffee")}
    assert email["identityHash"].startswith("sha256$") and "dmitri" not in json.dumps(credential)
    assert name["identityHash"] == "Дмитрий Иванов" and name["hashed"] is False
    achievement = subject["achievement"]
    assert achievement["name"] == "Certified Incident Responder"
    assert achievement["criteria"]["narrative"].startswith("Awarded to learners who completed the course")
    [alignment] = achievement["alignment"]
    assert alignment["targetName"] == "Recognising a major incident"
    assert alignment["targetUrl"] == "https://academy.example/courses/incident-basics/recognise"
    [result] = subject["result"]
    assert result["value"] == "92" and result["resultDescription"] == achievement["resultDescription"][0]["id"]
    assert achievement["resultDescription"][0]["requiredValue"] == "80"


def test_a_credential_without_expiry_or_score_still_validates():
    credential = signed(ob.build_credential(facts(expires_at=None, score_percent=None, alignments=()), SITE))
    validate(credential)
    assert "validUntil" not in credential and "result" not in credential["credentialSubject"]


def test_the_criteria_narrative_reads_naturally():
    assert ob.criteria_narrative("Basics", module_quizzes=1, has_final=True, modules_read=1) == (
        "Awarded to learners who completed the course “Basics”: they passed the module quiz, read the module "
        "that has no quiz and passed the final certification exam.")
    assert ob.criteria_narrative("Basics", module_quizzes=8, has_final=False, modules_read=2) == (
        "Awarded to learners who completed the course “Basics”: they passed all 8 module quizzes and read the "
        "2 modules that have no quiz.")


def test_the_identity_hash_is_the_open_badges_salted_sha256():
    assert ob.identity_hash("a@example.com", "salt") == \
        "sha256$" + __import__("hashlib").sha256(b"a@example.comsalt").hexdigest()


def test_the_issuer_profile_publishes_its_keys_as_multikeys():
    profile = ob.issuer_profile(SITE, [KEY_ID])
    [method] = profile["verificationMethod"]
    assert method == {"id": SITE.key_id(KEY_ID), "type": "Multikey", "controller": SITE.issuer_id,
                      "publicKeyMultibase": KEY_ID}
    assert profile["assertionMethod"] == [SITE.key_id(KEY_ID)]


def status(state=Status.VALID, **changes):
    values = dict(code=CODE, status=state, checked_at=ISSUED + timedelta(days=1),
                  expires_at=ISSUED + timedelta(days=365))
    values.update(changes)
    return signed(ob.build_status(ob.StatusFacts(**values), SITE))


NOW = ISSUED + timedelta(days=2)


def test_a_genuine_current_credential_passes_every_check():
    report = check_credential(signed(ob.build_credential(facts(), SITE)), resolve, now=NOW, status_document=status())
    assert report.valid, report.checks
    assert [c.name for c in report.checks] == ["signature", "dates", "status"]


def test_one_changed_character_is_detected():
    text = json.dumps(signed(ob.build_credential(facts(), SITE)), ensure_ascii=False)
    tampered = json.loads(text.replace('"value": "92"', '"value": "98"'))
    report = check_credential(tampered, resolve, now=NOW, status_document=status())
    assert not report.valid
    assert report.checks[0].verdict is Verdict.FAIL and "changed" in report.checks[0].message


def test_an_expired_credential_fails_the_date_check():
    report = check_credential(signed(ob.build_credential(facts(), SITE)), resolve,
                              now=ISSUED + timedelta(days=400), status_document=status(Status.EXPIRED))
    assert not report.valid and report.checks[1].message.startswith("Expired on 2027-05-01")


def test_a_revoked_credential_fails_the_status_check_with_the_reason():
    revoked = status(Status.REVOKED, reason="Reissued: name changed", replaced_by="AAAA-BBBB-CCCC-DDDD-EEEE")
    assert revoked["revokedCredentials"] == [{"id": SITE.credential_id(CODE),
                                              "revocationReason": "Reissued: name changed"}]
    report = check_credential(signed(ob.build_credential(facts(), SITE)), resolve, now=NOW, status_document=revoked)
    assert not report.valid
    assert "Reissued: name changed" in report.checks[2].message
    assert "https://academy.example/verify/AAAA-BBBB-CCCC-DDDD-EEEE" in report.checks[2].message


def test_a_forged_or_misplaced_status_document_is_refused():
    credential = signed(ob.build_credential(facts(), SITE))
    forged = {**status(Status.REVOKED), "revokedCredentials": []}
    assert "signature" in check_credential(credential, resolve, now=NOW, status_document=forged).checks[2].message
    other = status(code="AAAA-BBBB-CCCC-DDDD-EEEE")
    report = check_credential(credential, resolve, now=NOW, status_document=other)
    assert "another credential" in report.checks[2].message


def test_without_a_status_document_the_result_is_not_proven():
    report = check_credential(signed(ob.build_credential(facts(), SITE)), resolve, now=NOW)
    assert not report.valid and report.checks[2].verdict is Verdict.UNKNOWN


def test_a_key_named_by_the_document_but_not_controlled_by_its_issuer_is_not_trusted():
    credential = ob.build_credential(facts(), SITE)
    stranger = Ed25519PrivateKey.generate()
    forged = di.sign(credential, stranger, verification_method="https://evil.example/keys#k", created=ISSUED)
    report = check_credential(forged, lambda method: stranger.public_key(), now=NOW, status_document=status())
    assert report.checks[0].verdict is Verdict.FAIL


@pytest.mark.parametrize("document", [[], "text", {"type": ["VerifiableCredential"]}])
def test_things_that_are_not_credentials_are_reported(document):
    report = check_credential(document, resolve, now=NOW)
    assert not report.valid and report.checks[0].name == "format"


def test_the_site_finds_the_code_in_its_own_credential_ids_only():
    assert SITE.code_from_credential_id(SITE.credential_id(CODE)) == CODE
    assert SITE.code_from_credential_id("https://other.example/certificates/X.json") is None
