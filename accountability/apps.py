"""App configuration for accountability."""

from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    """Deadlines, escalations and assessment measures."""

    name = "accountability"
    verbose_name = "时限与督办"

    def ready(self) -> None:
        from accountability import receivers  # noqa: F401
