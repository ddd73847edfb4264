"""`flask --app app certificates ...`: reconcile, verify a credential offline, rotate the signing key."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import session_scope
from ..domain import data_integrity, open_badges
from ..domain.credential_check import Verdict, check_credential
from ..keystore import KeyStore
from ..models import utcnow
from ..services import certificates

certificates_cli = AppGroup("certificates", help="Certificates: reconcile, verify credentials, signing keys.")


def _site() -> open_badges.Site:
    return open_badges.Site(current_app.config["BASE_URL"])


def _keys() -> KeyStore:
    return KeyStore(current_app.config["SIGNING_KEY_DIR"])


@certificates_cli.command("reconcile")
def reconcile() -> None:
    """Issue every certificate that is due but missing, and say what was done."""
    with session_scope(current_app) as session:
        outcome = certificates.reconcile(session)
        for certificate in outcome.issued:
            what = "Renewed" if certificate.origin == "renewed" else "Issued"
            click.echo(f"{what} {certificate.code}: {certificate.title} for {certificate.holder_name} "
                       f"(user {certificate.user_id}).")
    issued = len(outcome.issued)
    click.echo(f"Checked {outcome.checked} enrolment{'s' if outcome.checked != 1 else ''}; "
               f"issued {issued} certificate{'s' if issued != 1 else ''}.")


def _read_json(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        click.echo(f"error: cannot read the {what} {path}: {exc}", err=True)
        sys.exit(1)


@certificates_cli.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--status", "status_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A status document downloaded from the credential's credentialStatus.id "
                   "(default: the status in this site's database).")
@click.option("--jwks", "jwks_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The issuer's keys downloaded from /.well-known/jwks.json (default: this site's key store).")
def verify(file: Path, status_file: Path | None, jwks_file: Path | None) -> None:
    """Check a signed credential FILE offline: signature, dates and status. Exit 0 when valid."""
    credential = _read_json(file, "credential")
    site = _site()
    if jwks_file is not None:
        resolve = _jwks_resolver(_read_json(jwks_file, "key set"))
    else:
        resolve = certificates.key_resolver(site, _keys())
    now = utcnow()
    if status_file is not None:
        status = _read_json(status_file, "status document")
    else:
        status = _status_from_database(credential, site, now)
    report = check_credential(credential, resolve, now=now, status_document=status)
    marks = {Verdict.OK: "ok  ", Verdict.FAIL: "FAIL", Verdict.UNKNOWN: "??  "}
    for check in report.checks:
        click.echo(f"{marks[check.verdict]} {check.name}: {check.message}")
    if report.valid:
        click.echo("VALID: the credential is genuine, current and not revoked.")
        return
    click.echo("NOT VALID: see the checks above.", err=True)
    sys.exit(1)


def _jwks_resolver(document):
    keys = {}
    for entry in (document.get("keys") if isinstance(document, dict) else None) or []:
        try:
            keys[entry["kid"]] = data_integrity.key_from_jwk(entry)
        except (KeyError, TypeError, ValueError):
            continue
    return lambda method: keys.get(method.rpartition("#")[2])


def _status_from_database(credential, site: open_badges.Site, now):
    """The signed status this site would serve for the credential, or None if it is not one of ours."""
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    code = site.code_from_credential_id(credential_id) if isinstance(credential_id, str) else None
    if code is None:
        return None
    with session_scope(current_app) as session:
        certificate = certificates.find(session, code)
        if certificate is None:
            return None
        return certificates.status_document(certificate, site, _keys(), now=now)


@certificates_cli.command("rotate-key")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def rotate_key(yes: bool) -> None:
    """Start signing with a new key. Old public keys stay published, so old credentials still verify."""
    keys = _keys()
    if not yes:
        click.confirm(f"Create a new signing key in {keys.directory} and retire the current one?", abort=True)
    old, new = keys.rotate()
    if old:
        click.echo(f"Retired {old} (still published for verification).")
    click.echo(f"New signing key {new}.")
    if len(keys.published()) > 1:
        click.echo("On several hosts, copy the key directory to each of them now.")
