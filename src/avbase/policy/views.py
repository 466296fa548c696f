"""Quotes turned into what the API returns and the pages show (trace lines translated)."""

from __future__ import annotations

from pathlib import Path

from fastapi import UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.principal import Principal
from avbase.core.errors import NotFound
from avbase.core.i18n import _
from avbase.policy.models import Attachment
from avbase.policy.rules import Quote, Step
from avbase.policy.schemas import QuoteOut, StepOut
from avbase.settings import get_settings
from avbase.web.uploads import with_upload


def step_text(step: Step) -> str:
    return _(step.msgid, **step.params)


def quote_out(quote: Quote) -> QuoteOut:
    return QuoteOut(
        measure=quote.measure_id,
        on=quote.on,
        eligible=quote.eligible,
        outcome=quote.outcome.value,
        amount=quote.amount,
        reason=step_text(quote.reason) if quote.reason else None,
        trace=[StepOut(text=step_text(s), msgid=s.msgid, params=dict(s.params)) for s in quote.trace],
    )


def store_evidence(
    session: Session, principal: Principal, application_id: int, evidence: str, upload: UploadFile
) -> Attachment:
    """Copies the upload to disk (size-limited) and hands it to :func:`applications.attach`; the copy is
    removed whatever happens, so a refused attachment leaves nothing behind."""
    from avbase.policy import applications

    limit = get_settings().attachment_max_mb << 20

    def attach(path: Path, name: str) -> Attachment:
        return applications.attach(
            session, principal, application_id, evidence=evidence, path=path, file_name=name
        )

    return with_upload(upload, limit, attach)


def evidence_file(
    session: Session, principal: Principal, application_id: int, attachment_id: int
) -> Response:
    from avbase.policy import applications

    application = applications.get_application(session, principal, application_id)
    found = next((a for a in application.attachments if a.id == attachment_id), None)
    if found is None or not storage.path_of(found.sha256).is_file():
        raise NotFound("Attachment not found.")
    return FileResponse(storage.path_of(found.sha256), media_type=found.media_type, filename=found.file_name)
