"""App configuration for core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Registers core's system checks, navigation entries and text lookups at start-up."""

    name = "core"
    verbose_name = "基础数据"

    def ready(self) -> None:
        from core import checks, navigation, signals  # noqa: F401
        from core.audit import signin_events  # noqa: F401
        from core.lookups import lookups_register

        navigation.register_core_entries()
        lookups_register()
