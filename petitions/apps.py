"""App configuration for petitions."""

from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    """Petitioners, items and their life cycle."""

    name = "petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from django.urls import reverse

        from accountability.subjects import subject_register
        from core.rollups import rollup_register
        from petitions.choices import ITEM_SUBJECT
        from petitions.measures import register_measures
        from petitions.navigation import register_entries
        from petitions.projections.rollups import (
            ITEM_MONTH_ROLLUP,
            ITEM_ROLLUP,
            REPLY_MONTH_ROLLUP,
            REPLY_ROLLUP,
        )
        from petitions.queues import register_queues

        rollup_register("items", ITEM_ROLLUP)
        rollup_register("replies", REPLY_ROLLUP)
        rollup_register("item_months", ITEM_MONTH_ROLLUP)
        rollup_register("reply_months", REPLY_MONTH_ROLLUP)
        register_entries()
        register_measures()
        register_queues()
        from petitions.selectors import items_describe

        subject_register(
            ITEM_SUBJECT, "信访事项", lambda pk: reverse("petitions:item_detail", args=[pk]), items_describe
        )
        from petitions.supervision_targets import register_supervision_targets

        register_supervision_targets()
