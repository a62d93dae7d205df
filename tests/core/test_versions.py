"""Stale edits of units, accounts, roles and holiday years are refused at the top of the form and write nothing."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from core.choices import Role
from core.errors import ConflictError
from core.models import CalendarYear, Unit, User
from core.services.calendar import HolidayArrangement, calendar_year_publish
from core.services.units import unit_update
from core.services.users import user_roles_set, user_update
from tests.versioning import bumped, in_form_error, nothing_written

pytestmark = pytest.mark.django_db


def admin_nonfield_error(html: str, message: str) -> bool:
    """True when the admin shows `message` in the error list above the form's fields."""
    start = html.find('class="errorlist nonfield"')
    return start != -1 and message in html[start : html.find("</ul>", start)]


def unit_form(unit: Unit, version: int, **changes: str) -> dict[str, str]:
    data = {
        "name": unit.name,
        "short_name": unit.short_name,
        "code": unit.code,
        "kind": unit.kind,
        "level": str(unit.level),
        "division_code": unit.division_code,
        "is_active": "on",
        "record_version": str(version),
    }
    data.update(changes)
    return data


def test_the_unit_form_carries_the_version_it_was_loaded_at(personas, tree, client_for):
    page = client_for(personas.system_admin).get(reverse("admin:core_unit_change", args=[tree.county_b.pk]))
    assert 'name="record_version" value="1"' in page.content.decode()


def test_a_unit_edited_from_a_stale_version_is_refused_above_the_form_and_keeps_the_input(
    personas, tree, client_for
):
    unit_update(actor=personas.system_admin, unit_id=tree.county_b.pk, short_name="青山")
    assert bumped(tree.county_b) == 2
    client = client_for(personas.system_admin)
    with nothing_written(tree.county_b):
        response = client.post(
            reverse("admin:core_unit_change", args=[tree.county_b.pk]),
            unit_form(tree.county_b, 1, name="青山县（改）"),
        )
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert admin_nonfield_error(html, "该单位已被他人修改，请刷新页面后重试。")
    assert 'value="青山县（改）"' in html


def test_a_unit_edited_from_the_current_version_is_saved_and_the_version_moves_on(personas, tree, client_for):
    response = client_for(personas.system_admin).post(
        reverse("admin:core_unit_change", args=[tree.county_b.pk]),
        unit_form(tree.county_b, 1, name="青山县（改）"),
    )
    assert response.status_code == 302
    assert Unit.objects.get(pk=tree.county_b.pk).name == "青山县（改）"
    assert bumped(tree.county_b) == 2


def test_the_unit_service_refuses_a_stale_version_with_a_conflict(personas, tree):
    unit_update(actor=personas.system_admin, unit_id=tree.county_b.pk, short_name="青山")
    with nothing_written(tree.county_b), pytest.raises(ConflictError) as refused:
        unit_update(actor=personas.system_admin, unit_id=tree.county_b.pk, expected_version=1, name="改名")
    assert refused.value.message == "该单位已被他人修改，请刷新页面后重试。"


def account_form(user: User, version: int, **changes: str) -> dict[str, str]:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "unit": str(user.unit_id),
        "title": user.title,
        "phone": user.phone,
        "email": user.email,
        "is_active": "on",
        "password": "",
        "record_version": str(version),
    }
    data.update(changes)
    return data


def test_an_account_edited_from_a_stale_version_is_refused_above_the_form_and_keeps_the_input(
    personas, client_for
):
    clerk = personas.clerk_b
    user_update(actor=personas.system_admin, user_id=clerk.pk, title="科员")
    client = client_for(personas.system_admin)
    with nothing_written(clerk):
        response = client.post(
            reverse("admin:core_user_change", args=[clerk.pk]), account_form(clerk, 1, full_name="钱七")
        )
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert admin_nonfield_error(html, "该账号已被他人修改，请刷新页面后重试。")
    assert 'value="钱七"' in html


def test_roles_granted_from_a_stale_version_are_refused_and_nothing_changes(personas, client_for):
    clerk = personas.clerk_b
    user_update(actor=personas.system_admin, user_id=clerk.pk, title="科员")
    client = client_for(personas.security_admin)
    with nothing_written(clerk):
        response = client.post(
            reverse("admin:core_roleassignment_change", args=[clerk.pk]),
            {"roles": ["clerk", "handler"], "record_version": "1"},
        )
    assert response.status_code == 200
    assert admin_nonfield_error(response.content.decode(), "该账号已被他人修改，请刷新页面后重试。")


def test_a_role_change_moves_the_account_version_so_an_open_account_form_goes_stale(personas):
    clerk = personas.clerk_b
    user_roles_set(actor=personas.security_admin, user_id=clerk.pk, roles=[Role.CLERK, Role.HANDLER])
    assert bumped(clerk) == 2
    with nothing_written(clerk), pytest.raises(ConflictError):
        user_update(actor=personas.system_admin, user_id=clerk.pk, expected_version=1, title="科长")


def notice_rows(name: str) -> dict[str, str]:
    return {
        "version": "",
        "notice_title": "国务院办公厅关于2031年部分节假日安排的通知",
        "notice_number": "",
        "published_on": "",
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
        "rows-0-name": name,
        "rows-0-first_day": "2031-10-01",
        "rows-0-last_day": "2031-10-07",
        "rows-0-workdays": "",
    }


def publish_2031(actor: User) -> None:
    calendar_year_publish(
        actor=actor,
        year=2031,
        arrangements=[
            HolidayArrangement(name="国庆节", first_day=date(2031, 10, 1), last_day=date(2031, 10, 7))
        ],
        notice_title="国务院办公厅关于2031年部分节假日安排的通知",
    )


def test_a_holiday_year_entered_by_someone_else_meanwhile_is_refused_and_the_typed_rows_stay(
    personas, client_for
):
    client = client_for(personas.system_admin)
    page = client.get("/calendar/years/2031/")
    assert 'name="version" value="0"' in page.content.decode()
    publish_2031(personas.system_admin)
    year = CalendarYear.objects.get(year=2031)
    with nothing_written(year):
        response = client.post("/calendar/years/2031/", {**notice_rows("国庆中秋"), "version": "0"})
    html = response.content.decode()
    assert in_form_error(html, "2031年节假日安排已被他人修改，请刷新页面后重试。")
    assert 'value="国庆中秋"' in html
    assert set(year.days.values_list("name", flat=True)) == {"国庆节"}


def test_a_holiday_year_corrected_from_a_stale_version_is_refused(personas, client_for):
    publish_2031(personas.system_admin)
    publish_2031(personas.system_admin)  # a correction: version 2
    year = CalendarYear.objects.get(year=2031)
    assert year.version == 2
    client = client_for(personas.system_admin)
    with nothing_written(year):
        stale = client.post("/calendar/years/2031/", {**notice_rows("国庆中秋"), "version": "1"})
    assert in_form_error(stale.content.decode(), "2031年节假日安排已被他人修改，请刷新页面后重试。")
    saved = client.post("/calendar/years/2031/", {**notice_rows("国庆中秋"), "version": "2"})
    assert saved.status_code == 302
    assert bumped(year) == 3
