"""App configuration for ledger."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """Key cases, screening rounds and sensitive periods."""

    name = "ledger"
    verbose_name = "重点台账与排查"

    def ready(self) -> None:
        from core.banners import banner_register
        from ledger.banners import sensitive_period_banners

        banner_register("ledger.sensitive_periods", sensitive_period_banners)
        from ledger.navigation import register_entries

        register_entries()
