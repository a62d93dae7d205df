"""App configuration for accountability."""

from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    """Deadlines, escalations and assessment measures."""

    name = "accountability"
    verbose_name = "时限与督办"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accountability import receivers

        post_migrate.connect(receivers.ladder_defaults_after_migrate, sender=self)

        from accountability.measures import measure_register, supervision_measures
        from accountability.navigation import inbox_link, register_entries
        from accountability.queues import register_queues
        from accountability.rollup import CLOCK_ROLLUP
        from core.banners import header_link_register
        from core.rollups import rollup_register

        rollup_register("clocks", CLOCK_ROLLUP)
        register_entries()
        register_queues()
        header_link_register("accountability.inbox", inbox_link)
        measure_register("accountability.supervision", supervision_measures, order=900)
