"""App configuration for petitions."""

from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    """Petitioners, items and their life cycle."""

    name = "petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from petitions.navigation import register_entries

        register_entries()
