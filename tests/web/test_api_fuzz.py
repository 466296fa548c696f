"""Property-based runs of every API operation from the OpenAPI spec: whatever is sent, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from avbase.app import create_app
from avbase.core.accounts.models import Organisation, OrgKind, Role, User


@pytest.mark.parametrize(("role", "examples"), [(Role.admin, 30), (Role.enterprise_staff, 15)])
def test_no_operation_answers_500(
    clean_engine: Engine,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    api_token: Callable[[User], dict[str, str]],
    role: Role,
    examples: int,
) -> None:
    """With an administrator's token and an enterprise's, beside rows of several kinds (low ids that the
    generated requests hit), so that references to rows that exist and rows that do not are both tried."""
    authority = make_org("浙江省广电局", kind=OrgKind.authority, region_code="330000")
    enterprise = make_org("影视公司", region_code="330106", managed_by=authority)
    headers = api_token(make_user(role=role, org=enterprise if role is Role.enterprise_staff else authority))
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", create_app(clean_engine, run_worker=False)
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    # Revoking tokens last keeps the admin's token usable for the other operations.
    operations.sort(key=lambda op: op.path.startswith("/api/v1/tokens/") and op.method.upper() == "DELETE")
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def never_500(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        never_500()
