"""Web pages of the script exchange: the catalogue (and recommendation list), a script's page with coverage,
read requests and interest, and the reading room's watermarked PDF."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from avbase.chain.scripts import service
from avbase.chain.scripts.models import COVERAGE_CRITERIA, InterestKind, Recommendation, WorkKind
from avbase.core.accounts.models import User
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.media.documents import DOCUMENT_MAX_BYTES
from avbase.web.deps import Db, PagePrincipal
from avbase.web.forms import FormFields
from avbase.web.limits import upload_body
from avbase.web.pdf import pdf_response, render_pdf
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, render
from avbase.web.uploads import with_upload

router = APIRouter(prefix="/scripts")
add_template_dir(Path(__file__).resolve().parent / "templates")


@router.get("")
def catalogue(
    request: Request, db: Db, principal: PagePrincipal, kind: str | None = None, genre: str | None = None,
    q: str | None = None, order: str = "recent",
) -> Response:  # fmt: skip
    chosen = WorkKind(kind) if kind and kind in WorkKind.__members__ else None
    entries = service.catalogue(
        db, kind=chosen, genre=(genre or "").strip()[:40] or None, text=(q or "").strip()[:100] or None,
        order="score" if order == "score" else "recent",
    )  # fmt: skip
    return render(
        request, "scripts/catalogue.html",
        {"entries": entries, "kind": chosen, "genre": genre or "", "q": q or "", "order": order},
    )  # fmt: skip


@router.post("", max_body_size=upload_body(DOCUMENT_MAX_BYTES))
def deposit(
    db: Db, principal: PagePrincipal, file: UploadFile = File(...), title: str = Form(""),
    genre: str = Form(""), logline: str = Form(""), synopsis: str = Form(""), kind: str = Form("script"),
) -> Response:  # fmt: skip
    work_kind = WorkKind.literary if kind == "literary" else WorkKind.script

    def store(path: Path, name: str) -> int:
        script, _certificate = service.deposit(
            db, principal, path, title=title, file_name=name, kind=work_kind, genre=genre[:40],
            logline=logline[:300], synopsis=synopsis[:5000] or None,
        )  # fmt: skip
        return script.id

    script_id = with_upload(file, DOCUMENT_MAX_BYTES, store)
    return RedirectResponse(f"/scripts/{script_id}", status_code=303)


@router.get("/{script_id}")
def script_page(request: Request, db: Db, principal: PagePrincipal, script_id: RowId) -> Response:
    script = service.visible_script(db, principal, script_id)
    coverage, means = service.coverage_of(db, principal, script.id)
    requests = service.read_requests(db, principal, script.id)
    people = {c.expert_id for c in coverage} | {r.reader_id for r in requests}
    named = db.execute(select(User.id, User.display_name).where(User.id.in_(people))).all() if people else []
    names = {user_id: name for user_id, name in named}
    author_side = service.author_side(principal, script)
    literary = script.kind is WorkKind.literary
    matches = service.adaptation_matches(db, principal, script.id) if literary else []
    return render(
        request,
        "scripts/script.html",
        {
            "s": script, "coverage": coverage, "means": means, "criteria": COVERAGE_CRITERIA,
            "recommendations": list(Recommendation),
            "requests": requests, "names": names,
            "author_side": author_side, "may_read": service.may_read(db, principal, script),
            "interested": service.interested(db, script.id), "is_expert": principal.role.value == "reviewer",
            "matches": matches,
        },
    )  # fmt: skip


@router.post("/{script_id}/requests")
def request_read(db: Db, principal: PagePrincipal, script_id: RowId, form: FormFields) -> Response:
    service.request_read(db, principal, script_id, form.get("message"))
    return RedirectResponse(f"/scripts/{script_id}", status_code=303)


@router.post("/{script_id}/requests/{request_id}")
def decide(
    db: Db, principal: PagePrincipal, script_id: RowId, request_id: RowId, form: FormFields
) -> Response:
    service.decide_read(db, principal, request_id, admit=form.get("decision") == "admit")
    return RedirectResponse(f"/scripts/{script_id}#requests", status_code=303)


@router.post("/{script_id}/coverage")
def coverage(db: Db, principal: PagePrincipal, script_id: RowId, form: FormFields) -> Response:
    scores: dict[str, int] = {}
    for criterion in COVERAGE_CRITERIA:
        raw = form.get(criterion, "")
        if not raw.isdigit():
            raise AvbaseError("Score {criterion} from 1 to 10.", field=criterion, criterion=criterion)
        scores[criterion] = int(raw)
    try:
        recommendation = Recommendation(form.get("recommendation", ""))
    except ValueError as exc:
        raise AvbaseError("Choose a recommendation.", field="recommendation") from exc
    service.write_coverage(
        db,
        principal,
        script_id,
        scores=scores,
        recommendation=recommendation,
        comments=form.get("comments") or None,
    )
    return RedirectResponse(f"/scripts/{script_id}#coverage", status_code=303)


@router.post("/{script_id}/interest")
def interest(db: Db, principal: PagePrincipal, script_id: RowId, form: FormFields) -> Response:
    kind = (
        InterestKind(form["kind"]) if form.get("kind") in InterestKind.__members__ else InterestKind.interest
    )
    service.mark_interest(db, principal, script_id, kind, form.get("note") or None)
    return RedirectResponse(f"/scripts/{script_id}", status_code=303)


@router.get("/{script_id}/read.pdf")
def read_pdf(db: Db, principal: PagePrincipal, script_id: RowId) -> Response:
    """The reading room: the full text as a PDF marked with the reader's name on every page."""
    script, lines = service.full_text(db, principal, script_id)
    content = render_pdf(
        "scripts/read_pdf.html",
        {"title": script.title, "script": script, "lines": lines, "mark": service.watermark(principal),
         "heading": _("Confidential reading copy")},
    )  # fmt: skip
    return pdf_response(content, f"script-{script.id}.pdf")
