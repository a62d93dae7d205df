"""Serializers of the ledger API: key cases with their progress, screening, sensitive periods.

Key cases name people by their user names only; linked petition items travel as numbers, never with petitioners.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accountability.selectors import DeadlineView
from core.api.serializers import VersionSerializer
from ledger.choices import OPEN_CASE_STATUSES, CaseStatus, FocusArea, RiskLevel, Source
from ledger.models import (
    DailyReport,
    Finding,
    KeyCase,
    ProgressReport,
    ScreeningReport,
    ScreeningRound,
    SensitivePeriod,
    StrikeOffRequest,
)
from ledger.services.keycases import KeyCaseInput
from ledger.services.screening import FindingInput, ReportInput


def _today() -> date:
    return timezone.localdate()


# --- key cases: reads -----------------------------------------------------------------------------------------


class CaseDeadlineSerializer(serializers.Serializer[DeadlineView]):
    """The case's 化解时限 on the clock engine."""

    kind = serializers.CharField(source="deadline.rule_id")
    label = serializers.CharField(source="deadline.rule.label")  # type: ignore[assignment]  # the API field is named "label"
    starts_on = serializers.DateField(source="deadline.starts_on")
    due_on = serializers.DateField(source="deadline.due_on")
    status = serializers.CharField(source="deadline.status")
    calendar_days_left = serializers.IntegerField()
    working_days_left = serializers.IntegerField()
    overdue = serializers.BooleanField()


class ProgressReportSerializer(serializers.ModelSerializer[ProgressReport]):
    """One progress report (or a correction of an earlier one)."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    author_name = serializers.CharField(source="author.full_name", read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "reported_on",
            "unit",
            "unit_name",
            "author_name",
            "done",
            "next_step",
            "status_before",
            "status_after",
            "corrects",
            "created_at",
        ]
        read_only_fields = fields


class StrikeOffRequestSerializer(serializers.ModelSerializer[StrikeOffRequest]):
    """A strike-off (销号) request and its decision."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    requested_by_name = serializers.CharField(source="requested_by.full_name", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.full_name", read_only=True, default=None)

    class Meta:
        model = StrikeOffRequest
        fields = [
            "id",
            "requested_on",
            "requested_by_name",
            "reason",
            "state",
            "state_label",
            "decided_on",
            "decided_by_name",
            "decision_note",
        ]
        read_only_fields = fields


class KeyCaseListSerializer(serializers.ModelSerializer[KeyCase]):
    """A key case as a ledger row: who owns it, who runs it, how long is left, when progress was last reported."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    risk_level_label = serializers.CharField(source="get_risk_level_display", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True)
    responsible_person_name = serializers.CharField(
        source="responsible_person.full_name", read_only=True, default=None
    )
    stabilizing_unit_name = serializers.CharField(
        source="stabilizing_unit.name", read_only=True, default=None
    )
    days_left = serializers.SerializerMethodField(
        help_text="距化解时限的日数（负数为已超期）；已化解或已销号为空"
    )
    overdue = serializers.BooleanField(source="is_overdue", read_only=True, default=False)
    stale = serializers.BooleanField(
        source="is_stale", read_only=True, default=False, help_text="超过7日无进展"
    )
    item_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = KeyCase
        fields = [
            "id",
            "number",
            "title",
            "group_concerned",
            "source",
            "source_label",
            "head_count",
            "risk_level",
            "risk_level_label",
            "status",
            "status_label",
            "office",
            "office_name",
            "owner",
            "owner_name",
            "responsible_unit",
            "responsible_unit_name",
            "responsible_person",
            "responsible_person_name",
            "stabilizing_unit",
            "stabilizing_unit_name",
            "measures",
            "opened_on",
            "resolve_by",
            "days_left",
            "overdue",
            "last_progress_on",
            "stale",
            "item_count",
            "version",
        ]
        read_only_fields = fields

    def get_days_left(self, case: KeyCase) -> int | None:
        if case.status not in OPEN_CASE_STATUSES:
            return None
        return (case.resolve_by - timezone.localdate()).days


class KeyCaseDetailSerializer(KeyCaseListSerializer):
    """A key case with its deadline, linked item numbers, progress reports and strike-off requests."""

    items = serializers.SerializerMethodField(help_text="关联信访事项编号")
    deadline = serializers.SerializerMethodField()
    progress_reports = serializers.SerializerMethodField()
    strike_off_requests = serializers.SerializerMethodField()

    class Meta(KeyCaseListSerializer.Meta):
        fields = [
            *KeyCaseListSerializer.Meta.fields,
            "problem",
            "source_note",
            "resolved_on",
            "struck_off_on",
            "created_at",
            "updated_at",
            "items",
            "deadline",
            "progress_reports",
            "strike_off_requests",
        ]
        read_only_fields = fields

    def get_items(self, case: KeyCase) -> list[str]:
        return list(self.context["items"])

    @extend_schema_field(CaseDeadlineSerializer(allow_null=True))
    def get_deadline(self, case: KeyCase) -> dict[str, Any] | None:
        view = self.context["deadline"]
        return None if view is None else CaseDeadlineSerializer(view).data  # type: ignore[return-value]

    @extend_schema_field(ProgressReportSerializer(many=True))
    def get_progress_reports(self, case: KeyCase) -> list[dict[str, Any]]:
        return ProgressReportSerializer(self.context["progress"], many=True).data  # type: ignore[return-value]

    @extend_schema_field(StrikeOffRequestSerializer(many=True))
    def get_strike_off_requests(self, case: KeyCase) -> list[dict[str, Any]]:
        return StrikeOffRequestSerializer(self.context["strike_offs"], many=True).data  # type: ignore[return-value]


# --- key cases: writes ----------------------------------------------------------------------------------------


class KeyCaseFieldsSerializer(serializers.Serializer[dict[str, Any]]):
    """The fields a section head fills in to put a problem on the ledger (shared by create and promote)."""

    title = serializers.CharField(max_length=100)
    problem = serializers.CharField(max_length=2000)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    owner = serializers.IntegerField(help_text="包案领导（用户编号）")
    responsible_unit = serializers.IntegerField()
    measures = serializers.CharField(max_length=2000)
    resolve_by = serializers.DateField(help_text="化解时限")
    group_concerned = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    source_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    head_count = serializers.IntegerField(min_value=0, required=False, default=0)
    responsible_person = serializers.IntegerField(required=False, allow_null=True, default=None)
    stabilizing_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    opened_on = serializers.DateField(required=False, allow_null=True, default=None)
    items = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="关联信访事项（编号为 id）"
    )

    def to_input(self, source: str) -> KeyCaseInput:
        data = self.validated_data
        return KeyCaseInput(
            title=data["title"],
            problem=data["problem"],
            source=source,
            risk_level=data["risk_level"],
            owner_id=data["owner"],
            responsible_unit_id=data["responsible_unit"],
            measures=data["measures"],
            resolve_by=data["resolve_by"],
            group_concerned=data["group_concerned"],
            source_note=data["source_note"],
            head_count=data["head_count"],
            responsible_person_id=data["responsible_person"],
            stabilizing_unit_id=data["stabilizing_unit"],
            opened_on=data["opened_on"],
            item_ids=list(data["items"]),
        )


class KeyCaseCreateSerializer(KeyCaseFieldsSerializer):
    """POST /api/v1/ledger/key-cases/: put a problem on the ledger (列入台账)."""

    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]  # the API field is named "source"


class KeyCaseUpdateSerializer(VersionSerializer):
    """PATCH: the description fields only; owner, units, deadline and status each have their own action."""

    title = serializers.CharField(max_length=100, required=False)
    problem = serializers.CharField(max_length=2000, required=False)
    group_concerned = serializers.CharField(max_length=50, required=False, allow_blank=True)
    source = serializers.ChoiceField(choices=Source.choices, required=False)  # type: ignore[assignment]  # API field name
    source_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    head_count = serializers.IntegerField(min_value=0, required=False)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    measures = serializers.CharField(max_length=2000, required=False)


class CaseAssignSerializer(VersionSerializer):
    """Change any of the owning leader, responsible unit and person, stabilizing unit; omitted ones stay."""

    owner = serializers.IntegerField(required=False, allow_null=True, default=None)
    responsible_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    responsible_person = serializers.IntegerField(required=False, allow_null=True, default=None)
    stabilizing_unit = serializers.IntegerField(required=False, allow_null=True, default=None)


class SetDeadlineSerializer(VersionSerializer):
    resolve_by = serializers.DateField(help_text="新的化解时限")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LinkItemsSerializer(VersionSerializer):
    items = serializers.ListField(child=serializers.IntegerField(), min_length=1)


class ProgressSerializer(VersionSerializer):
    """A progress report; with `corrects` it is a correction of an earlier report (reports are never edited)."""

    reported_on = serializers.DateField(default=_today)
    done = serializers.CharField(max_length=2000)
    next_step = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    status_after = serializers.ChoiceField(
        choices=CaseStatus.choices, required=False, allow_null=True, default=None
    )
    corrects = serializers.IntegerField(required=False, allow_null=True, default=None)


class StrikeOffAskSerializer(VersionSerializer):
    on = serializers.DateField(default=_today)
    reason = serializers.CharField(max_length=2000)


class StrikeOffDecisionSerializer(VersionSerializer):
    """Approve (已销号), or refuse with a note and a new 化解时限 (back to 化解中)."""

    approve = serializers.BooleanField()
    on = serializers.DateField(default=_today)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    new_resolve_by = serializers.DateField(required=False, allow_null=True, default=None)


# --- screening ------------------------------------------------------------------------------------------------


class ScreeningRoundSerializer(serializers.ModelSerializer[ScreeningRound]):
    """A round with counts of the reports due from the caller's subtree."""

    frequency_label = serializers.CharField(source="get_frequency_display", read_only=True)
    due_count = serializers.IntegerField(read_only=True)
    filed_count = serializers.IntegerField(read_only=True)
    late_count = serializers.IntegerField(read_only=True)
    missing_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ScreeningRound
        fields = [
            "id",
            "frequency",
            "frequency_label",
            "period_start",
            "period_end",
            "opened_at",
            "due_count",
            "filed_count",
            "late_count",
            "missing_count",
        ]
        read_only_fields = fields


class RoundReportRowSerializer(serializers.ModelSerializer[ScreeningReport]):
    """Who filed, who filed late, who has not filed."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    filed_by_name = serializers.CharField(source="filed_by.full_name", read_only=True, default=None)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True, default=False)
    finding_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = ScreeningReport
        fields = [
            "id",
            "unit",
            "unit_name",
            "state",
            "state_label",
            "is_zero",
            "filed_on",
            "filed_by_name",
            "overdue",
            "finding_count",
        ]
        read_only_fields = fields


class ScreeningRoundDetailSerializer(ScreeningRoundSerializer):
    reports = serializers.SerializerMethodField()

    class Meta(ScreeningRoundSerializer.Meta):
        fields = [*ScreeningRoundSerializer.Meta.fields, "reports"]
        read_only_fields = fields

    @extend_schema_field(RoundReportRowSerializer(many=True))
    def get_reports(self, round_: ScreeningRound) -> list[dict[str, Any]]:
        return RoundReportRowSerializer(self.context["reports"], many=True).data  # type: ignore[return-value]


class FindingSerializer(serializers.ModelSerializer[Finding]):
    """A dispute or risk found in screening, and the key case it was promoted to."""

    focus_area_label = serializers.CharField(source="get_focus_area_display", read_only=True)
    risk_level_label = serializers.CharField(source="get_risk_level_display", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True, default=None)
    unit_name = serializers.CharField(source="report.unit.name", read_only=True)
    round = serializers.IntegerField(source="report.round_id", read_only=True)
    promoted_case_number = serializers.CharField(source="promoted_case.number", read_only=True, default=None)

    class Meta:
        model = Finding
        fields = [
            "id",
            "report",
            "round",
            "unit_name",
            "description",
            "parties",
            "division",
            "division_name",
            "location",
            "focus_area",
            "focus_area_label",
            "risk_level",
            "risk_level_label",
            "head_count",
            "measures",
            "promoted_case",
            "promoted_case_number",
            "version",
        ]
        read_only_fields = fields


class ScreeningReportSerializer(serializers.ModelSerializer[ScreeningReport]):
    """A unit's report for one round."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    frequency = serializers.CharField(source="round.frequency", read_only=True)
    period_start = serializers.DateField(source="round.period_start", read_only=True)
    period_end = serializers.DateField(source="round.period_end", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    filed_by_name = serializers.CharField(source="filed_by.full_name", read_only=True, default=None)
    due_on = serializers.DateField(read_only=True, default=None)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True, default=False)

    class Meta:
        model = ScreeningReport
        fields = [
            "id",
            "round",
            "frequency",
            "period_start",
            "period_end",
            "unit",
            "unit_name",
            "state",
            "state_label",
            "is_zero",
            "summary",
            "due_on",
            "overdue",
            "filed_on",
            "filed_by_name",
            "version",
        ]
        read_only_fields = fields


class ScreeningReportDetailSerializer(ScreeningReportSerializer):
    findings = serializers.SerializerMethodField()

    class Meta(ScreeningReportSerializer.Meta):
        fields = [*ScreeningReportSerializer.Meta.fields, "findings"]
        read_only_fields = fields

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, report: ScreeningReport) -> list[dict[str, Any]]:
        return FindingSerializer(self.context["findings"], many=True).data  # type: ignore[return-value]


class FindingInputSerializer(serializers.Serializer[dict[str, Any]]):
    """One finding typed in a report."""

    description = serializers.CharField(max_length=2000)
    focus_area = serializers.ChoiceField(choices=FocusArea.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    parties = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    division = serializers.CharField(
        max_length=12, required=False, allow_blank=True, default="", help_text="行政区划代码"
    )
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    head_count = serializers.IntegerField(min_value=0, required=False, default=0)
    measures = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReportFileSerializer(VersionSerializer):
    """File the report: findings, or an explicit zero report (零报告) with none."""

    is_zero = serializers.BooleanField(default=False)
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    findings = FindingInputSerializer(many=True, required=False, default=list)

    def to_input(self) -> ReportInput:
        data = self.validated_data
        return ReportInput(
            is_zero=data["is_zero"],
            summary=data["summary"],
            findings=[
                FindingInput(
                    description=row["description"],
                    focus_area=row["focus_area"],
                    risk_level=row["risk_level"],
                    parties=row["parties"],
                    division_code=row["division"],
                    location=row["location"],
                    head_count=row["head_count"],
                    measures=row["measures"],
                )
                for row in data["findings"]
            ],
        )


class PromoteSerializer(KeyCaseFieldsSerializer, VersionSerializer):
    """Promote a finding to a key case; description, risk, head count and measures default to the finding's."""

    problem = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, required=False, allow_blank=True, default=""
    )
    measures = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    head_count = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)

    def to_promotion(self, finding: Finding) -> KeyCaseInput:
        typed = self.to_input(Source.SCREENING)
        head_count = self.validated_data["head_count"]
        return replace(
            typed,
            problem=typed.problem or finding.description,
            risk_level=typed.risk_level or finding.risk_level,
            measures=typed.measures or finding.measures,
            head_count=finding.head_count if head_count is None else head_count,
        )


# --- sensitive periods ----------------------------------------------------------------------------------------


class UnitRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SensitivePeriodSerializer(serializers.ModelSerializer[SensitivePeriod]):
    """A sensitive period and the units it covers."""

    units = UnitRefSerializer(many=True, read_only=True)
    running = serializers.SerializerMethodField()

    class Meta:
        model = SensitivePeriod
        fields = ["id", "name", "starts_on", "ends_on", "note", "units", "running", "created_at", "version"]
        read_only_fields = fields

    def get_running(self, period: SensitivePeriod) -> bool:
        return period.starts_on <= timezone.localdate() <= period.ends_on


class SensitivePeriodDetailSerializer(SensitivePeriodSerializer):
    """With counts of the daily reports due from the caller's subtree."""

    due_count = serializers.SerializerMethodField()
    filed_count = serializers.SerializerMethodField()
    late_count = serializers.SerializerMethodField()
    missing_count = serializers.SerializerMethodField()

    class Meta(SensitivePeriodSerializer.Meta):
        fields = [
            *SensitivePeriodSerializer.Meta.fields,
            "due_count",
            "filed_count",
            "late_count",
            "missing_count",
        ]
        read_only_fields = fields

    def get_due_count(self, period: SensitivePeriod) -> int:
        return int(self.context["counts"]["due"])

    def get_filed_count(self, period: SensitivePeriod) -> int:
        return int(self.context["counts"]["filed"])

    def get_late_count(self, period: SensitivePeriod) -> int:
        return int(self.context["counts"]["late"])

    def get_missing_count(self, period: SensitivePeriod) -> int:
        return int(self.context["counts"]["missing"])


class SensitivePeriodCreateSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=50)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    units = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PeriodEndSerializer(VersionSerializer):
    on = serializers.DateField(default=_today, help_text="最后一个报送日")


class DailyReportSerializer(serializers.ModelSerializer[DailyReport]):
    """One covered unit's report for one day of a sensitive period."""

    period_name = serializers.CharField(source="period.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    filed_by_name = serializers.CharField(source="filed_by.full_name", read_only=True, default=None)
    due_on = serializers.DateField(read_only=True, default=None)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True, default=False)

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "period",
            "period_name",
            "unit",
            "unit_name",
            "day",
            "state",
            "state_label",
            "is_zero",
            "content",
            "due_on",
            "overdue",
            "filed_on",
            "filed_by_name",
            "version",
        ]
        read_only_fields = fields


class DailyFileSerializer(VersionSerializer):
    is_zero = serializers.BooleanField(default=False)
    content = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
