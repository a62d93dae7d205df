"""Every read starts from the user's unit subtree; anything outside it is 404, for pages and the API alike."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from core.audit.record import audit_record
from core.selectors import audit_event_qs_visible_to, unit_qs_visible_to, user_qs_visible_to


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_a_county_clerk_sees_the_county_and_below_never_a_sibling(personas):
    assert codes(unit_qs_visible_to(personas.clerk_a)) == ["T-A", "T-A-DM", "T-A-ZJ"]
    assert codes(unit_qs_visible_to(personas.clerk_b)) == ["T-B"]


def test_a_department_handler_sees_only_the_department(personas):
    assert codes(unit_qs_visible_to(personas.handler_a)) == ["T-A-ZJ"]


@pytest.mark.parametrize("name", ["section_head", "leader", "supervisor", "system_admin"])
def test_city_level_roles_see_the_whole_city(personas, name):
    assert len(codes(unit_qs_visible_to(getattr(personas, name)))) == 6


def test_users_are_scoped_like_units(personas):
    names = set(user_qs_visible_to(personas.clerk_a).values_list("username", flat=True))
    assert names == {"clerk_a", "handler_a", "handler_head_a", "auditor_a"}


def test_an_inactive_user_sees_nothing(personas):
    personas.clerk_a.is_active = False
    assert not unit_qs_visible_to(personas.clerk_a).exists()


def test_only_audit_admins_read_the_audit_log(personas):
    for name in ["clerk_a", "section_head", "leader", "supervisor", "system_admin", "security_admin"]:
        assert not audit_event_qs_visible_to(getattr(personas, name)).exists()
    assert audit_event_qs_visible_to(personas.audit_admin).exists()


def test_a_county_audit_admin_reads_only_their_countys_actions(personas):
    with transaction.atomic():
        audit_record(actor=personas.clerk_a, action="test.a")
        audit_record(actor=personas.clerk_b, action="test.b")
        audit_record(actor=None, action="test.system")
    county = set(audit_event_qs_visible_to(personas.county_audit_admin).values_list("action", flat=True))
    city = set(audit_event_qs_visible_to(personas.audit_admin).values_list("action", flat=True))
    assert county == {"test.a"}
    assert {"test.a", "test.b", "test.system"} <= city


@pytest.mark.parametrize(
    ("viewer", "target", "expected"),
    [
        ("clerk_a", "county_a", 200),
        ("clerk_a", "township_a", 200),
        ("clerk_a", "county_b", 404),
        ("clerk_a", "city", 404),
        ("clerk_b", "county_a", 404),
        ("handler_a", "county_a", 404),
        ("section_head", "county_b", 200),
        ("leader", "township_a", 200),
        ("county_audit_admin", "county_b", 404),
    ],
)
def test_unit_page_is_404_outside_the_subtree(personas, tree, client_for, viewer, target, expected):
    response = client_for(getattr(personas, viewer)).get(
        reverse("core:unit_detail", args=[getattr(tree, target).pk])
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("viewer", "target", "expected"),
    [
        ("clerk_a", "county_a", 200),
        ("clerk_a", "county_b", 404),
        ("clerk_b", "township_a", 404),
        ("leader", "county_b", 200),
    ],
)
def test_unit_api_is_404_outside_the_subtree(personas, tree, api_for, viewer, target, expected):
    response = api_for(getattr(personas, viewer)).get(f"/api/v1/units/{getattr(tree, target).pk}/")
    assert response.status_code == expected


def test_unit_api_list_holds_only_the_subtree_with_parent_ids(personas, tree, api_for):
    response = api_for(personas.clerk_a).get("/api/v1/units/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {"T-A", "T-A-DM", "T-A-ZJ"}
    assert rows["T-A-DM"]["parent_id"] == tree.county_a.pk
    assert rows["T-A"]["parent_id"] == tree.city.pk


def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401_or_403(tree, client_for, api_for):
    response = client_for(None).get(reverse("core:unit_detail", args=[tree.city.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert api_for(None).get("/api/v1/units/").status_code in (401, 403)
