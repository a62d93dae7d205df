"""登录会话: users see their signed-in sessions (started, last seen, address, browser) and end any of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from core.auth.useragents import browser_label
from core.models import AuditEvent, UserSession
from core.services.maintenance import sessions_clear_expired
from tests.support.accounts import PASSWORD

CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
FIREFOX_KYLIN = "Mozilla/5.0 (X11; Kylin; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)


def signed_in(username: str, *, address: str, agent: str) -> Client:
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    assert client.post("/login/", {"username": username, "password": PASSWORD})["Location"] == "/"
    return client


def test_the_list_shows_each_session_with_its_browser_address_and_times(personas):
    office = signed_in("clerk_a", address="10.1.2.3", agent=CHROME_WINDOWS)
    signed_in("clerk_a", address="10.9.9.9", agent=FIREFOX_KYLIN)
    signed_in("clerk_b", address="10.5.5.5", agent=SAFARI_IPHONE)
    response = office.get("/account/sessions/")
    rows = response.context["rows"]
    assert [(row["browser"], row["session"].ip_address, row["current"]) for row in rows] == [
        ("Firefox 115 · 麒麟", "10.9.9.9", False),
        ("Chrome 120 · Windows", "10.1.2.3", True),
    ]
    html = response.content.decode()
    assert "当前会话" in html
    assert "10.5.5.5" not in html


def test_last_seen_and_address_are_written_at_most_once_a_minute(personas):
    client = signed_in("clerk_a", address="10.1.2.3", agent=CHROME_WINDOWS)
    started = UserSession.objects.get(user=personas.clerk_a)
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        client.get("/", REMOTE_ADDR="10.1.2.4")
        assert UserSession.objects.get(pk=started.pk).last_seen_at == started.last_seen_at
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        client.get("/", REMOTE_ADDR="10.1.2.4")
        seen = UserSession.objects.get(pk=started.pk)
        assert seen.last_seen_at == later
        assert seen.ip_address == "10.1.2.4"
        assert seen.started_at == started.started_at


def test_ending_another_session_signs_that_browser_out_and_is_audited(personas):
    office = signed_in("clerk_a", address="10.1.2.3", agent=CHROME_WINDOWS)
    home = signed_in("clerk_a", address="10.9.9.9", agent=FIREFOX_KYLIN)
    other = UserSession.objects.get(ip_address="10.9.9.9")
    assert office.post(f"/account/sessions/{other.pk}/end/")["Location"] == "/account/sessions/"
    assert home.get("/")["Location"].startswith("/login/")
    assert office.get("/").status_code == 200
    event = AuditEvent.objects.get(action="core.session.ended")
    assert (event.actor, event.detail["ip_address"]) == (personas.clerk_a, "10.9.9.9")


def test_the_current_session_is_ended_by_signing_out_not_from_the_list(personas):
    office = signed_in("clerk_a", address="10.1.2.3", agent=CHROME_WINDOWS)
    current = UserSession.objects.get(user=personas.clerk_a)
    response = office.post(f"/account/sessions/{current.pk}/end/", follow=True)
    assert "请用“退出”结束" in response.content.decode()
    assert office.get("/").status_code == 200
    office.post("/logout/")
    assert not UserSession.objects.filter(pk=current.pk).exists()


def test_someone_elses_session_cannot_be_ended(personas):
    office = signed_in("clerk_a", address="10.1.2.3", agent=CHROME_WINDOWS)
    theirs = signed_in("clerk_b", address="10.5.5.5", agent=SAFARI_IPHONE)
    session = UserSession.objects.get(user=personas.clerk_b)
    response = office.post(f"/account/sessions/{session.pk}/end/", follow=True)
    assert "该会话已结束或不存在" in response.content.decode()
    assert theirs.get("/").status_code == 200


def test_end_all_other_sessions(personas):
    office = signed_in("clerk_a", address="10.1.2.3", agent=CHROME_WINDOWS)
    others = [signed_in("clerk_a", address=f"10.9.9.{n}", agent=FIREFOX_KYLIN) for n in (1, 2)]
    bystander = signed_in("clerk_b", address="10.5.5.5", agent=SAFARI_IPHONE)
    response = office.post("/account/sessions/end-others/", follow=True)
    assert "已结束其他 2 个会话" in response.content.decode()
    assert all(client.get("/")["Location"].startswith("/login/") for client in others)
    assert office.get("/").status_code == 200
    assert bystander.get("/").status_code == 200
    assert AuditEvent.objects.get(action="core.session.others_ended").detail == {"ended": 2, "reason": "user"}


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one_listed(personas):
    office = signed_in("clerk_a", address="10.1.2.3", agent=CHROME_WINDOWS)
    signed_in("clerk_a", address="10.9.9.9", agent=FIREFOX_KYLIN)
    new = "Qingshan#2026-9"
    office.post("/account/", {"old_password": PASSWORD, "new_password": new, "new_password_again": new})
    rows = office.get("/account/sessions/").context["rows"]
    assert [(row["session"].ip_address, row["current"]) for row in rows] == [("10.1.2.3", True)]
    assert AuditEvent.objects.get(action="core.user.password_changed").detail == {"sessions_ended": 1}


def test_expired_sessions_leave_the_list_and_are_cleared_at_night(personas):
    office = signed_in("clerk_a", address="10.1.2.3", agent=CHROME_WINDOWS)
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert sessions_clear_expired() == 1
        assert not UserSession.objects.exists()
        assert office.get("/")["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (CHROME_WINDOWS, "Chrome 120 · Windows"),
        (FIREFOX_KYLIN, "Firefox 115 · 麒麟"),
        (SAFARI_IPHONE, "Safari 17 · iOS"),
        (CHROME_WINDOWS.replace("Safari/537.36", "Safari/537.36 Edg/120.0.2210.61"), "Edge 120 · Windows"),
        ("", "未知浏览器"),
    ],
)
def test_browser_names(agent, label):
    assert browser_label(agent) == label
