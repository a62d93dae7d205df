"""The accounts, key cases and persons the load benchmark signs in as and reads: county clerks, each county's ledger,
the persons the desk searches for."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accountability.models import Deadline
from benchmarks.seed import COUNTIES, benchmark_city_seed, benchmark_county_clerks_ensure, benchmark_root
from benchmarks.seed_keycases import CASES_PER_COUNTY, benchmark_keycases_ensure
from benchmarks.seed_people import PERSONS, UNITS_PER_COUNTY, person, person_of_item
from core.choices import Role, UnitKind
from core.idcard import id_number_validate
from core.models import AuditEvent, Unit, User
from ledger.choices import RESOLVE
from ledger.models import KeyCase
from petitions.search import term_kinds

pytestmark = pytest.mark.django_db


def test_each_county_office_of_the_benchmark_city_has_one_clerk_and_a_second_call_adds_none() -> None:
    benchmark_city_seed(lambda message: None)

    clerks = User.objects.filter(username__startswith="bm_", username__endswith="_clerk", unit__depth=2)
    assert clerks.count() == COUNTIES
    assert all(
        clerk.roles == [Role.CLERK] and clerk.username == f"bm_{clerk.unit.code}_clerk" for clerk in clerks
    )
    assert benchmark_county_clerks_ensure() == 0


def test_clerks_missing_from_an_earlier_seed_are_added() -> None:
    benchmark_city_seed(lambda message: None)
    User.objects.filter(username__endswith="_clerk", unit__depth=2).delete()

    assert benchmark_county_clerks_ensure() == COUNTIES
    assert User.objects.filter(username__endswith="_clerk", unit__depth=2).count() == COUNTIES


def test_each_county_ledger_gets_its_cases_through_the_service_once() -> None:
    benchmark_city_seed(lambda message: None)
    root = benchmark_root()

    created = benchmark_keycases_ensure(today=timezone.localdate())

    assert created == COUNTIES * CASES_PER_COUNTY
    for county in Unit.objects.filter(path__startswith=root.path, depth=2, kind=UnitKind.AREA):
        cases = KeyCase.objects.filter(office=county)
        assert cases.count() == CASES_PER_COUNTY
        assert {case.owner.username for case in cases} == {f"bm_{county.code}_leader"}
        assert all(
            county.contains(case.responsible_unit) and case.responsible_unit.depth == 3 for case in cases
        )
    assert Deadline.objects.filter(rule__kind=RESOLVE, status="open").count() == created
    assert AuditEvent.objects.filter(action="ledger.keycase.created").count() == created
    assert benchmark_keycases_ensure(today=timezone.localdate()) == 0
    assert KeyCase.objects.count() == created


def test_benchmark_persons_have_valid_unique_particulars_the_search_reads_by_their_shape() -> None:
    sample = [person(p) for p in range(0, PERSONS, 97)]

    assert all(id_number_validate(one.id_number) == one.id_number for one in sample)
    assert len({one.id_number for one in sample}) == len({one.phone for one in sample}) == len(sample)
    assert {term_kinds(one.id_number) for one in sample} == {("id_number",)}
    assert {term_kinds(one.phone) for one in sample} == {("phone",)}
    assert {term_kinds(one.name) for one in sample} == {("name", "text")}
    assert {len(one.name) for one in sample} == {2, 3}
    # Every item whose number is the same modulo PERSONS has the same person, in the same unit of the cycle.
    assert person_of_item("BM000000123") == person_of_item(f"BM{123 + PERSONS:09d}") == 123
    assert PERSONS % (COUNTIES * UNITS_PER_COUNTY) == 0
