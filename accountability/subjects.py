"""Where a deadline's subject is shown and what it is called: apps that own subjects register a link maker and a
describer, this app never imports them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SubjectSummary:
    """How a notification names a subject: its number (信访件编号, 台账编号…) and a one-line summary."""

    reference: str
    summary: str


SubjectLink = Callable[[int], str]
SubjectDescriber = Callable[[list[int]], dict[int, SubjectSummary]]
_links: dict[str, SubjectLink] = {}
_labels: dict[str, str] = {}
_describers: dict[str, SubjectDescriber] = {}


def subject_register(
    subject_type: str, label: str, link: SubjectLink, describe: SubjectDescriber | None = None
) -> None:
    """Name a subject type in Chinese, say which page shows one subject of it and, with `describe`, how to read
    the number and one-line summary of many subjects at once (one query)."""
    _links[subject_type] = link
    _labels[subject_type] = label
    if describe is not None:
        _describers[subject_type] = describe


def subjects_describe(subjects: Iterable[tuple[str, int]]) -> dict[tuple[str, int], SubjectSummary]:
    """Number and summary of each (type, id), one query per type; a type without a describer is named by its label
    and id."""
    wanted: dict[str, set[int]] = {}
    for subject_type, subject_id in subjects:
        wanted.setdefault(subject_type, set()).add(subject_id)
    found: dict[tuple[str, int], SubjectSummary] = {}
    for subject_type, ids in wanted.items():
        describe = _describers.get(subject_type)
        described = describe(sorted(ids)) if describe else {}
        for subject_id in ids:
            found[(subject_type, subject_id)] = described.get(
                subject_id, SubjectSummary(f"{subject_label(subject_type)}#{subject_id}", "")
            )
    return found


def subject_url(subject_type: str, subject_id: int) -> str:
    """The page of one subject, or "" when its app registered none."""
    link = _links.get(subject_type)
    return link(subject_id) if link else ""


def subject_label(subject_type: str) -> str:
    """The Chinese name of a subject type (e.g. 信访事项)."""
    return _labels.get(subject_type, subject_type)


@dataclass(frozen=True)
class SupervisionTarget:
    """A subject a 督办单 or a 追责 record may name, as the user may see it: the unit that answers for it (the
    default 被督办单位), its number and a one-line summary."""

    subject_type: str
    subject_id: int
    unit_id: int
    reference: str
    summary: str


TargetFinder = Callable[[Any, str], "SupervisionTarget | None"]
TargetLocator = Callable[[Any, int], "SupervisionTarget | None"]


@dataclass(frozen=True)
class TargetKind:
    """One kind of subject a 督办单 is issued on (信访事项, 重点信访问题, 排查发现): its form field and its look-ups,
    both scoped to the user (a subject the user may not see is not found)."""

    field: str
    subject_type: str
    label: str
    hint: str
    find: TargetFinder
    locate: TargetLocator


_targets: dict[str, TargetKind] = {}


def supervision_target_register(kind: TargetKind) -> None:
    """Let 督办单 be issued on subjects of this kind; the form and the API offer one field per kind."""
    _targets[kind.field] = kind


def supervision_target_kinds() -> list[TargetKind]:
    """The kinds a 督办单 may be issued on, in the order they were registered."""
    return list(_targets.values())


def supervision_target_find(user: Any, field: str, reference: str) -> SupervisionTarget | None:
    """The subject the user typed the number of, if the user may see it."""
    kind = _targets.get(field)
    return kind.find(user, reference.strip()) if kind and reference.strip() else None


def supervision_target_locate(user: Any, subject_type: str, subject_id: int) -> SupervisionTarget | None:
    """One subject by its id, if its kind may carry a 督办单 and the user may see it."""
    kind = next((kind for kind in _targets.values() if kind.subject_type == subject_type), None)
    return kind.locate(user, subject_id) if kind else None
