"""Test fixtures on real databases: every test that takes ``engine`` runs on SQLite and on PostgreSQL.

PostgreSQL: ``AVBASE_TEST_PG_URL`` (default: the local server on 127.0.0.1:5432 as ``postgres``). Each run
creates a throw-away database and drops it afterwards. In CI (``CI`` set) an unreachable server fails the run;
elsewhere the PostgreSQL half is skipped with a notice in the summary.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Settings are read once; point them at a scratch folder before avbase is imported anywhere.
_SCRATCH = Path(tempfile.mkdtemp(prefix="avbase-test-"))
os.environ["AVBASE_VAR_DIR"] = str(_SCRATCH / "var")
os.environ["AVBASE_CONFIG"] = str(_SCRATCH / "absent.toml")
os.environ.pop("AVBASE_DATABASE_URL", None)
# Workers' idle scans would notify the users of whichever test ran them; notification tests scan on purpose.
os.environ["AVBASE_NOTIFY_SCAN_MINUTES"] = "0"

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from avbase.app import create_app
from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.passwords import hash_password
from avbase.core.db import Base, make_engine, session_factory
from avbase.core.migrate import upgrade
from avbase.models import import_all_models

import_all_models()

PG_URL = os.environ.get("AVBASE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct-horse-42"
# One hash for every factory user: argon2 is deliberately slow and tests make many users.
_PASSWORD_HASH = hash_password(PASSWORD)
_skipped_pg: list[str] = []


def _pg_admin() -> psycopg.Connection[Any]:
    return psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)


@contextmanager
def throwaway_pg_engine(prefix: str = "avbase_test") -> Iterator[Engine]:
    """An engine on a PostgreSQL database made for the caller and dropped afterwards (schema not made).
    In CI an unreachable server fails the test; elsewhere it is skipped (and noted in the summary)."""
    try:
        admin = _pg_admin()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_URL}: {exc}")
        _skipped_pg.append(str(exc).splitlines()[0])
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]*$", f"/{name}", PG_URL).replace("postgresql://", "postgresql+psycopg://", 1)
    eng = make_engine(url)
    try:
        yield eng
    finally:
        eng.dispose()
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        eng = make_engine(f"sqlite:///{path}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    with throwaway_pg_engine() as eng:
        upgrade(eng)
        yield eng


@pytest.fixture(params=["sqlite", "postgresql"])
def bare_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database (no schema: a migration test upgrades it to the revision it starts from), on
    SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield eng
        eng.dispose()
        return
    with throwaway_pg_engine("avbase_mig") as eng:
        yield eng


def downgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    from avbase.core.migrate import alembic_config

    config = alembic_config()
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":  # as upgrade(): a rebuilt table must not cascade to its rows
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


def wipe(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture
def clean_engine(engine: Engine) -> Iterator[Engine]:
    """The engine, emptied after the test: tests commit for real, as the app does."""
    yield engine
    wipe(engine)


@pytest.fixture
def db(clean_engine: Engine) -> Iterator[Session]:
    session = session_factory(clean_engine)()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def make_org(db: Session) -> Callable[..., Organisation]:
    def make(
        name: str | None = None,
        *,
        kind: OrgKind = OrgKind.enterprise,
        region_code: str = "330106",
        managed_by: Organisation | None = None,
    ) -> Organisation:
        org = Organisation(
            name=name or f"Org {uuid.uuid4().hex[:8]}",
            kind=kind,
            region_code=region_code,
            managed_by_id=managed_by.id if managed_by else None,
        )
        db.add(org)
        db.commit()
        return org

    return make


@pytest.fixture
def make_user(db: Session, make_org: Callable[..., Organisation]) -> Callable[..., User]:
    def make(
        username: str | None = None,
        *,
        role: Role = Role.enterprise_staff,
        org: Organisation | None = None,
        locale: str | None = None,
    ) -> User:
        user = User(
            username=username or f"u{uuid.uuid4().hex[:8]}",
            display_name="Test User",
            password_hash=_PASSWORD_HASH,
            role=role,
            org_id=(org or make_org()).id,
            locale=locale,
        )
        db.add(user)
        db.commit()
        return user

    return make


@pytest.fixture
def client(clean_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(clean_engine, run_worker=False), base_url="http://testserver") as test_client:
        yield test_client


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token for later form posts."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return csrf_from(client.get("/").text)


@pytest.fixture
def api_token(db: Session) -> Callable[[User], dict[str, str]]:
    from avbase.core.accounts.schemas import TokenIn
    from avbase.core.accounts.service import create_api_token

    def make(user: User) -> dict[str, str]:
        secret, _token = create_api_token(db, user=user, data=TokenIn(name="tests"))
        db.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped_pg:
        terminalreporter.write_sep("!", "PostgreSQL tests SKIPPED: " + _skipped_pg[0], yellow=True)


# The shared corpus sits beside the checkout (../shared); AVBASE_CORPUS_DIR points elsewhere when it does not.
CANDIDATES = [
    Path(os.environ["AVBASE_CORPUS_DIR"]) if os.environ.get("AVBASE_CORPUS_DIR") else None,
    Path(__file__).resolve().parents[2] / "shared" / "corpus" / "media",
    Path("/work/shared/corpus/media"),
]


def find_corpus() -> Path | None:
    return next((c for c in CANDIDATES if c is not None and c.is_dir()), None)


@pytest.fixture
def corpus() -> Path:
    """The shared real media (always present in CI; skipped elsewhere when absent)."""
    found = find_corpus()
    if found is not None:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"the shared corpus is missing; looked in {[str(c) for c in CANDIDATES if c]}")
    pytest.skip("../shared/corpus is not here")


def run_cli(
    var_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 180
) -> subprocess.CompletedProcess[str]:
    """``avbase ARGS`` as an operator runs it: its own process, its own data folder, English messages."""
    full_env = {key: value for key, value in os.environ.items() if key != "AVBASE_DATABASE_URL"}
    full_env.update({"AVBASE_VAR_DIR": str(var_dir), "AVBASE_LOCALE": "en", **(env or {})})
    command = [sys.executable, "-m", "avbase.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=full_env, timeout=timeout)


def init_with_studio(var_dir: Path) -> None:
    """``avbase init`` and one enterprise, "Studio", written straight into the new database."""
    assert run_cli(var_dir, "init").returncode == 0
    engine = make_engine(f"sqlite:///{var_dir / 'avbase.db'}")
    with engine.begin() as connection:
        connection.execute(
            Organisation.__table__.insert().values(
                name="Studio", kind=OrgKind.enterprise, region_code="330106"
            )
        )
    engine.dispose()
