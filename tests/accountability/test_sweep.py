"""The overdue sweep: each rung written once per due date, told to the right people, in batches, under a lock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection

from accountability.choices import EmailState, LadderStep, Recipient, SupervisionStatus
from accountability.models import (
    Deadline,
    DeadlineRule,
    Escalation,
    EscalationStep,
    LadderPosition,
    Notification,
    SupervisionOrder,
    SweepRun,
)
from accountability.services.deadlines import (
    Subject,
    deadline_extend,
    deadline_meet,
    deadline_open,
    deadline_pause,
)
from accountability.services.notifications import notifications_mail
from accountability.services.supervision import supervision_orders_from_ladder
from accountability.services.sweep import SWEEP_LOCK_KEY, sweep
from core.choices import Role
from core.models import User
from tests.support.accounts import Personas, Tree
from tests.support.ladder import DUE, DUTY, OPENED

pytestmark = pytest.mark.django_db


@dataclass
class Cast:
    handler: User
    head: User
    leader: User
    owner: User
    supervisor: User
    county_supervisor: User
    other_head: User


@pytest.fixture
def cast(tree: Tree, personas: Personas, make_user: Callable[..., User]) -> Cast:
    department = tree.county_a_department
    head = personas.handler_head_a  # the department's one section head
    head.email = "head@example.cn"
    head.save(update_fields=["email"])
    return Cast(
        handler=make_user(department, [Role.HANDLER], "duty_handler", email="handler@example.cn"),
        head=head,
        leader=make_user(department, [Role.LEADER], "duty_leader"),
        owner=make_user(tree.county_a, [Role.LEADER], "duty_owner"),
        supervisor=personas.supervisor,  # at the city, above the department
        county_supervisor=make_user(tree.county_a, [Role.SUPERVISOR], "county_supervisor"),
        other_head=make_user(tree.county_b, [Role.SECTION_HEAD], "other_head"),
    )


@pytest.fixture
def duty(ladder: DeadlineRule, tree: Tree, cast: Cast, personas: Personas) -> Callable[..., Deadline]:
    def open_duty(
        subject_id: int = 1, *, responsible: User | None = None, overseer: User | None = None
    ) -> Deadline:
        return deadline_open(
            subject=Subject("tests.thing", subject_id),
            kind=DUTY,
            unit_id=tree.county_a_department.pk,
            responsible_id=(responsible or cast.handler).pk,
            overseer_id=overseer.pk if overseer else None,
            starts_on=OPENED,
            actor=personas.clerk_a,
        )

    return open_duty


def armed(deadline: Deadline) -> date | None:
    """The day the sweep next looks at the deadline (None: not on the work list, or no rung left)."""
    return LadderPosition.objects.filter(deadline=deadline).values_list("next_step_on", flat=True).first()


def swept(*, today: date, limit: int | None = None) -> SweepRun:
    """Run the sweep, which must not find the lock taken."""
    run = sweep(today=today, limit=limit)
    assert run is not None
    return run


def rungs(deadline: Deadline) -> list[tuple[str, date]]:
    return list(
        Escalation.objects.filter(deadline=deadline)
        .order_by("step__offset_days")
        .values_list("step__step", "due_on")
    )


def told(step: str) -> set[str]:
    return set(
        Notification.objects.filter(escalation__step__step=step).values_list("recipient__username", flat=True)
    )


def test_a_new_deadline_is_armed_for_its_first_rung(duty):
    deadline = duty()
    assert deadline.due_on == DUE
    assert armed(deadline) == DUE - timedelta(days=3)


def test_nothing_happens_before_the_warning_day(duty):
    deadline = duty()
    run = swept(today=DUE - timedelta(days=4))
    assert run is not None
    assert (run.deadlines_seen, run.escalations_created) == (0, 0)
    assert rungs(deadline) == []


def test_the_warning_reaches_the_handler_three_days_before_the_due_date(duty, cast):
    deadline = duty()
    run = swept(today=DUE - timedelta(days=3))
    assert (run.escalations_created, run.notifications_created) == (1, 1)
    assert rungs(deadline) == [(LadderStep.WARNING, DUE)]
    note = Notification.objects.get(escalation__isnull=False)  # the rung, an entry of the handler's digest
    assert note.recipient == cast.handler
    assert note.title == "【预警】测试办理（到期日 2026-03-12）"
    assert "距到期还有 3 日" in note.body
    assert note.due_on == DUE
    assert note.email_state == EmailState.NONE  # the digest carries the e-mail
    assert note.digest is not None
    assert (note.digest.recipient, note.digest.count, note.digest.email_state) == (
        cast.handler,
        1,
        EmailState.PENDING,
    )
    assert armed(deadline) == DUE + timedelta(days=1)


def test_each_rung_goes_to_the_people_it_names_and_only_them(duty, cast):
    duty(overseer=cast.owner)
    swept(today=DUE - timedelta(days=3))
    swept(today=DUE + timedelta(days=1))
    swept(today=DUE + timedelta(days=5))
    swept(today=DUE + timedelta(days=15))
    assert told(LadderStep.WARNING) == {"duty_handler"}
    assert told(LadderStep.OVERDUE) == {"duty_handler", "handler_head_a"}
    # Supervisors of the unit's own chain (city and county A), never another county's people.
    assert told(LadderStep.SUPERVISION) == {"duty_leader", "supervisor", "county_supervisor"}
    assert told(LadderStep.CIRCULAR) == {"duty_owner"}
    assert not Notification.objects.filter(recipient=cast.other_head).exists()


def test_a_late_first_sweep_writes_every_rung_passed_but_no_warning_after_the_due_date(duty):
    deadline = duty()
    run = swept(today=DUE + timedelta(days=6))
    assert rungs(deadline) == [(LadderStep.OVERDUE, DUE), (LadderStep.SUPERVISION, DUE)]
    assert run.escalations_created == 2
    assert armed(deadline) == DUE + timedelta(days=15)


def test_running_the_sweep_five_times_writes_each_rung_once(duty):
    deadline = duty()
    today = DUE + timedelta(days=2)
    runs = [swept(today=today) for _ in range(5)]
    assert [run.escalations_created for run in runs] == [1, 0, 0, 0, 0]
    assert rungs(deadline) == [(LadderStep.OVERDUE, DUE)]
    assert Notification.objects.filter(escalation__isnull=False).count() == 2
    assert (
        Notification.objects.filter(digest__isnull=True).count() == 2
    )  # one digest each for handler and head


def test_the_ledger_of_rungs_is_unique_even_when_the_deadline_is_rearmed_by_hand(duty):
    deadline = duty()
    swept(today=DUE + timedelta(days=2))
    LadderPosition.objects.filter(deadline=deadline).update(
        next_step_on=OPENED
    )  # as if the sweep's progress was lost
    again = swept(today=DUE + timedelta(days=2))
    assert (again.deadlines_seen, again.escalations_created, again.notifications_created) == (1, 0, 0)
    assert rungs(deadline) == [(LadderStep.OVERDUE, DUE)]


def test_a_met_deadline_stops_escalating(duty, cast):
    deadline = duty()
    swept(today=DUE + timedelta(days=1))
    deadline_meet(
        subject=Subject("tests.thing", 1), kind=DUTY, met_on=DUE + timedelta(days=2), actor=cast.handler
    )
    assert armed(deadline) is None
    swept(today=DUE + timedelta(days=20))
    assert rungs(deadline) == [(LadderStep.OVERDUE, DUE)]


def test_a_paused_deadline_waits_and_an_extension_rearms_the_ladder_for_the_new_due_date(
    duty, cast, personas
):
    deadline = duty()
    swept(today=DUE + timedelta(days=1))
    extended = deadline_extend(
        subject=Subject("tests.thing", 1),
        kind=DUTY,
        days=30,
        reason="案情复杂",
        approved_by=personas.section_head,
        approved_on=DUE,
    )
    new_due = DUE + timedelta(days=30)
    assert extended.due_on == new_due
    assert armed(deadline) == new_due - timedelta(days=3)
    swept(today=new_due - timedelta(days=3))
    assert rungs(deadline) == [(LadderStep.WARNING, new_due), (LadderStep.OVERDUE, DUE)]

    deadline_pause(
        subject=Subject("tests.thing", 1),
        kind=DUTY,
        on=new_due - timedelta(days=2),
        reason="听证",
        actor=cast.head,
    )
    assert armed(deadline) is None
    swept(today=new_due + timedelta(days=10))
    assert len(rungs(deadline)) == 2


def test_batches_cover_every_deadline_and_count_what_they_did(duty):
    for subject_id in range(1, 8):
        duty(subject_id)
    run = swept(today=DUE + timedelta(days=1), limit=3)
    assert (run.batches, run.deadlines_seen, run.escalations_created) == (3, 7, 7)
    assert run.notifications_created == 14
    assert run.finished_at is not None


def test_a_second_sweep_while_one_holds_the_lock_exits_at_once(duty, django_db_blocker):
    duty()
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    other = psycopg2.connect(
        dbname=connection.settings_dict["NAME"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [SWEEP_LOCK_KEY])
        assert sweep(today=DUE + timedelta(days=1)) is None
        assert Escalation.objects.count() == 0
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])
    finally:
        other.close()
    assert swept(today=DUE + timedelta(days=1)).escalations_created == 1


def test_each_email_goes_out_once_and_people_without_an_address_only_get_the_inbox(duty, cast):
    duty()
    swept(today=DUE + timedelta(days=1))
    assert notifications_mail() == 2
    assert notifications_mail() == 0
    assert sorted(message.to[0] for message in mail.outbox) == ["handler@example.cn", "head@example.cn"]
    assert mail.outbox[0].subject == "【预警与超期】每日汇总 2026-03-13（1件）"
    assert "【超期】测试办理 · tests.thing#1 · 期限 2026-03-12" in mail.outbox[0].body
    swept(today=DUE + timedelta(days=5))
    assert notifications_mail() == 0  # the 督办 rung tells the leader and supervisors, who have no address
    assert set(Notification.objects.values_list("email_state", flat=True)) == {
        EmailState.SENT,
        EmailState.NONE,
    }


def test_the_supervision_rung_issues_one_order_to_the_unit_with_its_own_reply_clock(duty, tree):
    deadline = duty()
    swept(today=DUE + timedelta(days=5))
    assert supervision_orders_from_ladder(today=DUE + timedelta(days=5)) == 1
    assert supervision_orders_from_ladder(today=DUE + timedelta(days=5)) == 0
    order = SupervisionOrder.objects.get()
    assert (order.unit, order.issuing_unit, order.deadline, order.status) == (
        tree.county_a_department,
        tree.county_a,
        deadline,
        SupervisionStatus.ISSUED,
    )
    assert order.number.startswith(f"DB{(DUE + timedelta(days=5)).year}-")
    reply_clock = Deadline.objects.get(subject_type="accountability.supervisionorder", subject_id=order.pk)
    assert reply_clock.rule_id == "accountability.supervision_reply"
    assert armed(reply_clock) is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery
def test_two_workers_sweeping_at_once_or_a_killed_sweep_rerun_end_as_one_clean_run(
    transactional_db, celery_worker, duty, cast
):
    from accountability.tasks import sweep_task
    from tests.celery_worker import WorkerProcess

    today = DUE + timedelta(days=6)  # overdue and 督办 reached for every deadline
    for subject_id in range(1, 401):
        duty(subject_id)
    second = WorkerProcess()
    second.start()
    try:
        results = [sweep_task.delay(today=today.isoformat()) for _ in range(4)]
        outcomes = [result.get(timeout=120) for result in results]
    finally:
        second.stop()
    assert sum(outcome["escalations"] for outcome in outcomes if outcome) == 800
    assert Escalation.objects.count() == 800
    assert SupervisionOrder.objects.count() == 400
    # overdue: handler + head; 督办: leader + city and county supervisors (the order adds its own notices)
    assert Notification.objects.filter(escalation__isnull=False).count() == 400 * 5

    killed = WorkerProcess()
    killed.start()
    try:
        LadderPosition.objects.filter(deadline__rule_id=DUTY).update(next_step_on=OPENED)  # look at all again
        sweep_task.apply_async(kwargs={"today": today.isoformat()})
        assert killed.process is not None
        killed.process.kill()  # SIGKILL, whenever it is
        killed.process.wait()
    finally:
        killed.process = None
    assert sweep_task.delay(today=today.isoformat()).get(timeout=120) is not None
    assert Escalation.objects.count() == 800
    assert SupervisionOrder.objects.count() == 400
    assert Notification.objects.filter(escalation__isnull=False).count() == 2000
    assert not LadderPosition.objects.filter(deadline__rule_id=DUTY, next_step_on__lte=today).exists()


def test_the_default_ladder_reaches_one_level_further_up_at_each_rung():
    handling = list(
        EscalationStep.objects.filter(rule_id="petition.handling")
        .order_by("offset_days")
        .values_list("step", "offset_days", "notify", "opens_supervision")
    )
    assert handling == [
        (LadderStep.WARNING, -10, [Recipient.HANDLER], False),
        (LadderStep.OVERDUE, 1, [Recipient.HANDLER, Recipient.SECTION_HEAD], False),
        (LadderStep.SUPERVISION, 5, [Recipient.SECTION_HEAD, Recipient.UNIT_LEADER], True),
        (LadderStep.CIRCULAR, 15, [Recipient.UNIT_LEADER, Recipient.CASE_OWNER], False),
        (LadderStep.SUMMONS, 30, [Recipient.CASE_OWNER, Recipient.SUPERVISORS], False),
    ]
    reply_rungs = EscalationStep.objects.filter(rule_id="accountability.supervision_reply")
    assert not reply_rungs.filter(step=LadderStep.SUPERVISION).exists()  # no 督办 of a 督办
    assert not EscalationStep.objects.filter(
        rule__is_obligation=False
    ).exists()  # petitioners' windows never escalate
