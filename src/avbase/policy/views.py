"""Quotes turned into what the API returns and the pages show (trace lines translated)."""

from __future__ import annotations

from avbase.core.i18n import _
from avbase.policy.rules import Quote, Step
from avbase.policy.schemas import QuoteOut, StepOut


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
