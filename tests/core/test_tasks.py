"""Core's periodic tasks, run by a real Celery worker against the test database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.models import AuditEvent
from core.tasks import sessions_clear_expired_task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery]


def test_the_worker_removes_expired_sessions_and_keeps_live_ones(celery_worker):
    live = SessionStore()
    live["x"] = 1
    live.create()
    expired = SessionStore()
    expired["x"] = 2
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )

    removed = sessions_clear_expired_task.delay().get(timeout=30)

    assert removed == 1
    assert Session.objects.filter(session_key=live.session_key).exists()
    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert AuditEvent.objects.filter(action="core.sessions.cleared", detail__deleted=1).exists()


def test_running_the_cleanup_twice_removes_nothing_the_second_time(celery_worker):
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    assert sessions_clear_expired_task.delay().get(timeout=30) == 1
    assert sessions_clear_expired_task.delay().get(timeout=30) == 0


def test_beat_schedules_the_maintenance_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"core.sessions_clear_expired", "core.login_attempts_purge"} <= scheduled
