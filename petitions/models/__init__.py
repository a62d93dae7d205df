"""Petition models: the domain (items) and the read models kept from it for lists and dashboards."""

from petitions.models.items import (
    Attachment,
    Category,
    Document,
    DocumentCounter,
    ExtensionRequest,
    Item,
    ItemEvent,
    ItemPetitioner,
    Petitioner,
    attachment_path,
)
from petitions.models.read_models import (
    ItemCounts,
    ItemDayCount,
    ItemMonthChange,
    ItemMonthCount,
    ItemReach,
    ItemReplyCount,
    ItemReplyMonthCount,
    ItemSubtreeMonthCount,
    MonthFacet,
    ReplyCounts,
)

__all__ = [
    "Attachment",
    "Category",
    "Document",
    "DocumentCounter",
    "ExtensionRequest",
    "Item",
    "ItemCounts",
    "ItemDayCount",
    "ItemEvent",
    "ItemMonthChange",
    "ItemMonthCount",
    "ItemPetitioner",
    "ItemReach",
    "ItemReplyCount",
    "ItemReplyMonthCount",
    "ItemSubtreeMonthCount",
    "MonthFacet",
    "Petitioner",
    "ReplyCounts",
    "attachment_path",
]
