"""Sections other apps add to a person's file page (信访人档案), registered at start-up like core.banners."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.safestring import SafeString

from core.models import User


@dataclass(frozen=True)
class FileSection:
    """A titled block of the file page, rendered by the app that owns what it shows."""

    title: str
    html: SafeString


# Given the reader and the ids of the person's items in their reach, a section (or None to show nothing).
FileSectionProvider = Callable[[User, list[int]], FileSection | None]
_providers: dict[str, FileSectionProvider] = {}


def file_section_register(name: str, provider: FileSectionProvider) -> None:
    """Add (or replace, by name) a provider asked for a section each time a file page is shown."""
    _providers[name] = provider


def file_sections_for(user: User, item_ids: list[int]) -> list[FileSection]:
    """Every registered provider's section for these items, in registration order."""
    found: list[FileSection] = []
    for provider in _providers.values():
        section = provider(user, item_ids)
        if section is not None:
            found.append(section)
    return found
