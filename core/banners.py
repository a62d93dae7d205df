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


@dataclass(frozen=True)
class HeaderLink:
    """A link in the page header with a count beside it (e.g. unread notifications)."""

    label: str
    url: str
    count: int
    test_id: str = ""


HeaderProvider = Callable[[User], HeaderLink | None]
_header_providers: dict[str, HeaderProvider] = {}


def header_link_register(name: str, provider: HeaderProvider) -> None:
    """Add (or replace, by name) a provider of one header link for signed-in pages."""
    _header_providers[name] = provider


def header_links_for(user: User) -> list[HeaderLink]:
    """The header links the registered providers give this user."""
    return [link for provider in _header_providers.values() if (link := provider(user)) is not None]
