from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from avbase.settings import Settings


def test_toml_file_is_read_and_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "avbase.toml"
    config.write_text('port = 9100\nhost = "::1"\nsession_hours = 4\n')
    monkeypatch.setenv("AVBASE_CONFIG", str(config))
    monkeypatch.setenv("AVBASE_PORT", "9200")
    settings = Settings()
    assert settings.port == 9200  # environment over file
    assert settings.host == "::1"
    assert settings.session_hours == 4


def test_sqlite_under_var_dir_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVBASE_VAR_DIR", str(tmp_path))
    assert Settings().effective_database_url == f"sqlite:///{tmp_path.resolve() / 'avbase.db'}"


def test_postgresql_url_gets_psycopg_driver_and_password_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVBASE_DATABASE_URL", "postgresql://av:s3cret@db.internal:5432/avbase")
    settings = Settings()
    assert settings.effective_database_url.startswith("postgresql+psycopg://av:s3cret@")
    assert "s3cret" not in str(settings.public_dict())


def test_bad_values_are_rejected_with_the_field_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVBASE_DATABASE_URL", "mysql://x")
    with pytest.raises(ValidationError, match="database_url"):
        Settings()
    monkeypatch.delenv("AVBASE_DATABASE_URL")
    monkeypatch.setenv("AVBASE_PORT", "70000")
    with pytest.raises(ValidationError, match="port"):
        Settings()
