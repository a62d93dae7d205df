"""App configuration for dashboard."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Read-only views for leaders."""

    name = "dashboard"
    verbose_name = "领导驾驶舱"

    def ready(self) -> None:
        from dashboard.navigation import register_entries
        from dashboard.queues import register_queues

        register_entries()
        register_queues()
