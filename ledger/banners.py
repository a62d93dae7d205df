"""The sensitive-period banner shown on every page while a period is in force."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.banners import Banner
from core.models import User
from ledger.selectors import periods_running


def sensitive_period_banners(user: User) -> list[Banner]:
    """One banner per running period: name, dates, and the daily-report rule."""
    return [
        Banner(
            text=_("敏感时期：%(name)s（%(start)s至%(end)s），覆盖单位每日报送日报（含零报告）。")
            % {"name": period.name, "start": period.starts_on.isoformat(), "end": period.ends_on.isoformat()},
            tone="warning",
        )
        for period in periods_running()
    ]
