"""A real server on a SQLite file, for tests of what only a running server shows."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from avbase.app import create_app
from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.schemas import TokenIn
from avbase.core.accounts.service import create_api_token
from avbase.core.db import make_engine, session_factory
from avbase.core.migrate import upgrade
from tests.conftest import _PASSWORD_HASH

LiveServer = tuple[str, Path, dict[str, str]]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server on its own SQLite file, in a thread; yields its address, the database file and an
    administrator's token."""
    database = tmp_path / "live.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    with session_factory(engine)() as session:
        session.add(org := Organisation(name="Platform", kind=OrgKind.other, region_code="330000"))
        session.flush()
        user = User(username="ops", display_name="Ops", password_hash=_PASSWORD_HASH, role=Role.admin)
        user.org_id = org.id
        session.add(user)
        session.flush()
        secret, _token = create_api_token(session, user=user, data=TokenIn(name="live"))
        session.commit()
    app = create_app(engine, run_worker=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}", database, {"Authorization": f"Bearer {secret}"}
    server.should_exit = True
    thread.join(10)
    engine.dispose()
