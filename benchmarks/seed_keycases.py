"""Key cases for the benchmark city, put on the ledger by each county's section head through the ledger service."""

from __future__ import annotations

from datetime import date, timedelta

from benchmarks.seed import benchmark_root
from core.choices import UnitKind
from core.models import Unit, User
from ledger.choices import RiskLevel, Source
from ledger.models import KeyCase
from ledger.services.keycases import KeyCaseInput, keycase_create

CASES_PER_COUNTY = 12
RISKS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)
SOURCES = (Source.SCREENING, Source.ESCALATED_ITEM, Source.CITY_LEADER, Source.HIGHER_REFERRAL)


def benchmark_keycases_ensure(*, today: date) -> int:
    """Put CASES_PER_COUNTY cases on each county's ledger unless the benchmark city has some; returns how many."""
    root = benchmark_root()
    if KeyCase.objects.filter(office__path__startswith=root.path).exists():
        return 0
    created = 0
    for county in Unit.objects.filter(path__startswith=root.path, depth=2, kind=UnitKind.AREA).order_by(
        "path"
    ):
        head = User.objects.get(username=f"bm_{county.code}_section_head")
        owner = User.objects.get(username=f"bm_{county.code}_leader")
        townships = list(
            Unit.objects.filter(path__startswith=county.path, depth=3, kind=UnitKind.AREA).order_by("path")
        )
        for n in range(CASES_PER_COUNTY):
            township = townships[n % len(townships)]
            keycase_create(
                actor=head,
                data=KeyCaseInput(
                    title=f"{township.name}征地补偿纠纷（第{n + 1}组）",
                    problem="部分村民反映征地补偿款未足额发放，多次到区信访局反映。",
                    group_concerned="被征地农民",
                    source=SOURCES[n % len(SOURCES)],
                    risk_level=RISKS[n % len(RISKS)],
                    head_count=10 + n,
                    owner_id=owner.pk,
                    responsible_unit_id=township.pk,
                    measures="核实补偿台账，分户答复，逐户稳控。",
                    opened_on=today - timedelta(days=30 + n),
                    resolve_by=today + timedelta(days=n * 5 - 20),
                ),
            )
            created += 1
    return created
