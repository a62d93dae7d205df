"""How a 督办单 or a 追责 record finds the key case or screening finding it is about, only among those the user
sees; findings are also named in lists (number and one-line summary)."""

from __future__ import annotations

from django.urls import reverse

from accountability.subjects import (
    SubjectSummary,
    SupervisionTarget,
    TargetKind,
    subject_register,
    supervision_target_register,
)
from core.selectors import AnyUser
from core.text import first_line
from ledger.choices import FINDING_SUBJECT, KEYCASE_SUBJECT
from ledger.models import Finding, KeyCase
from ledger.selectors import findings_for_user, keycase_qs_visible_to


def finding_reference(finding_id: int) -> str:
    """How a finding is numbered on pages (findings have no number of their own)."""
    return f"排查发现{finding_id}"


def _case_target(case: KeyCase) -> SupervisionTarget:
    return SupervisionTarget(KEYCASE_SUBJECT, case.pk, case.responsible_unit_id, case.number, case.title)


def _finding_target(finding: Finding) -> SupervisionTarget:
    summary = first_line(finding.description)
    return SupervisionTarget(
        FINDING_SUBJECT, finding.pk, finding.report.unit_id, finding_reference(finding.pk), summary
    )


def keycase_target_find(user: AnyUser, reference: str) -> SupervisionTarget | None:
    """The visible key case with this 台账编号."""
    case = keycase_qs_visible_to(user).filter(number=reference).first()
    return None if case is None else _case_target(case)


def keycase_target_locate(user: AnyUser, case_id: int) -> SupervisionTarget | None:
    """The visible key case with this id."""
    case = keycase_qs_visible_to(user).filter(pk=case_id).first()
    return None if case is None else _case_target(case)


def finding_target_locate(user: AnyUser, finding_id: int) -> SupervisionTarget | None:
    """The visible finding with this id."""
    finding = findings_for_user(user).filter(pk=finding_id).first()
    return None if finding is None else _finding_target(finding)


def finding_target_find(user: AnyUser, reference: str) -> SupervisionTarget | None:
    """The visible finding with this number (its id, with or without the 排查发现 prefix)."""
    digits = reference.removeprefix(finding_reference(0)[:-1]).strip()
    if not digits.isdigit() or len(digits) > 18:
        return None
    return finding_target_locate(user, int(digits))


def findings_describe(finding_ids: list[int]) -> dict[int, SubjectSummary]:
    """The number and first description line of each finding, in one query; unscoped like the other describers."""
    rows = Finding.objects.filter(pk__in=finding_ids).values_list("pk", "description")
    return {pk: SubjectSummary(finding_reference(pk), first_line(text)) for pk, text in rows}


def register_supervision_targets() -> None:
    """Let 督办单 be issued on key cases and screening findings, and name findings in lists."""
    subject_register(
        FINDING_SUBJECT,
        "排查发现",
        lambda pk: reverse("ledger:finding_list"),
        findings_describe,
    )
    supervision_target_register(
        TargetKind(
            field="key_case",
            subject_type=KEYCASE_SUBJECT,
            label="重点信访问题",
            hint="台账编号",
            find=keycase_target_find,
            locate=keycase_target_locate,
        )
    )
    supervision_target_register(
        TargetKind(
            field="finding",
            subject_type=FINDING_SUBJECT,
            label="排查发现",
            hint="排查发现编号",
            find=finding_target_find,
            locate=finding_target_locate,
        )
    )
