"""Administrative divisions: the loaded national data, the selectors, the picker, the form field, the API, the service."""

from __future__ import annotations

import io
import re

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from core.choices import DivisionLevel
from core.demo import seed_demo_divisions
from core.errors import DomainError
from core.forms import DivisionField
from core.models import AuditEvent, Division
from core.selectors import division_children, division_path, division_search
from core.services.divisions import division_add

pytestmark = pytest.mark.django_db


def codes(divisions) -> list[str]:
    return [division.code for division in divisions]


# --- the data loaded by the migration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "low", "high"),
    [
        (DivisionLevel.PROVINCE, 34, 34),
        (DivisionLevel.CITY, 320, 360),
        (DivisionLevel.COUNTY, 2800, 3500),
        (DivisionLevel.TOWNSHIP, 38_000, 44_000),
    ],
)
def test_the_migration_loads_the_expected_number_of_divisions_per_level(level, low, high):
    assert low <= Division.objects.filter(level=level).count() <= high


def test_the_migration_records_the_load_in_the_audit_log():
    event = AuditEvent.objects.get(action="core.divisions.loaded")
    assert event.detail == {"rows": Division.objects.count()}


def test_a_county_of_a_municipality_hangs_directly_under_the_province():
    dongcheng = Division.objects.get(code="110101")
    assert dongcheng.name == "东城区"
    assert dongcheng.level == DivisionLevel.COUNTY
    assert dongcheng.parent_id == "110000"


def test_a_normal_county_hangs_under_its_city_and_the_city_under_its_province():
    county = Division.objects.select_related("parent").get(code="130102")
    assert (county.name, county.level) == ("长安区", DivisionLevel.COUNTY)
    city = county.parent
    assert city is not None
    assert (city.code, city.name, city.level) == ("130100", "石家庄市", DivisionLevel.CITY)
    assert city.parent_id == "130000"


def test_a_township_hangs_under_its_county():
    township = Division.objects.get(code="110101001")
    assert (township.name, township.level, township.parent_id) == (
        "东华门街道",
        DivisionLevel.TOWNSHIP,
        "110101",
    )


def test_every_division_sits_one_level_below_its_parent_or_a_county_under_a_province():
    pairs = set(
        Division.objects.filter(parent__isnull=False).values_list("level", "parent__level").distinct()
    )
    assert pairs == {(2, 1), (3, 2), (3, 1), (4, 3)}
    assert set(Division.objects.filter(parent__isnull=True).values_list("level", flat=True)) == {1}


# --- selectors ----------------------------------------------------------------------------------------------


def test_division_children_without_a_parent_lists_the_provinces_in_code_order():
    provinces = list(division_children(None))
    assert provinces[0].name == "北京市"
    assert codes(provinces) == sorted(codes(provinces))
    assert {division.level for division in provinces} == {DivisionLevel.PROVINCE}


def test_division_children_leaves_out_inactive_divisions():
    Division.objects.filter(code="110102").update(is_active=False)
    children = codes(division_children("110000"))
    assert "110101" in children
    assert "110102" not in children


def test_division_path_runs_from_the_province_down_to_the_township_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        path = division_path("130102001")
    assert codes(path) == ["130000", "130100", "130102", "130102001"]
    assert [division.level for division in path] == [1, 2, 3, 4]


def test_division_path_of_an_unknown_code_is_empty():
    assert division_path("999999999") == []


def test_division_search_matches_names_and_code_prefixes_ordered_by_level_then_code():
    by_name = list(division_search("东城"))
    assert "110101" in codes(by_name)
    assert [(d.level, d.code) for d in by_name] == sorted((d.level, d.code) for d in by_name)
    by_code = list(division_search("110101", limit=5))
    assert codes(by_code)[0] == "110101"
    assert len(by_code) == 5
    assert all(code.startswith("110101") for code in codes(by_code))


# --- the picker's options and the picker itself -----------------------------------------------------------


def test_the_options_view_returns_the_children_of_a_code(personas, client_for):
    response = client_for(personas.clerk_a).get(
        reverse("core:division_options"), {"parent": "130100", "level": 3}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="130102">长安区</option>' in html
    assert 'data-division-level="3"' in html
    assert "110101" not in html


def test_the_options_view_is_empty_for_a_division_without_children(personas, client_for):
    response = client_for(personas.clerk_a).get(
        reverse("core:division_options"), {"parent": "110101001", "level": 5}
    )
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_the_options_view_requires_sign_in(client_for):
    response = client_for(None).get(reverse("core:division_options"), {"parent": "130100", "level": 3})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_asking_a_municipality_for_cities_goes_straight_to_its_counties(personas, client_for):
    response = client_for(personas.clerk_a).get(
        reverse("core:division_options"), {"parent": "110000", "level": 2}
    )
    html = response.content.decode()
    assert 'data-division-level="3"' in html
    assert 'data-division-skipped="true"' in html
    assert '<option value="110101">东城区</option>' in html
    assert len(re.findall(r'<option value="\d+">', html)) == Division.objects.filter(parent="110000").count()


def render_picker(initial: str = "", default_root: str = "") -> str:
    template = Template('{% load xf %}{% division_picker "problem_division" initial default_root %}')
    return template.render(Context({"initial": initial, "default_root": default_root}))


def select_html(html: str, level: int) -> str:
    match = re.search(
        rf'<div class="division-slot"[^>]*>\s*<div class="field">\s*<label for="id_problem_division_level{level}">'
        rf".*?</select>",
        html,
        re.S,
    )
    assert match, f"no select for level {level}"
    return match.group(0)


def test_the_picker_for_a_municipality_hides_the_city_select_and_shows_the_chosen_path():
    html = render_picker(initial="110101001")
    assert 'name="problem_division" id="id_problem_division" value="110101001"' in html
    assert 'value="110000" selected' in select_html(html, 1)
    assert select_html(html, 2).startswith('<div class="division-slot" hidden>')
    assert 'value="110101" selected' in select_html(html, 3)
    assert 'value="110101001" selected' in select_html(html, 4)
    assert 'src="/static/js/division_picker.js" defer' in html


def test_the_picker_starts_at_the_default_root_when_there_is_no_value():
    html = render_picker(default_root="130100")
    assert 'value="130100"' in html
    assert 'value="130100" selected' in select_html(html, 2)
    assert '<option value="130102">长安区</option>' in select_html(html, 3)
    assert "disabled" in select_html(html, 4)
    assert "hidden" not in select_html(html, 2).split(">")[0]


def test_the_picker_without_value_or_root_offers_only_the_provinces():
    html = render_picker()
    assert 'value=""' in html
    assert '<option value="110000">北京市</option>' in select_html(html, 1)
    for level in (2, 3, 4):
        assert "disabled" in select_html(html, level)


# --- the form field -------------------------------------------------------------------------------------


class PlaceForm(forms.Form):
    problem_division = DivisionField(label="问题发生地")


def test_division_field_accepts_a_real_code_and_returns_the_division():
    form = PlaceForm({"problem_division": "110101001"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["problem_division"] == Division.objects.get(code="110101001")


def test_division_field_refuses_an_unknown_code_in_chinese():
    form = PlaceForm({"problem_division": "110199999"})
    assert not form.is_valid()
    assert form.errors["problem_division"] == ["请选择有效的行政区划。"]


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_lists_the_children_of_a_division(personas, api_for):
    response = api_for(personas.clerk_a).get("/api/v1/divisions/", {"parent": "110000"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Division.objects.filter(parent="110000").count()
    first = body["results"][0]
    assert first == {
        "code": "110101",
        "name": "东城区",
        "level": 3,
        "level_display": "县级",
        "parent_code": "110000",
        "is_active": True,
    }


def test_the_api_without_a_parent_lists_the_provinces(personas, api_for):
    body = api_for(personas.clerk_a).get("/api/v1/divisions/").json()
    assert body["count"] == 34
    assert body["results"][0]["name"] == "北京市"


def test_the_api_searches_by_name(personas, api_for):
    body = api_for(personas.clerk_a).get("/api/v1/divisions/", {"q": "东华门"}).json()
    assert body["count"] >= 1
    assert {"code": "110101001", "name": "东华门街道"}.items() <= body["results"][0].items()
    assert all("东华门" in row["name"] for row in body["results"])


def test_the_api_returns_one_division_by_code(personas, api_for):
    response = api_for(personas.clerk_a).get("/api/v1/divisions/130102/")
    assert response.status_code == 200
    assert response.json()["parent_code"] == "130100"


def test_the_api_requires_authentication(db, api_for):
    assert api_for(None).get("/api/v1/divisions/").status_code == 401


# --- the service ------------------------------------------------------------------------------------------


def test_division_add_creates_an_audited_division(personas):
    division = division_add(
        actor=personas.system_admin, code="990000", name="临江市", level=1, parent_code=None
    )
    assert (division.level, division.parent_id) == (DivisionLevel.PROVINCE, None)
    county = division_add(actor=None, code="990102", name="城关区", level=3, parent_code="990000")
    assert county.parent_id == "990000"
    event = AuditEvent.objects.get(action="core.division.added", object_id="990000")
    assert event.actor == personas.system_admin


def test_division_add_refuses_a_level_that_does_not_fit_under_the_parent():
    with pytest.raises(DomainError) as refused:
        division_add(actor=None, code="110199001", name="某街道", level=4, parent_code="110000")
    assert refused.value.field == "level"
    assert "乡级" in refused.value.message
    assert not Division.objects.filter(code="110199001").exists()


def test_division_add_refuses_a_duplicate_code():
    with pytest.raises(DomainError) as refused:
        division_add(actor=None, code="110101", name="东城区", level=3, parent_code="110000")
    assert refused.value.field == "code"
    assert refused.value.message == "区划代码“110101”已存在。"


def test_the_demo_adds_its_fictional_city_once_with_counties_and_townships_below_it():
    out = io.StringIO()
    seed_demo_divisions(out)
    assert Division.objects.get(code="990000").level == DivisionLevel.PROVINCE
    assert codes(division_children("990000")) == ["990102", "990105", "990121", "990122"]
    assert codes(division_children("990105")) == ["990105001", "990105101"]
    assert codes(division_path("990121200")) == ["990000", "990121", "990121200"]
    assert "990000" in codes(division_children(None))
    added = Division.objects.filter(code__startswith="99").count()
    assert added == 15
    seed_demo_divisions(io.StringIO())
    assert Division.objects.filter(code__startswith="99").count() == added


# --- the reference page ------------------------------------------------------------------------------------


def test_the_reference_page_shows_the_path_and_code_of_the_chosen_division(personas, client_for):
    response = client_for(personas.clerk_a).get(reverse("core:division_browser"), {"code": "110101001"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-testid="division-code">110101001<', html)
    assert re.search(r'data-testid="division-path">北京市 / 东城区 / 东华门街道<', html)


def test_the_reference_page_finds_divisions_by_name(personas, client_for):
    html = (
        client_for(personas.clerk_a).get(reverse("core:division_browser"), {"q": "长安区"}).content.decode()
    )
    assert "130102" in html
    assert "石家庄市" in html


def test_the_reference_page_starts_at_the_division_of_the_users_area(tree, personas, client_for):
    tree.county_a.division_code = "110101"
    tree.county_a.save(update_fields=["division_code"])
    html = client_for(personas.handler_a).get(reverse("core:division_browser")).content.decode()
    assert 'name="code" id="id_code" value="110101"' in html


def test_the_reference_page_is_in_the_menu_of_business_roles_only(personas, client_for):
    assert "行政区划查询" in client_for(personas.clerk_a).get("/").content.decode()
    assert "行政区划查询" not in client_for(personas.audit_admin).get("/").content.decode()
