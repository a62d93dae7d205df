"""Read models of items, kept by triggers and tasks for the lists and dashboards and never written by services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Unit
from petitions.choices import Channel, Purpose, Status
from petitions.models.items import Category, Item


class ItemReach(models.Model):
    """A unit that sees an item: each of the item's four units and every unit above them, one row per unit, with
    the item's columns the common list filters read (same names as on the item).

    Written only by triggers on the item and unit tables (migration 0009), in the writer's transaction. A user sees
    the items whose reach holds their own unit, so a list narrowed only by those filters, and its count, read one
    index range.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reach")
    received_on = models.DateField()
    status = models.CharField(max_length=15, choices=Status.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    obligation_due_on = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["unit", "-received_on", "-item"],
                include=["status", "channel", "obligation_due_on"],
                name="itemreach_newest_idx",
            ),
            # Overdue and due-soon lists, most pressing first: only items with an open obligation have a date.
            models.Index(
                fields=["unit", "obligation_due_on", "item"],
                include=["status", "channel"],
                condition=models.Q(obligation_due_on__isnull=False),
                name="itemreach_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.item_id}"


class ItemCounts(models.Model):
    """The counts of a roll-up row of items received: 件次, 人次, the four visit markers and repeats."""

    items = models.IntegerField(default=0)
    persons = models.IntegerField(default=0)
    collective = models.IntegerField(default=0)
    skip_level = models.IntegerField(default=0)
    to_beijing = models.IntegerField(default=0)
    to_province = models.IntegerField(default=0)
    repeats = models.IntegerField(default=0)

    class Meta:
        abstract = True


class ReplyCounts(models.Model):
    """The counts of a roll-up row of items answered: answered, evaluated, asked (evaluated or the window lapsed)
    and content."""

    replied = models.IntegerField(default=0)
    evaluated = models.IntegerField(default=0)
    asked = models.IntegerField(default=0)
    content = models.IntegerField(default=0)

    class Meta:
        abstract = True


# Writes fire database triggers: see docs/development/database.md (petitions_itemdaycount_to_month).
class ItemDayCount(ItemCounts):
    """The daily roll-up the leaders' pages count from: items received per unit, registering office, day, channel,
    category, purpose and current status, kept in step with the item table by a trigger (see
    petitions/projections/rollups.py).

    The unit is the item's 属地单位: its responsible unit; for a repeat without one, its original's; otherwise the
    unit that registered it.
    """

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    registered_unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        Category, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    status = models.CharField(max_length=15, choices=Status.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "day", "registered_unit", "channel", "category", "purpose", "status"],
                name="itemdaycount_key",
            ),
        ]
        # The key serves "this unit, these days"; the registering office and the day alone get an index each.
        indexes = [
            models.Index(fields=["registered_unit", "day"], name="itemdaycount_registered_idx"),
            models.Index(fields=["day"], name="itemdaycount_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.day}:{self.channel}:{self.status}={self.items}"


# Writes fire database triggers: see docs/development/database.md (petitions_itemreplycount_to_month).
class ItemReplyCount(ReplyCounts):
    """The daily roll-up of answered items by reply day: how many were evaluated, how many were asked (evaluated or
    let the window lapse) and how many were content, per unit (as ItemDayCount), registering office and channel."""

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    registered_unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "day", "registered_unit", "channel"], name="itemreplycount_key"
            ),
        ]
        indexes = [
            models.Index(fields=["registered_unit", "day"], name="itemreplycount_registered_idx"),
            models.Index(fields=["day"], name="itemreplycount_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.day}:{self.channel}={self.replied}"


class MonthFacet(models.TextChoices):
    """The breakdowns the monthly roll-up of items keeps, each on its own rows."""

    CHANNEL = "channel", _("信访形式")
    PURPOSE = "purpose", _("信访目的")
    CATEGORY = "category", _("内容分类（一级）")
    STATUS = "status", _("状态")
    REGISTERED = "registered", _("登记单位 × 信访形式")


# Writes fire database triggers: see docs/development/database.md (petitions_itemmonthcount_changed).
class ItemMonthCount(ItemCounts):
    """The monthly roll-up of items by month received, one breakdown per row, for views of several months.

    A day-grain row holds about one item at provincial scale, so a year's view would read as many rows as items;
    here a unit's month has a few dozen rows whatever its volume. `facet` says what `value` is: the channel, the
    purpose, the first-level category (its id), the status (all at the item's 属地单位), or, under
    `registered`, the channel at the registering office (`unit` is then that office). The item trigger keeps it in
    step with the item table, like the daily roll-ups.
    """

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    month = models.DateField()  # the first day of the month
    facet = models.CharField(max_length=10, choices=MonthFacet.choices)
    value = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "month", "facet", "value"], name="itemmonthcount_key"),
        ]
        indexes = [models.Index(fields=["month"], name="itemmonthcount_month_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.month:%Y-%m}:{self.facet}={self.value}:{self.items}"


class ItemReplyMonthCount(ReplyCounts):
    """The monthly roll-up of answered items by month answered, with the keys and counts of ItemReplyCount."""

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    registered_unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    month = models.DateField()  # the first day of the month
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "registered_unit", "channel"], name="itemreplymonthcount_key"
            ),
        ]
        indexes = [
            models.Index(fields=["registered_unit", "month"], name="itemreplymonth_registered_idx"),
            models.Index(fields=["month"], name="itemreplymonthcount_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.month:%Y-%m}:{self.channel}={self.replied}"


class ItemMonthChange(models.Model):
    """A month whose monthly roll-up of items changed since ItemSubtreeMonthCount last summed it (one row per change;
    the refresh deletes a month's rows in the transaction that sums it again)."""

    month = models.DateField(db_index=True)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ItemSubtreeMonthCount(ItemCounts):
    """ItemMonthCount summed over each unit's whole subtree (the unit and everything below it), so the dashboard of a
    city reads its own few hundred rows instead of every unit's.

    A periodic task sums the months named in ItemMonthChange; until it has, readers take those months from
    ItemMonthCount, so a count is never stale. The `registered` facet is not kept here.
    """

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    month = models.DateField()  # the first day of the month
    facet = models.CharField(max_length=10, choices=MonthFacet.choices)
    value = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "facet", "value"], name="itemsubtreemonthcount_key"
            ),
        ]
        indexes = [models.Index(fields=["month"], name="itemsubtreemonth_month_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.month:%Y-%m}:{self.facet}={self.value}:{self.items}"
