"""Page-wide banners: apps register providers (e.g. a running sensitive period) that every page shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.models import User


@dataclass(frozen=True)
class Banner:
    """One line across the top of every page: its text, a tone ("warning" or "info") and an optional link."""

    text: str
    tone: str = "warning"
    url: str = ""


BannerProvider = Callable[[User], list[Banner]]
_providers: dict[str, BannerProvider] = {}


def banner_register(name: str, provider: BannerProvider) -> None:
    """Add (or replace, by name) a provider called for every signed-in page."""
    _providers[name] = provider


def banners_for(user: User) -> list[Banner]:
    """Every registered provider's banners for this user, in registration order."""
    found: list[Banner] = []
    for provider in _providers.values():
        found += provider(user)
    return found
