"""The platform's calendar: dates are local to the configured time zone (Asia/Shanghai by default)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from avbase.settings import get_settings


def today() -> date:
    """Today where the platform's users are, not in UTC: a period closes at local midnight."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()
