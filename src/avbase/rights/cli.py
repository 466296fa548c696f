"""``avbase rights …``: deposit certificates (verify, show, the platform's public key), works, matching."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from avbase.core.i18n import _
from avbase.industry.cli import AsUser, Json, principal_for
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


@rights_app.command("register")
def register_command(
    paths: Annotated[list[Path], typer.Argument(help="The work's files (video, audio).")],
    title: Annotated[str, typer.Option(help="The work's title.")],
    work_type: Annotated[
        str,
        typer.Option(
            "--type",
            help="film, series, episode, micro_drama, animation, documentary, variety, "
            "music, game_video or other.",
        ),
    ] = "film",
    holder: Annotated[
        list[str] | None,
        typer.Option(
            help="A rights holder and its share in percent, NAME=SHARE (repeatable; shares sum to "
            "100). Default: the registrant's organisation, 100 %."
        ),
    ] = None,
    creator: Annotated[
        list[str] | None, typer.Option(help="A creator, NAME or ROLE:NAME (e.g. 导演:李明); repeatable.")
    ] = None,
    registration_number: Annotated[
        str | None, typer.Option(help="The copyright office's registration number (作品登记号).")
    ] = None,
    registered_on: Annotated[
        str | None, typer.Option(help="The date the copyright office registered it, YYYY-MM-DD.")
    ] = None,
    series: Annotated[int | None, typer.Option(help="For an episode: the series' work id.")] = None,
    episode: Annotated[int | None, typer.Option(help="For an episode: its number.")] = None,
    wait: Annotated[bool, typer.Option(help="Analyse and fingerprint the files now.")] = False,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Register a work: its files become assets of your library, deposited under a signed certificate and
    fingerprinted so copies can be traced."""
    from datetime import date

    from avbase.core.db import get_engine, session_scope
    from avbase.core.errors import AvbaseError
    from avbase.rights import works
    from avbase.rights.models import WorkType

    for path in paths:
        if not path.is_file():
            raise AvbaseError("No file at {path}.", field="PATH", path=str(path))
    try:
        kind = WorkType(work_type)
    except ValueError as exc:
        raise AvbaseError("Unknown work type {type}.", field="type", type=work_type) from exc
    try:
        day = date.fromisoformat(registered_on) if registered_on else None
    except ValueError as exc:
        raise AvbaseError("Write the date as YYYY-MM-DD.", field="registered-on") from exc
    creators = []
    for entry in creator or []:
        role, colon, name = entry.partition(":")
        creators.append(
            {"role": role.strip(), "name": name.strip()} if colon else {"role": "", "name": role.strip()}
        )
    data = works.WorkIn(
        title=title,
        work_type=kind,
        creators=creators,
        holders=[works.HolderShare.parse(h) for h in holder or []],
        registration_number=registration_number,
        registered_on=day,
        parent_id=series,
        episode_number=episode,
    )
    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        if principal.user_id == 0:
            raise AvbaseError("Say who registers the work: --as USER.", field="as")
        work, certificate = works.register(session, principal, data, paths)
        work_id, number = work.id, certificate.number
    if wait:
        from avbase.core.jobs.worker import Worker

        Worker(get_engine()).run_until_idle()
    with session_scope(get_engine()) as session:
        from avbase.rights.models import Work

        found = session.get(Work, work_id)
        assert found is not None
        shown = works.work_json(session, found) | {"certificate_document": _document(session, number)}
    if json_out:
        emit_json(shown)
        return
    typer.echo(
        _("Work {id} “{title}” registered; certificate {number}.", id=work_id, title=title, number=number)
    )


def _document(session: Session, number: str) -> Any:
    import json

    from avbase.rights import certificates

    return json.loads(certificates.get_by_number(session, number).document)


@rights_app.command("works")
def works_command(as_user: AsUser = None, json_out: Json = False) -> None:
    """Registered works you may see, newest first."""
    from avbase.core.db import get_engine, session_scope
    from avbase.rights import works

    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        rows = [works.work_json(session, work) for work in works.list_works(session, principal)]
    if json_out:
        emit_json(rows)
        return
    emit_table(
        _("Registered works"),
        [_("Work"), _("Title"), _("Type"), _("Holders"), _("Certificate"), _("Assets")],
        [
            [
                r["id"],
                r["title"],
                r["type"],
                "、".join(f"{h['name']} {h['share']}%" for h in r["holders"]),
                r["certificate"] or "",
                len(r["assets"]),
            ]
            for r in rows
        ],
    )


@rights_app.command("match")
def match_command(
    target: Annotated[str, typer.Argument(help="A file, or the id of an asset in your library.")],
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Which registered works a file or asset copies, with the matching segments, best first (exit 0 also
    when nothing matches)."""
    from avbase.core.db import get_engine, session_scope
    from avbase.core.errors import AvbaseError
    from avbase.rights import tracing

    path = Path(target)
    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        if path.is_file():
            found = tracing.match_file(session, path)
        elif target.isdigit():
            found = tracing.match_asset(session, principal, int(target))
        else:
            raise AvbaseError(
                "No file at {path}, and not an asset id.", field="PATH_OR_ASSET_ID", path=target
            )
        rows = [m.to_json(disclosed=tracing.may_see_work(principal, m.work_org_id)) for m in found]
    if json_out:
        emit_json({"matches": rows})
        return
    emit_table(
        _("Matches"),
        [_("Work"), _("Title"), _("Work from–to"), _("Query from–to"), _("Score"), _("Matched by")],
        [
            [
                r["work_id"] or "",
                r["title"] or _("a registered work"),
                ""
                if r["reference_start"] is None
                else f"{r['reference_start']:.1f}–{r['reference_end']:.1f}",
                f"{r['query_start']:.1f}–{r['query_end']:.1f}",
                f"{r['score']:.2f}",
                r["modality"],
            ]
            for r in rows
        ],
    )


@rights_app.command("reindex")
def reindex_command(json_out: Json = False) -> None:
    """Rebuild the fingerprint index from the stored fingerprints of the registered works (after a
    restore, or when matching reports the index damaged; the same runs as a job then)."""
    from avbase.core.db import get_engine, session_scope
    from avbase.rights import tracing

    with session_scope(get_engine()) as session:
        result = tracing.rebuild_index(session)
    if json_out:
        emit_json(result)
        return
    typer.echo(
        _(
            "Fingerprint index rebuilt: {references} assets indexed, {waiting} awaiting fingerprints.",
            references=result["references"],
            waiting=result["waiting"],
        )
    )
