"""A populated world for the attack tests: in each of three places (county A, county B, another city) one object
of every kind a route can name, made through the real services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO

from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile

from accountability.models import (
    AccountabilityRecord,
    Circular,
    DeadlineRule,
    Escalation,
    EscalationStep,
    SupervisionOrder,
)
from accountability.services.deadlines import Subject, deadline_open
from accountability.services.supervision import (
    accountability_record_create,
    circular_issue,
    supervision_issue,
)
from accountability.services.sweep import sweep
from core.choices import Role, UnitKind, UnitLevel
from core.models import AuditEvent, Division, Unit, User
from dashboard.bulletin import bulletins_generate
from dashboard.models import WeeklyBulletin
from ledger.choices import FocusArea, RiskLevel
from ledger.models import DailyReport, Finding, KeyCase, ScreeningReport, ScreeningRound, SensitivePeriod
from ledger.services.importing import import_template_write, import_upload_store
from ledger.services.keycases import keycase_create
from ledger.services.screening import FindingInput, ReportInput, screening_report_file, screening_rounds_open
from ledger.services.sensitive import sensitive_period_create
from petitions.choices import AttachmentKind
from petitions.models import Attachment, Document, Item, Petitioner
from petitions.services import lifecycle
from petitions.services.attachments import attachments_add
from petitions.services.intake import PetitionerInput, item_register
from tests.support.accounts import Personas, Tree
from tests.support.helpers import SHANGHAI
from tests.support.items import DEFAULT_ID_NUMBER, intake_input
from tests.support.keycases import LedgerCast, keycase_input
from tests.support.supervision import finding_on

TODAY = date(2026, 3, 10)  # a Tuesday
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PLACES = ("a", "b", "far")
OFFICIALS = {"a": "张某", "b": "李某", "far": "王某"}  # the person each place's 追责 record names


@dataclass
class Staff:
    """The people of one place: its area unit, the department items are sent to, and one person per role."""

    area: Unit
    office: Unit
    clerk: User
    handler: User
    head: User
    leader: User
    supervisor: User


@dataclass
class Objects:
    """One object of each kind in one place."""

    item: Item
    petitioner: Petitioner
    document: Document
    attachment: Attachment
    case: KeyCase
    report: ScreeningReport
    finding: Finding
    period: SensitivePeriod
    daily: DailyReport
    order: SupervisionOrder
    circular: Circular
    record: AccountabilityRecord
    escalation: Escalation
    bulletin: WeeklyBulletin
    audit_event: AuditEvent
    import_token: str


@dataclass
class World:
    """The personas, the people and objects of each place, and the shared objects routes name."""

    personas: Personas
    tree: Tree
    staff: dict[str, Staff]
    round_: ScreeningRound
    access_attempt: AccessAttempt
    ladder_step: EscalationStep
    division: Division
    objects: dict[str, Objects] = field(default_factory=dict)


def _child(parent: Unit, code: str, name: str, kind: str, level: int) -> Unit:
    child = Unit.objects.add_child(parent, {"code": code, "name": name, "kind": kind, "level": level})
    return Unit.objects.get(pk=child.pk)


def _staff(tree: Tree, personas: Personas, make_user: Callable[..., User]) -> dict[str, Staff]:
    county_b_office = _child(tree.county_b, "T-B-RS", "青山县人力资源和社会保障局", UnitKind.DEPARTMENT, 2)
    far_city = Unit.objects.add_root(
        {"code": "U", "name": "远山市", "kind": UnitKind.AREA, "level": UnitLevel.CITY}
    )
    far_office = _child(far_city, "U-RS", "远山市人力资源和社会保障局", UnitKind.DEPARTMENT, UnitLevel.CITY)
    far_city = Unit.objects.get(pk=far_city.pk)

    def people(key: str, area: Unit, office: Unit, clerk: User | None, handler: User | None) -> Staff:
        return Staff(
            area=Unit.objects.get(pk=area.pk),
            office=office,
            clerk=clerk or make_user(area, [Role.CLERK], f"clerk_{key}"),
            handler=handler or make_user(office, [Role.HANDLER], f"handler_{key}"),
            head=make_user(area, [Role.SECTION_HEAD], f"head_{key}"),
            leader=make_user(area, [Role.LEADER], f"leader_{key}"),
            supervisor=make_user(area, [Role.SUPERVISOR], f"supervisor_{key}"),
        )

    return {
        "a": people("a", tree.county_a, tree.county_a_department, personas.clerk_a, personas.handler_a),
        "b": people("b", tree.county_b, county_b_office, personas.clerk_b, None),
        "far": people("far", far_city, far_office, None, None),
    }


# One person per place (county A's is the suite's default person), so each place's petitioner is its own record.
PLACE_PEOPLE = {"a": DEFAULT_ID_NUMBER, "b": "110105198001010032", "far": "110105197507070011"}


def _item(staff: Staff, place: str) -> tuple[Item, Document, Attachment]:
    person = PetitionerInput(name="张三", id_number=PLACE_PEOPLE[place], phone="13800138000")
    item = item_register(
        actor=staff.clerk, data=intake_input(received_on=date(2026, 3, 2), petitioners=[person])
    )
    lifecycle.item_assign(actor=staff.clerk, item_id=item.pk, unit_id=staff.office.pk, on=date(2026, 3, 3))
    lifecycle.item_accept(actor=staff.handler, item_id=item.pk, on=date(2026, 3, 4))
    (attachment,) = attachments_add(
        actor=staff.clerk,
        item_id=item.pk,
        files=[(AttachmentKind.EVIDENCE, SimpleUploadedFile("证明材料.pdf", PDF))],
    )
    document = Document.objects.filter(item=item).order_by("id").first()
    assert document is not None
    return Item.objects.get(pk=item.pk), document, attachment


def _case(world: World, staff: Staff, owner: User) -> KeyCase:
    cast = LedgerCast(
        head=staff.head,
        county_head=staff.head,
        county_b_head=staff.head,
        leader=owner,
        county_leader=staff.leader,
        county_b_leader=staff.leader,
        handler=staff.handler,
        township_handler=staff.handler,
        township_clerk=staff.clerk,
        city_dept_handler=staff.handler,
        personas=world.personas,
        tree=world.tree,
    )
    data = keycase_input(
        cast,
        title=f"{staff.area.name}原民办教师要求落实养老待遇",
        responsible_unit_id=staff.office.pk,
        responsible_person_id=staff.handler.pk,
    )
    return keycase_create(actor=staff.head, data=data)


def _report(staff: Staff) -> tuple[ScreeningReport, Finding]:
    report = ScreeningReport.objects.filter(unit=staff.area).order_by("id").first()
    assert report is not None
    finding = FindingInput(
        description=f"{staff.area.name}某楼盘延期交房，业主聚集维权",
        focus_area=FocusArea.PROPERTY,
        risk_level=RiskLevel.HIGH,
        parties="业主约120户；某置业公司",
        head_count=120,
    )
    filed = screening_report_file(
        actor=staff.clerk, report_id=report.pk, data=ReportInput(is_zero=False, findings=[finding])
    )
    return filed, Finding.objects.get(report=filed)


def _escalation(staff: Staff, item: Item, rule: DeadlineRule) -> Escalation:
    deadline = deadline_open(
        subject=Subject("petitions.item", item.pk),
        kind=rule.kind,
        unit_id=staff.office.pk,
        responsible_id=staff.handler.pk,
        starts_on=TODAY - timedelta(days=12),
        actor=staff.clerk,
    )
    sweep(today=TODAY)
    escalation = Escalation.objects.filter(deadline=deadline).order_by("id").first()
    assert escalation is not None
    return escalation


def _import_upload(head: User) -> str:
    """An upload awaiting confirmation: the import template, as a section head would send it back."""
    template = BytesIO()
    import_template_write(actor=head, target=template)
    return import_upload_store(actor=head, upload=SimpleUploadedFile("台账.xlsx", template.getvalue()))


def world_build(
    *, personas: Personas, tree: Tree, make_user: Callable[..., User], ladder: DeadlineRule
) -> World:
    """Everything the routes can name, in each place; call with time pinned to NOW."""
    world = World(
        personas=personas,
        tree=tree,
        staff=_staff(tree, personas, make_user),
        round_=screening_rounds_open(today=TODAY)[0],
        access_attempt=AccessAttempt.objects.create(
            username="clerk_a", ip_address="10.0.0.9", user_agent="test", failures_since_start=5
        ),
        ladder_step=EscalationStep.objects.filter(rule=ladder).order_by("id")[0],
        division=Division.objects.order_by("code")[0],
    )
    for place in PLACES:
        staff = world.staff[place]
        item, document, attachment = _item(staff, place)
        report, finding = _report(staff)
        period = sensitive_period_create(
            actor=staff.head,
            name="两会",
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=3),
            unit_ids=[staff.area.pk],
        )
        daily = DailyReport.objects.filter(period=period, unit=staff.area).get()
        order = supervision_issue(
            actor=staff.supervisor,
            unit=staff.office,
            subject=finding_on(staff.office),
            ground="not_closed",
            method="written",
            requirement="请于十个工作日内书面说明拖延原因。",
            issued_on=TODAY,
        )
        record = accountability_record_create(
            actor=staff.supervisor,
            unit=staff.office,
            person_name=OFFICIALS[place],
            person_title="科长",
            liability="principal",
            measure="reminder_talk",
            reason="信访事项超期未办结。",
            decided_by="纪委监委",
            decided_on=TODAY,
        )
        escalation = _escalation(staff, item, ladder)
        circular = circular_issue(actor=staff.supervisor, start=date(2026, 3, 1), end=date(2026, 3, 9))
        (bulletin, *_) = bulletins_generate(actor=None, root=staff.area, today=TODAY)
        token = _import_upload(personas.section_head if place == "a" else staff.head)
        audit_event = AuditEvent.objects.filter(actor_unit_id=staff.area.pk).order_by("-id").first()
        assert audit_event is not None
        world.objects[place] = Objects(
            item=item,
            petitioner=item.item_petitioners.order_by("id").first().petitioner,  # type: ignore[union-attr]
            document=document,
            attachment=attachment,
            case=_case(world, staff, personas.leader if place == "a" else staff.leader),
            report=report,
            finding=finding,
            period=period,
            daily=daily,
            order=order,
            circular=circular,
            record=record,
            escalation=escalation,
            bulletin=bulletin,
            audit_event=audit_event,
            import_token=token,
        )
    return world
