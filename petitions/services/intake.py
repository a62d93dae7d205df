"""Registering an item (登记): validate what the clerk typed, keep it with the item, link the person, start the clock."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import NotificationKind
from accountability.services.deadlines import deadline_open
from accountability.services.notifications import notification_send
from core.audit.record import audit_record
from core.choices import Role
from core.errors import DomainError
from core.idcard import id_number_validate
from core.models import Division, Unit, User
from core.numbering import next_in_year, yearly_sequence_name
from core.pii import lookup_hash, person_audit_repr
from core.text import first_line
from petitions.choices import (
    PURPOSE_TYPE,
    ROUTING,
    AttachmentKind,
    Channel,
    CloseReason,
    Marker,
    Purpose,
    Status,
)
from petitions.models import Category, Item, ItemPetitioner, Petitioner
from petitions.petitioner_file import person_in_reach
from petitions.services.attachments import (
    StoredFile,
    attachment_store,
    attachment_validate,
    attachments_check_count,
    attachments_discard,
)
from petitions.services.clocks import item_clock_running
from petitions.services.common import in_subtree, record_event, subject_of

MAX_REPRESENTATIVES = 5  # 《信访工作条例》第二十条
COLLECTIVE_HEAD_COUNT = 5
SUMMARY_LIMIT = 2000
DEMAND_LIMIT = 1000
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


@dataclass
class PetitionerInput:
    """One person as typed at the desk."""

    name: str
    id_number: str = ""
    phone: str = ""
    division_code: str = ""
    address_detail: str = ""
    is_representative: bool = False
    # An explicit link to a person already known in the clerk's reach (used where no ID number is given).
    person_id: int | None = None


@dataclass
class IntakeInput:
    """Everything the visit or letter form collects."""

    channel: str
    purpose: str
    category_id: int
    received_on: date
    summary: str
    demand: str
    petitioners: list[PetitionerInput]
    head_count: int = 1
    markers: list[str] = field(default_factory=list)
    problem_division_code: str = ""
    problem_address: str = ""
    complained_unit_id: int | None = None
    complained_unit_name: str = ""
    registered_on: date | None = None
    original_id: int | None = None
    # Sent with the form or API call; a repeated post with the same key returns the item the first one made.
    submission_key: str = ""


def phone_validate(raw: str, field_name: str = "phone") -> str:
    """A mainland mobile (11 digits) or a landline with area code; returns it without spaces."""
    value = raw.strip().replace(" ", "")
    if not value:
        return ""
    if MOBILE.match(value) or LANDLINE.match(value):
        return value
    raise DomainError(_("请填写11位手机号码，或带区号的固定电话（如 0571-88001234）。"), field=field_name)


def _limit(value: str, limit: int, field_name: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise DomainError(_("此项必填。"), field=field_name)
    if len(value) > limit:
        raise DomainError(
            _("不能超过%(limit)s字，当前%(count)s字。") % {"limit": limit, "count": len(value)},
            field=field_name,
        )
    return value


def _division(code: str, field_name: str) -> Division | None:
    if not code:
        return None
    division = Division.objects.filter(code=code, is_active=True).first()
    if division is None:
        raise DomainError(_("请选择有效的行政区划。"), field=field_name)
    return division


def _collect(*checks: Callable[[], object]) -> list[DomainError]:
    """Run every check and keep each refusal, the first one per field, so a form shows all its errors at once."""
    problems: list[DomainError] = []
    fields: set[str | None] = set()
    for check in checks:
        try:
            check()
        except DomainError as error:
            if error.field not in fields:
                fields.add(error.field)
                problems.append(error)
    return problems


def _require(condition: bool, message: str, field_name: str) -> None:
    if not condition:
        raise DomainError(message, field=field_name)


def _representatives_check(data: IntakeInput) -> None:
    collective = Marker.COLLECTIVE in data.markers or data.head_count >= COLLECTIVE_HEAD_COUNT
    representatives = sum(1 for person in data.petitioners if person.is_representative)
    if collective and representatives > MAX_REPRESENTATIVES:
        raise DomainError(
            _("集体访推选的代表不得超过%(max)s人（《信访工作条例》第二十条），当前%(count)s人。")
            % {"max": MAX_REPRESENTATIVES, "count": representatives},
            field="petitioners",
        )


def intake_problems(data: IntakeInput, *, today: date) -> list[DomainError]:
    """Every refusal that needs no lock, each naming its field (index-suffixed for people), in form order."""
    registered_on = data.registered_on
    problems = _collect(
        lambda: _require(data.channel in Channel.values, _("请选择信访形式。"), "channel"),
        lambda: _require(data.purpose in Purpose.values, _("请选择信访目的。"), "purpose"),
        lambda: _require(data.received_on <= today, _("信访日期不能晚于今天。"), "received_on"),
        lambda: _require(
            not registered_on or today >= registered_on >= data.received_on,
            _("登记日期应在信访日期和今天之间。"),
            "registered_on",
        ),
        lambda: _limit(data.summary, SUMMARY_LIMIT, "summary", required=True),
        lambda: _limit(data.demand, DEMAND_LIMIT, "demand", required=True),
        lambda: _limit(data.problem_address, 200, "problem_address"),
        lambda: _limit(data.complained_unit_name, 100, "complained_unit_name"),
        lambda: _require(not set(data.markers) - set(Marker.values), _("未知的标记。"), "markers"),
        lambda: _require(bool(data.petitioners), _("请至少填写一名信访人。"), "petitioners"),
        lambda: _require(1 <= data.head_count <= 10000, _("信访人数应在1至10000之间。"), "head_count"),
        lambda: _require(
            data.head_count >= len(data.petitioners),
            _("信访人数不能少于登记的信访人人数。"),
            "head_count",
        ),
        lambda: _representatives_check(data),
    )
    for index, person in enumerate(data.petitioners):
        problems.extend(particulars_problems(person, today=today, prefix=f"petitioners-{index}-"))
    return problems


def intake_validate(data: IntakeInput, *, today: date) -> None:
    """Check everything that needs no lock; raises the first DomainError, naming the field."""
    problems = intake_problems(data, today=today)
    if problems:
        raise problems[0]


def intake_files_validate(channel: str, files: Sequence[tuple[str, UploadedFile]]) -> None:
    """The files of a registration: a letter needs its scan; count, size and type as for any attachment."""
    if channel == Channel.LETTER and not any(kind == AttachmentKind.LETTER_SCAN for kind, _f in files):
        raise DomainError(_("来信登记请上传来信扫描件。"), field="attachments")
    attachments_check_count(files)
    for _kind, upload in files:
        attachment_validate(upload)


@dataclass(frozen=True)
class Particulars:
    """One person's particulars as given for one item, checked and normalised."""

    name: str
    id_number: str
    phone: str
    address_division: Division | None
    address_detail: str

    def as_fields(self) -> dict[str, object]:
        """The ItemPetitioner columns these particulars fill."""
        return {
            "name": self.name,
            "id_number": self.id_number,
            "phone": self.phone,
            "phone_hash": lookup_hash("phone", self.phone),
            "address_division": self.address_division,
            "address_detail": self.address_detail,
        }


def _id_number(raw: str, *, today: date, field_name: str) -> str:
    try:
        return id_number_validate(raw, today=today) if raw.strip() else ""
    except DomainError as error:
        raise DomainError(error.message, field=field_name) from error


def particulars_clean(person: PetitionerInput, *, today: date, prefix: str = "") -> Particulars:
    """Validate and normalise what was typed for one person; errors name the field under `prefix`."""
    id_number = _id_number(person.id_number, today=today, field_name=f"{prefix}id_number")
    return Particulars(
        name=_limit(person.name, 50, f"{prefix}name", required=True),
        id_number=id_number,
        phone=phone_validate(person.phone, f"{prefix}phone"),
        address_division=_division(person.division_code, f"{prefix}address_division"),
        address_detail=_limit(person.address_detail, 200, f"{prefix}address_detail"),
    )


def particulars_problems(person: PetitionerInput, *, today: date, prefix: str = "") -> list[DomainError]:
    """Every refusal of one person's particulars at once, by the same checks as particulars_clean."""
    return _collect(
        lambda: _id_number(person.id_number, today=today, field_name=f"{prefix}id_number"),
        lambda: _limit(person.name, 50, f"{prefix}name", required=True),
        lambda: phone_validate(person.phone, f"{prefix}phone"),
        lambda: _division(person.division_code, f"{prefix}address_division"),
        lambda: _limit(person.address_detail, 200, f"{prefix}address_detail"),
    )


def person_for(
    *, particulars: Particulars, linked_person_id: int | None, actor: User, field: str
) -> Petitioner:
    """The person an item's petitioner belongs to: by the ID number's keyed hash, else the clerk's explicit link to
    a person with an item in the clerk's reach, else a new person. Nothing about the person is read or written."""
    id_hash = lookup_hash("id", particulars.id_number) if particulars.id_number else ""
    if linked_person_id is not None:
        linked = person_in_reach(actor, linked_person_id)
        if linked is None:
            raise DomainError(_("请选择本单位可见的信访人。"), field=field)
        if not id_hash or linked.id_number_hash == id_hash:
            return linked
        if linked.id_number_hash:
            raise DomainError(_("填写的身份证号与所选信访人不一致。"), field=field)
    if id_hash:
        # Two desks registering the same new person at once: the unique key decides, the loser reads the winner's.
        person, created = Petitioner.objects.get_or_create(id_number_hash=id_hash)
    else:
        person, created = Petitioner.objects.create(), True
    if created:
        audit_record(
            actor=actor,
            action="petitions.petitioner.created",
            target=person,
            object_repr=person_audit_repr(particulars.name, person.pk),
        )
    return person


SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SUBMISSION_LOCKS = 7301  # advisory-lock namespace of intake submissions


def submission_key_clean(raw: str) -> str:
    """The submission key as sent ("" when none); anything else than 8–64 letters, digits, - or _ is refused."""
    key = raw.strip()
    if key and not SUBMISSION_KEY.match(key):
        raise DomainError(_("提交标识无效，请刷新页面后重新提交。"), field="submission_key")
    return key


def submission_claim(actor: User, key: str) -> Item | None:
    """Inside the registering transaction: wait for any other post with this key, then return the item it made.

    The lock is held to the end of the transaction, so of two simultaneous posts the second sees the first's item
    once it commits (or, if it failed, registers the item itself). The unique key on the item is the backstop.
    """
    if not key:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [SUBMISSION_LOCKS, f"{actor.pk}:{key}"]
        )
    return Item.objects.filter(registered_by=actor, submission_key=key).first()


ITEM_NUMBER_SERIES = "petitions_item_number"


def item_number_sequence(year: int) -> str:
    """The database sequence numbering one year's items, so each year starts again at XF<year>-000001."""
    return yearly_sequence_name(ITEM_NUMBER_SERIES, year)


def _next_number(year: int) -> str:
    return f"XF{year}-{next_in_year(ITEM_NUMBER_SERIES, year):06d}"


def _query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(8))


def item_register(
    *,
    actor: User,
    data: IntakeInput,
    files: Sequence[tuple[str, UploadedFile]] | None = None,
) -> Item:
    """Register a visit, letter or other item; a linked repeat is counted on its original without a new clock."""
    if not actor.has_role("clerk", "section_head"):
        raise DomainError(_("只有登记员可以登记信访事项。"), code="forbidden")
    today = timezone.localdate()
    intake_validate(data, today=today)
    files = list(files or [])
    intake_files_validate(data.channel, files)
    submission_key = submission_key_clean(data.submission_key)
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            earlier = submission_claim(actor, submission_key)
            if earlier is not None:
                return earlier
            category = Category.objects.filter(pk=data.category_id, is_active=True).first()
            if category is None:
                raise DomainError(_("请选择内容分类。"), field="category")
            complained = None
            if data.complained_unit_id:
                complained = Unit.objects.filter(pk=data.complained_unit_id).first()
                if complained is None:
                    raise DomainError(_("请选择被反映单位。"), field="complained_unit")
            original = None
            if data.original_id:
                original = (
                    Item.objects.select_for_update(of=("self",))
                    .select_related("registered_unit", "responsible_unit")
                    .filter(pk=data.original_id)
                    .first()
                )
                visible = original is not None and (
                    in_subtree(original.registered_unit, actor.unit)
                    or in_subtree(original.responsible_unit, actor.unit)
                )
                if original is None or not visible:
                    raise DomainError(_("请选择本单位可见的原信访件。"), field="original")
                if original.original_id is not None:
                    original = Item.objects.select_for_update(of=("self",)).get(pk=original.original_id)
            markers = sorted(set(data.markers))
            if data.head_count >= COLLECTIVE_HEAD_COUNT and Marker.COLLECTIVE not in markers:
                markers.append(Marker.COLLECTIVE)
            registered_on = data.registered_on or today
            item = Item(
                number=_next_number(registered_on.year),
                query_code=_query_code(),
                channel=data.channel,
                purpose=data.purpose,
                item_type=PURPOSE_TYPE[Purpose(data.purpose)],
                category=category,
                problem_division=_division(data.problem_division_code, "problem_division"),
                problem_address=data.problem_address.strip(),
                complained_unit=complained,
                complained_unit_name=data.complained_unit_name.strip()
                or (complained.name if complained else ""),
                received_on=data.received_on,
                registered_on=registered_on,
                summary=data.summary.strip(),
                demand=data.demand.strip(),
                head_count=data.head_count,
                markers=sorted(markers),
                registered_unit=actor.unit,
                registered_by=actor,
                status=Status.REGISTERED,
                original=original,
                submission_key=submission_key,
            )
            note = ""
            if original is not None:
                if original.status == Status.CLOSED and original.close_reason == CloseReason.RECHECKED:
                    item.status = Status.NO_FURTHER
                    item.refusal_reason = _(
                        "原信访件%(number)s已于%(day)s复核终结。根据《信访工作条例》第三十六条，"
                        "信访人以同一事实和理由再次提出的，不再受理。"
                    ) % {
                        "number": original.number,
                        "day": original.closed_on.isoformat() if original.closed_on else "",
                    }
                    note = item.refusal_reason
                else:
                    item.status = Status.REPEAT
                    note = _("重复件，并入原件%(number)s，不另起算期限。") % {"number": original.number}
            item.save()
            people: set[int] = set()
            for position, person in enumerate(data.petitioners):
                prefix = f"petitioners-{position}-"
                particulars = particulars_clean(person, today=today, prefix=prefix)
                petitioner = person_for(
                    particulars=particulars,
                    linked_person_id=person.person_id,
                    actor=actor,
                    field=f"{prefix}id_number",
                )
                if petitioner.pk in people:
                    raise DomainError(_("同一信访人在本件中重复登记。"), field=f"{prefix}id_number")
                people.add(petitioner.pk)
                ItemPetitioner.objects.create(
                    item=item,
                    petitioner=petitioner,
                    is_representative=person.is_representative,
                    position=position,
                    **particulars.as_fields(),
                )
            for kind, upload in files:
                stored.append(attachment_store(item=item, kind=kind, upload=upload, actor=actor))
            if original is None:
                deadline_open(
                    subject=subject_of(item),
                    kind=ROUTING,
                    unit_id=actor.unit_id,
                    starts_on=item.received_on,
                    actor=actor,
                )
            else:
                original.repeat_count += 1
                original.version += 1
                original.save(update_fields=["repeat_count", "version", "updated_at"])
                record_event(
                    original,
                    "repeat",
                    actor=actor,
                    on=registered_on,
                    from_status=original.status,
                    note=_("收到重复件%(number)s（第%(count)s次）")
                    % {"number": item.number, "count": original.repeat_count},
                )
            record_event(item, "register", actor=actor, on=registered_on, note=note)
            audit_record(
                actor=actor,
                action="petitions.item.registered",
                target=item,
                detail={
                    "channel": item.channel,
                    "status": item.status,
                    "original": original.number if original else None,
                    "attachments": len(files),
                },
            )
            if item.head_count >= COLLECTIVE_HEAD_COUNT:
                _collective_tell(actor, item)
    except Exception:
        attachments_discard(stored)
        raise
    return item


def _collective_tell(actor: User, item: Item) -> None:
    """A collective visit of five or more people: the registering unit's leaders and section heads are told at
    once, in the outbox, when the registration commits."""
    recipients = list(
        User.objects.filter(
            unit_id=item.registered_unit_id, is_active=True, roles__overlap=[Role.LEADER, Role.SECTION_HEAD]
        ).exclude(pk=actor.pk)
    )
    subject = _("集体访%(number)s（%(count)s人）") % {"number": item.number, "count": item.head_count}
    body = _("%(number)s：%(count)s人，%(summary)s") % {
        "number": item.number,
        "count": item.head_count,
        "summary": first_line(item.summary),
    }
    link = reverse("petitions:item_detail", args=[item.pk])
    routing = item_clock_running(item, ROUTING)  # none for a repeat: it runs on the original item
    transaction.on_commit(
        lambda: notification_send(
            recipients=recipients,
            kind=NotificationKind.COLLECTIVE,
            subject=subject,
            body=body,
            link=link,
            reference=item.number,
            summary=first_line(item.summary),
            due_on=routing.due_on if routing else None,
        )
    )
