"""Shapes shared by the chain's API and pages: a run as its reader may see it, uploads to paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fastapi import UploadFile

from avbase.chain.schemas import RunOut, StatementOut
from avbase.chain.settlement.models import SettlementRun
from avbase.chain.settlement.service import own_statements
from avbase.core.accounts.principal import Principal
from avbase.core.i18n import _
from avbase.web.uploads import with_upload

T = TypeVar("T")
STATEMENT_MAX_BYTES = 200 << 20


def run_out(run: SettlementRun, principal: Principal) -> RunOut:
    """The owner sees the whole run; a party sees its own statement, not the others' nor the trace."""
    owner = principal.is_admin or principal.org_id == run.org_id
    return RunOut(
        id=run.id,
        contract_id=run.contract_id,
        period=run.period,
        sequence=run.sequence,
        state=run.state.value,
        base=run.base if owner else None,
        statements=[StatementOut.model_validate(s) for s in own_statements(run, principal)],
        trace=[_(line["msgid"], **line["params"]) for line in run.trace] if owner else [],
    )


def with_two_uploads(first: UploadFile, second: UploadFile, use: Callable[[Path, str, Path, str], T]) -> T:
    return with_upload(
        first,
        STATEMENT_MAX_BYTES,
        lambda a, a_name: with_upload(
            second, STATEMENT_MAX_BYTES, lambda b, b_name: use(a, a_name, b, b_name)
        ),
    )
