"""Where a deadline's subject is shown: apps that own subjects register a link maker, this app never imports them."""

from __future__ import annotations

from collections.abc import Callable

SubjectLink = Callable[[int], str]
_links: dict[str, SubjectLink] = {}
_labels: dict[str, str] = {}


def subject_register(subject_type: str, label: str, link: SubjectLink) -> None:
    """Name a subject type in Chinese and say which page shows one subject of it."""
    _links[subject_type] = link
    _labels[subject_type] = label


def subject_url(subject_type: str, subject_id: int) -> str:
    """The page of one subject, or "" when its app registered none."""
    link = _links.get(subject_type)
    return link(subject_id) if link else ""


def subject_label(subject_type: str) -> str:
    """The Chinese name of a subject type (e.g. 信访事项)."""
    return _labels.get(subject_type, subject_type)
