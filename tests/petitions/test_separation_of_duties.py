"""三员分立 for petition data: the three admin roles read no petition content and no personal data, and the audit
log they read names petitioners only masked."""

from __future__ import annotations

import pytest

from core.models import AuditEvent
from tests.support.items import DEFAULT_ID_NUMBER

ADMINS = ["system_admin", "security_admin", "audit_admin"]


@pytest.mark.parametrize("admin", ADMINS)
def test_the_admin_roles_read_no_petition_content(item_factory, personas, client_for, api_for, admin):
    item = item_factory.make()
    user = getattr(personas, admin)
    # The list answers with nothing in it; the item itself, the ledger and the dashboard refuse.
    listed = client_for(user).get("/petitions/")
    assert item.number not in listed.content.decode()
    assert list(listed.context["page"]) == []
    for path in [f"/petitions/{item.pk}/", "/ledger/", "/dashboard/"]:
        response = client_for(user).get(path)
        assert response.status_code in {403, 404}, path
        assert item.summary not in response.content.decode()
    for path in ["/api/v1/petitions/", "/api/v1/ledger/key-cases/"]:
        api_listed = api_for(user).get(path)
        assert api_listed.status_code == 403 or api_listed.json()["count"] == 0, path
    for path in [f"/api/v1/petitions/{item.pk}/"]:
        response = api_for(user).get(path)
        assert response.status_code in {403, 404}, path
        assert item.summary not in response.content.decode()


@pytest.mark.parametrize("admin", ADMINS)
def test_the_admin_roles_cannot_reveal_personal_data(item_factory, personas, client_for, api_for, admin):
    item = item_factory.make()
    petitioner = item.item_petitioners.get().petitioner
    user = getattr(personas, admin)
    page = client_for(user).post(f"/petitions/{item.pk}/petitioners/{petitioner.pk}/reveal/id_number/")
    api = api_for(user).post(
        f"/api/v1/petitions/{item.pk}/reveal/",
        {"petitioner": petitioner.pk, "field": "id_number"},
        format="json",
    )
    assert page.status_code in {403, 404}
    assert api.status_code in {403, 404}
    assert DEFAULT_ID_NUMBER not in page.content.decode() + api.content.decode()
    assert not AuditEvent.objects.filter(action="petitions.petitioner.revealed").exists()


def test_the_audit_log_names_petitioners_only_masked(item_factory, personas, client_for, api_for):
    item = item_factory.make()
    petitioner = item.item_petitioners.get()
    revealed = client_for(personas.clerk_a).post(
        f"/petitions/{item.pk}/petitioners/{petitioner.petitioner_id}/reveal/phone/"
    )
    assert revealed.status_code == 200
    page = client_for(personas.audit_admin).get("/audit/", {"object_type": "petitions.petitioner"})
    api = api_for(personas.audit_admin).get("/api/v1/audit-events/", {"object_type": "petitions.petitioner"})
    reprs = {row["object_repr"] for row in api.json()["results"]}
    masked = f"信访人{petitioner.name[0]}{'*' * (len(petitioner.name) - 1)}（编号{petitioner.petitioner_id}）"
    assert reprs == {masked}
    for text in (page.content.decode(), api.content.decode()):
        assert petitioner.name not in text
        assert DEFAULT_ID_NUMBER not in text
        assert petitioner.phone not in text
