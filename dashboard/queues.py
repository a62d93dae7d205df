"""The leader's card of the day's numbers on 工作台 (今日数据), read from the dashboard's roll-ups."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accountability.measures import Period, measures_of
from core.choices import Role
from core.models import User
from core.queues import QueueFigure, QueuePage, queue_register
from dashboard.situation import clocks_due_now, received_between

ON_TIME_PROVIDER = "petitions.handling"  # the measure provider of 按期办结率 (petitions/measures.py)


def _items(**query: str) -> str:
    return f"{reverse('petitions:item_list')}?{urlencode(query)}"


def day_figures(user: User, limit: int) -> QueuePage:
    """Items of the leader's subtree received today, clocks due today and overdue now, and this year's on-time
    rate, each linking to the list behind it; the count is the overdue clocks. The same statements and roll-ups
    as the dashboard (its 本年 period), so the numbers agree with it."""
    unit, today = user.unit, timezone.localdate()
    overdue, due_today = clocks_due_now(unit, today)
    this_year = Period(today.replace(month=1, day=1), today, today)
    on_time = measures_of(ON_TIME_PROVIDER, [unit], this_year)[unit.pk][0]
    rate = (
        _("%(rate)s%%（%(on_time)s/%(due)s）")
        % {"rate": on_time.rate, "on_time": on_time.numerator, "due": on_time.denominator}
        if on_time.rate is not None
        else _("—（本年尚无到期事项）")
    )
    day = f"{today:%Y-%m-%d}"
    figures = [
        QueueFigure(
            _("今日新件"),
            str(received_between(unit, today, today)),
            _items(area=str(unit.pk), received_after=day, received_before=day),
        ),
        QueueFigure(_("今日到期"), str(due_today), _items(clock_unit=str(unit.pk), due_within="0")),
        QueueFigure(_("当前超期"), str(overdue), _items(clock_unit=str(unit.pk), overdue="true")),
        QueueFigure(_("本年按期办结率"), str(rate), reverse("dashboard:overview")),
    ]
    return QueuePage(_("今日数据"), overdue, figures=figures)


def register_queues() -> None:
    """The leader's figures card, after the leader's lists; the menu does not count it."""
    queue_register("dashboard.day_figures", {Role.LEADER}, day_figures, order=450, in_menu=False)
