"""Core pages: who may open them, what they show, how many queries lists take, and the error pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent, CalendarYear

EVERYONE = [
    "clerk_a",
    "clerk_b",
    "handler_a",
    "section_head",
    "leader",
    "supervisor",
    "system_admin",
    "security_admin",
    "audit_admin",
]


@pytest.mark.parametrize("name", EVERYONE)
@pytest.mark.parametrize("url_name", ["core:home", "core:calendar", "core:account"])
def test_common_pages_open_for_every_role(personas, client_for, name, url_name):
    assert client_for(getattr(personas, name)).get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize(
    ("url_name", "allowed"),
    [
        ("core:audit_list", {"audit_admin"}),
        ("core:calendar_year_list", {"system_admin"}),
        ("admin:index", {"system_admin", "security_admin"}),
    ],
)
def test_admin_pages_open_only_for_their_role(personas, client_for, url_name, allowed):
    for name in EVERYONE:
        response = client_for(getattr(personas, name)).get(reverse(url_name))
        if name in allowed:
            assert response.status_code == 200, name
        else:
            assert response.status_code in (302, 403), name


def test_navigation_shows_each_role_its_own_entries(personas, client_for):
    def menu(name):
        return client_for(getattr(personas, name)).get("/").content.decode()

    clerk, auditor, sysadmin = menu("clerk_a"), menu("audit_admin"), menu("system_admin")
    assert "期限计算" in clerk
    assert "审计日志" not in clerk
    assert "节假日录入" not in clerk
    assert "审计日志" in auditor
    assert "期限计算" not in auditor
    assert "账号与角色" not in auditor
    assert "节假日录入" in sysadmin
    assert "账号与角色" in sysadmin
    assert "审计日志" not in sysadmin


def test_the_home_page_names_the_users_unit_and_roles(personas, client_for):
    html = client_for(personas.handler_a).get("/").content.decode()
    assert "城关区住房和城乡建设局" in html
    assert "承办人" in html


def test_the_unit_tree_takes_a_fixed_number_of_queries(personas, client_for, django_assert_max_num_queries):
    client = client_for(personas.leader)
    # 8 for the page, 1 for the unread count in the header, 1 for the authenticator that verified the session, and
    # the menu's work-queue counts: one COUNT per counted queue of the leader (4) and the subtree ids they share
    with django_assert_max_num_queries(15):
        response = client.get(reverse("core:unit_list"))
    assert response.content.decode().count("/units/") >= 6


def test_the_audit_list_takes_a_fixed_number_of_queries(personas, client_for, django_assert_max_num_queries):
    client = client_for(personas.audit_admin)
    with django_assert_max_num_queries(11):  # including the authenticator that verified the session
        response = client.get(reverse("core:audit_list"))
    assert response.status_code == 200


def test_the_audit_list_filters_by_account(personas, client_for):
    client_for(personas.clerk_a)  # force_login writes a sign-in row for clerk_a
    client = client_for(personas.audit_admin)
    response = client.get(reverse("core:audit_list"), {"actor_username": "clerk_a"})
    rows = list(response.context["page"])
    assert rows
    assert all(row.actor_username == "clerk_a" for row in rows)


def test_the_year_view_marks_holidays_and_make_up_days(personas, client_for):
    html = client_for(personas.clerk_a).get(reverse("core:calendar"), {"year": 2026}).content.decode()
    assert 'title="国庆节（调休上班）"' in html
    assert 'title="春节（放假）"' in html


def test_a_year_without_a_schedule_says_so(personas, client_for):
    html = client_for(personas.clerk_a).get(reverse("core:calendar"), {"year": 2027}).content.decode()
    assert "尚未录入" in html


def test_the_calculator_shows_the_rolled_forward_date(personas, client_for):
    response = client_for(personas.clerk_a).get(
        reverse("core:due_calculator"),
        {"start": "2025-08-02", "days": 60, "unit": "calendar", "roll_forward": "on"},
    )
    html = response.content.decode()
    assert "2025-10-09" in html
    assert "顺延" in html


def test_system_admin_sees_a_warning_while_next_years_schedule_is_missing(personas, client_for):
    html = client_for(personas.system_admin).get("/").content.decode()
    assert 'data-testid="calendar-warning"' in html  # today is in late 2026, 2027 is not in the package
    assert 'data-testid="calendar-warning"' not in client_for(personas.clerk_a).get("/").content.decode()


def test_entering_a_years_notice_through_the_page(personas, client_for):
    client = client_for(personas.system_admin)
    data = {
        "notice_title": "国务院办公厅关于2027年部分节假日安排的通知",
        "notice_number": "国办发明电〔2026〕9号",
        "published_on": "2026-11-10",
        "rows-TOTAL_FORMS": "2",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "1",
        "rows-MAX_NUM_FORMS": "20",
        "rows-0-name": "元旦",
        "rows-0-first_day": "2027-01-01",
        "rows-0-last_day": "2027-01-03",
        "rows-0-workdays": "",
        "rows-1-name": "春节",
        "rows-1-first_day": "2027-02-06",
        "rows-1-last_day": "2027-02-13",
        "rows-1-workdays": "2027-01-31，2027-02-20",
    }
    response = client.post(reverse("core:calendar_year_edit", args=[2027]), data)
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).notice_number == "国办发明电〔2026〕9号"
    assert AuditEvent.objects.filter(action="core.calendar.published", actor=personas.system_admin).exists()


def test_a_bad_make_up_day_is_shown_at_its_field_and_the_typed_rows_are_kept(personas, client_for):
    client = client_for(personas.system_admin)
    data = {
        "notice_title": "2027年安排",
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "1",
        "rows-MAX_NUM_FORMS": "20",
        "rows-0-name": "劳动节",
        "rows-0-first_day": "2027-05-01",
        "rows-0-last_day": "2027-05-05",
        "rows-0-workdays": "2027-04-31",
    }
    response = client.post(reverse("core:calendar_year_edit", args=[2027]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "“2027-04-31”不是有效日期" in html
    assert 'value="劳动节"' in html
    assert 'value="2027-04-31"' in html
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_not_found_and_forbidden_pages_are_in_chinese(personas, client_for):
    client = client_for(personas.clerk_a)
    missing = client.get("/units/999999/")
    assert missing.status_code == 404
    assert "不在您所在单位的查看范围内" in missing.content.decode()
    forbidden = client.get(reverse("core:audit_list"))
    assert forbidden.status_code == 403
    assert "无权访问" in forbidden.content.decode()


def test_the_admin_site_shows_each_admin_only_their_models(personas, client_for):
    sysadmin = client_for(personas.system_admin).get(reverse("admin:index")).content.decode()
    secadmin = client_for(personas.security_admin).get(reverse("admin:index")).content.decode()
    assert "/admin/core/user/" in sysadmin
    assert "/admin/core/unit/" in sysadmin
    assert "/admin/core/roleassignment/" not in sysadmin
    assert "/admin/core/roleassignment/" in secadmin
    assert "/admin/axes/accessattempt/" in secadmin
    assert "/admin/core/user/" not in secadmin


def test_security_admin_grants_roles_through_the_admin_and_cannot_combine_admin_roles(personas, client_for):
    client = client_for(personas.security_admin)
    url = reverse("admin:core_roleassignment_change", args=[personas.clerk_b.pk])
    refused = client.post(url, {"roles": ["audit_admin", "clerk"]})
    assert refused.status_code == 200
    assert "三者分立" in refused.content.decode()
    accepted = client.post(url, {"roles": ["clerk", "handler"]})
    assert accepted.status_code == 302
    personas.clerk_b.refresh_from_db()
    assert personas.clerk_b.roles == ["clerk", "handler"]


def test_system_admin_opens_an_account_through_the_admin(personas, tree, client_for):
    client = client_for(personas.system_admin)
    weak = client.post(
        reverse("admin:core_user_add"),
        {
            "username": "zhaoliu",
            "full_name": "赵六",
            "unit": tree.county_b.pk,
            "is_active": "on",
            "password": "short",
        },
    )
    assert weak.status_code == 200
    assert "至少需要12个字符" in weak.content.decode()
    ok = client.post(
        reverse("admin:core_user_add"),
        {
            "username": "zhaoliu",
            "full_name": "赵六",
            "unit": tree.county_b.pk,
            "is_active": "on",
            "password": "Qingshan@2026",
        },
    )
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(action="core.user.created", object_repr__contains="zhaoliu").exists()


def test_the_system_admin_cannot_open_an_account_outside_their_subtree(personas, tree, make_user, client_for):
    county_sysadmin = make_user(tree.county_a, ["system_admin"], "sysadmin_a")
    response = client_for(county_sysadmin).post(
        reverse("admin:core_user_add"),
        {
            "username": "wrongplace",
            "full_name": "错位",
            "unit": tree.county_b.pk,
            "is_active": "on",
            "password": "Qingshan@2026",
        },
    )
    assert response.status_code == 200
    assert "wrongplace" not in {u.username for u in tree.county_b.users.all()}
