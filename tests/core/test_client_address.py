"""The client address: REMOTE_ADDR, or behind a trusted proxy the right-most forwarded address not a proxy of ours.

One rule for lockout records, audit rows, sessions and the public query's limits.
"""

from __future__ import annotations

import ipaddress

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client, RequestFactory

from core.middleware import client_ip
from core.models import AuditEvent, UserSession
from tests.support.accounts import PASSWORD

PROXIES = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("fd00::/8"))


def address(peer: str, forwarded: str | None = None) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


def test_only_a_trusted_proxy_is_believed_and_only_for_the_address_it_appended(settings):
    settings.XF_TRUSTED_PROXIES = PROXIES
    # The direct peer is our proxy: the address it appended (the right-most) is the client.
    assert address("10.0.0.2", "198.51.100.7") == "198.51.100.7"
    # Whatever the client wrote in front of it is not believed.
    assert address("10.0.0.2", "192.0.2.1, 198.51.100.7") == "198.51.100.7"
    # Two proxies of ours in a row are passed over; the first address that is not ours is the client.
    assert address("10.0.0.2", "192.0.2.1, 198.51.100.7, 10.0.0.3") == "198.51.100.7"
    assert address("fd00::2", "2001:db8::7") == "2001:db8::7"
    # A peer that is not our proxy is the client, whatever the header says.
    assert address("198.51.100.7", "192.0.2.1") == "198.51.100.7"
    assert address("10.0.1.2", "192.0.2.1") == "10.0.1.2"
    # Our proxy sent no header, or garbage where its entry should be: the proxy's own address, never the garbage.
    assert address("10.0.0.2") == "10.0.0.2"
    assert address("10.0.0.2", "") == "10.0.0.2"
    assert address("10.0.0.2", "192.0.2.1, not-an-address") == "10.0.0.2"
    assert address("10.0.0.2", "198.51.100.7, 10.0.0.3, unknown") == "10.0.0.2"
    # Only proxies of ours all the way: the left-most is the client (a machine inside the proxies' range).
    assert address("10.0.0.2", "10.0.0.9, 10.0.0.3") == "10.0.0.9"


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.XF_TRUSTED_PROXIES = ()
    assert address("10.0.0.2", "198.51.100.7") == "10.0.0.2"
    settings.XF_TRUSTED_PROXIES = PROXIES
    assert address("10.0.0.2", "198.51.100.7") == "198.51.100.7"


@pytest.mark.django_db
def test_lockout_records_audit_rows_and_sessions_take_the_address_by_the_same_rule(personas, settings):
    settings.XF_TRUSTED_PROXIES = PROXIES
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7")
    assert client.post("/login/", {"username": "clerk_a", "password": "wrong-password"}).status_code == 200
    assert client.post("/login/", {"username": "clerk_a", "password": PASSWORD})["Location"] == "/"

    assert AccessFailureLog.objects.get(username="clerk_a").ip_address == "198.51.100.7"
    assert not AccessAttempt.objects.filter(username="clerk_a").exclude(ip_address="198.51.100.7").exists()
    failed = AuditEvent.objects.get(action="core.auth.login_failed", object_id="clerk_a")
    signed_in = AuditEvent.objects.get(action="core.auth.logged_in", actor=personas.clerk_a)
    assert (failed.ip_address, signed_in.ip_address) == ("198.51.100.7", "198.51.100.7")
    assert UserSession.objects.get(user=personas.clerk_a).ip_address == "198.51.100.7"
