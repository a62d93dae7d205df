"""Document numbers under concurrency: two first documents of a unit, kind and year never collide."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from petitions.choices import DocumentKind
from petitions.models import DocumentCounter
from petitions.services.documents import _next_number
from tests.support.accounts import Tree


@pytest.mark.django_db(transaction=True)
def test_two_first_documents_issued_at_once_get_numbers_one_and_two(tree: Tree):
    unit = tree.county_a_department
    first_has_number = threading.Event()
    numbers: list[str] = []
    errors: list[BaseException] = []

    def issue(hold: bool) -> None:
        try:
            with transaction.atomic():
                numbers.append(_next_number(unit, DocumentKind.ACCEPTANCE, 2026))
                if hold:
                    first_has_number.set()
                    # Keep the counter row locked a moment: the other issuer must wait, not fail.
                    threading.Event().wait(0.5)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=issue, args=(True,))
    holder.start()
    first_has_number.wait(5)
    waiter = threading.Thread(target=issue, args=(False,))
    waiter.start()
    holder.join(10)
    waiter.join(10)

    assert errors == []
    assert sorted(number[-3:] for number in numbers) == ["〕1号", "〕2号"]
    assert DocumentCounter.objects.get(unit=unit, kind=DocumentKind.ACCEPTANCE, year=2026).last == 2
