"""Quotes turned into what the API returns and the pages show (trace lines translated)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from fastapi import UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.principal import Principal
from avbase.core.errors import NotFound
from avbase.core.i18n import _, get_locale
from avbase.policy.catalogue import read_catalogue
from avbase.policy.facts import fact_label, fact_value
from avbase.policy.models import Attachment
from avbase.policy.rules import Quote, Step
from avbase.policy.schemas import QuoteOut, StepOut
from avbase.settings import get_settings
from avbase.web.uploads import with_upload


def step_text(step: Step) -> str:
    """A trace line in the reader's language, with facts, choices and measures named, not coded."""
    return _(step.msgid, **readable_params(step.params))


def stored_step(step: Step) -> dict[str, object]:
    """A trace step as it is kept with an application: the message and its values, not text in one
    language, so each reader sees it in theirs."""
    plain = (str, int, float, bool, type(None))
    return {
        "msgid": step.msgid,
        "params": {k: v if isinstance(v, plain) else str(v) for k, v in step.params.items()},
    }


def trace_lines(trace: Sequence[object]) -> list[str]:
    """A stored trace in the reader's language (applications submitted before steps were stored kept the
    submitter's text, shown as it is)."""
    return [
        step_text(Step(str(entry["msgid"]), entry.get("params") or {}))
        if isinstance(entry, dict)
        else str(entry)
        for entry in trace
    ]


def readable_params(params: Mapping[str, object]) -> dict[str, object]:
    shown = dict(params)
    fact = str(params.get("name", ""))
    for key in ("name", "numerator", "denominator"):
        if key in shown:
            shown[key] = fact_label(str(shown[key]))
    if "value" in shown:
        shown["value"] = fact_value(fact, shown["value"])
    if "eligible" in shown:
        shown["eligible"] = "、".join(fact_value(fact, v) for v in str(shown["eligible"]).split(", "))
    for key in ("winner", "measure", "id"):
        if key in shown:
            shown[key] = measure_title(str(shown[key]))
    return shown


@cache
def _titles() -> dict[str, tuple[str, str]]:
    return {m["id"]: (m["title_zh"], m["title_en"]) for m in read_catalogue()["measure"]}


def measure_title(measure_id: str) -> str:
    """A measure by its title (the catalogue's), never its slug."""
    titles = _titles().get(measure_id)
    if titles is None:
        return measure_id
    return titles[0] if get_locale() == "zh_Hans" else titles[1]


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
