"""``avbase rights …``: deposit certificates (verify, show, the platform's public key), works, matching."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from avbase.core.i18n import _
from avbase.industry.cli import Json
from avbase.kit.output import emit_json, emit_table

rights_app = typer.Typer(
    help="Copyright services: works, deposit certificates, fingerprints, licences.", no_args_is_help=True
)

INVALID = 3  # exit status of `verify` when the file differs or the signature is not the platform's


@rights_app.command("verify")
def verify_command(
    file: Annotated[list[Path], typer.Argument(help="The deposited file(s), then the certificate (JSON).")],
    public_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--public-key",
            help="Trust this PEM public key (e.g. the platform's published key); repeatable. "
            "Without it the key of this installation is trusted.",
        ),
    ] = None,
    json_out: Json = False,
) -> None:
    """Check a deposit certificate offline: exit 0 when valid, 3 when a file differs or the signature is
    not the platform's, 2 when the input cannot be read."""
    from avbase.core.errors import AvbaseError
    from avbase.rights import certificates

    if len(file) < 2:
        raise AvbaseError("Give the file(s) and then the certificate.", field="FILE")
    *files, cert_path = file
    for path in [*files, cert_path]:
        if not path.is_file():
            raise AvbaseError("No file at {path}.", field="FILE", path=str(path))
    document = certificates.parse(cert_path.read_bytes())
    extra = [p.read_bytes() for p in public_key or []]
    if public_key:
        trusted = [certificates.load_public_key(pem) for pem in extra]
    else:
        trusted = certificates.trusted_keys()
    result = certificates.verify(document, files, trusted=trusted)
    if json_out:
        emit_json(result.to_json())
    else:
        body = document["certificate"]
        typer.echo(
            _(
                "Certificate {number} for “{title}”, issued {time}.",
                number=result.number,
                title=body["subject"].get("title", ""),
                time=body["time"],
            )
        )
        for entry in result.files:
            typer.echo(
                f"  {entry['sha256']}  {entry['name']}  "
                + (_("listed") if entry["listed"] else _("NOT LISTED"))
            )
        typer.echo(_("Signature valid.") if result.signature_valid else _("Signature NOT valid."))
        typer.echo(_("VALID") if result.valid else _("NOT VALID"))
    if not result.valid:
        raise typer.Exit(INVALID)


@rights_app.command("certificate")
def certificate_command(
    number: Annotated[str, typer.Argument(help="The certificate number, e.g. AVB-20261130-1A2B3C4D.")],
    out: Annotated[Path | None, typer.Option(help="Write the certificate JSON to this file.")] = None,
    json_out: Json = False,
) -> None:
    """Print a stored certificate (the exact signed JSON), or write it to a file."""
    from avbase.core.db import get_engine, session_scope
    from avbase.rights import certificates

    with session_scope(get_engine()) as session:
        document = certificates.get_by_number(session, number).document
    if out is not None:
        out.write_text(document, encoding="utf-8")
        if json_out:
            emit_json({"number": number, "file": str(out)})
        else:
            typer.echo(_("Certificate written to {path}.", path=str(out)))
        return
    print(document)


@rights_app.command("public-key")
def public_key_command(json_out: Json = False) -> None:
    """Print the platform's public key (PEM) and key id, to publish for offline verification."""
    from avbase.rights import certificates

    key = certificates.platform_key()
    if json_out:
        emit_json({"key_id": certificates.key_id(key), "public_key": certificates.public_key_pem(key)})
        return
    emit_table(_("Platform key"), [_("Key id")], [[certificates.key_id(key)]])
    print(certificates.public_key_pem(key), end="")
