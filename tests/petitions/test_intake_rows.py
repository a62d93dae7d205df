"""The petitioner rows without scripts: 增加信访人, 上移, 下移 and 删除 submit the form, which comes back with the rows
changed, everything typed kept, nothing judged or registered; at most five representatives, said at the row."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.models import User
from petitions.models import Item
from tests.petitions.test_intake import _typed, parse
from tests.support.accounts import Personas

pytestmark = pytest.mark.django_db

URL = reverse("petitions:intake_visit")


def two_rows(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    data = _typed(**{"petitioners-TOTAL_FORMS": "2", "submission_key": "rows-key"})
    data.update({"petitioners-1-name": "李四", "petitioners-1-phone": "13800138000"})
    data.update(overrides)
    return data


def names(page) -> list[str]:
    return [
        page.values[f"petitioners-{index}-name"][0]
        for index in range(int(page.values["petitioners-TOTAL_FORMS"][0]))
    ]


@pytest.fixture
def client(personas: Personas, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(personas.clerk_a)


def test_adding_a_row_without_scripts_shows_one_more_empty_row_and_keeps_everything_typed(client: Client):
    data = two_rows(rows="add")

    response = client.post(URL, data)

    assert response.status_code == 200
    assert not Item.objects.exists()
    page = parse(response.content)
    assert names(page) == ["王五", "李四", ""]
    assert page.errors == {}  # nothing judged yet: no 必填 on the new row
    assert page.values["summary"] == [data["summary"]]
    assert page.values["petitioners-0-id_number"] == [data["petitioners-0-id_number"]]
    assert page.values["petitioners-0-is_representative"] == ["on"]
    assert page.values["petitioners-1-phone"] == ["13800138000"]
    assert sorted(page.values["markers"]) == sorted(data["markers"])
    assert page.values["submission_key"] == ["rows-key"]  # the same registration: held files stay with it
    new_row = 'name="petitioners-2-name" maxlength="50" autofocus'  # the cursor goes to the new row
    assert new_row in response.content.decode()


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("petitioners-1-up", ["李四", "王五"]),
        ("petitioners-0-down", ["李四", "王五"]),
        ("petitioners-0-remove", ["李四"]),
        ("petitioners-0-up", ["王五", "李四"]),  # the first row cannot go higher
        ("petitioners-1-down", ["王五", "李四"]),
    ],
)
def test_moving_and_removing_rows_without_scripts(client: Client, action: str, expected: list[str]):
    page = parse(client.post(URL, two_rows(rows=action)).content)

    assert names(page) == expected
    assert not Item.objects.exists()


def test_a_moved_row_keeps_its_own_particulars(client: Client):
    page = parse(client.post(URL, two_rows(rows="petitioners-1-up")).content)

    assert page.values["petitioners-0-phone"] == ["13800138000"]
    # 王五, now second, is still the representative
    assert page.values["petitioners-1-is_representative"] == ["on"]
    assert "petitioners-0-is_representative" not in page.values


def test_the_last_row_is_never_removed(client: Client):
    page = parse(client.post(URL, _typed(rows="petitioners-0-remove")).content)

    assert names(page) == ["王五"]


@pytest.mark.parametrize(
    "hostile", ["petitioners-99-up", "petitioners-x-up", "rm -rf", "petitioners-0-" + "9" * 50]
)
def test_a_malformed_row_action_changes_nothing_and_is_no_error(client: Client, hostile: str):
    response = client.post(URL, two_rows(rows=hostile))

    assert response.status_code == 200
    assert names(parse(response.content)) == ["王五", "李四"]


def test_a_thirty_first_row_is_refused_in_chinese(client: Client):
    data = _typed(**{"petitioners-TOTAL_FORMS": "30"})
    for index in range(1, 30):
        data[f"petitioners-{index}-name"] = f"群众{index}"

    response = client.post(URL, {**data, "rows": "add"})

    page = parse(response.content)
    assert len(names(page)) == 30
    assert "信访人最多登记30人" in response.content.decode()


def test_a_file_chosen_before_adding_a_row_is_held_for_the_registration(client: Client):
    scan = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    data = two_rows(rows="add")

    response = client.post(URL, {**data, "others": scan})

    assert 'data-testid="held-file"' in response.content.decode()
    assert "证明.pdf" in response.content.decode()


def test_the_row_buttons_submit_without_scripts_and_are_disabled_where_they_cannot_act(client: Client):
    html = client.get(URL).content.decode()

    assert 'name="rows" value="add"' in html  # 增加信访人 submits when no script intercepts it
    assert 'value="petitioners-0-up" formnovalidate data-move-up disabled' in html
    assert 'value="petitioners-0-remove" formnovalidate data-remove-row disabled' in html
    assert 'data-max-representatives="5"' in html


def test_a_sixth_representative_is_refused_at_its_row(client: Client):
    data = _typed(**{"head_count": "30", "petitioners-TOTAL_FORMS": "6"})
    for index in range(1, 6):
        data[f"petitioners-{index}-name"] = f"代表{index}"
        data[f"petitioners-{index}-is_representative"] = "on"

    page = parse(client.post(URL, data).content)

    assert set(page.errors) == {"petitioners-5-is_representative"}
    assert "集体访推选的代表不得超过5人" in page.errors["petitioners-5-is_representative"]
    assert not Item.objects.exists()
