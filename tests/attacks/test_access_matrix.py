"""Access matrix: every named route of the pages and the API × every persona × own and other unit × each method.

The routes come from the URL configuration; a route missing from ROUTES fails the test, so nothing new falls
outside the matrix. What each role may do is written once per area and kind of route in POLICY; every response is
classed as a success (2xx, or a redirect anywhere but the sign-in page) or a refusal. A success the policy refuses
is counted, and so is an object of another unit that is not a 404 for a role the policy lets in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from core.choices import ADMIN_ROLES, BUSINESS_ROLES, Role
from core.models import AuditEvent, Unit, User
from ledger.views.excel import SESSION_KEY as IMPORT_SESSION_KEY
from petitions.steps import STEPS
from tests.attacks.world import NOW, PLACES, Objects, World, world_build
from tests.support.accounts import API_PERSONAS, Personas, Tree, inside_and_outside, signed_in_verified
from tests.support.items import DEFAULT_ID_NUMBER

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
EVERYONE = frozenset({ANONYMOUS, *BUSINESS_ROLES, *ADMIN_ROLES})
SIGNED_IN = EVERYONE - {ANONYMOUS}
BUSINESS = frozenset(BUSINESS_ROLES)
NOBODY: frozenset[str] = frozenset()
CLERK, HANDLER, HEAD = Role.CLERK.value, Role.HANDLER.value, Role.SECTION_HEAD.value
LEADER, SUPERVISOR = Role.LEADER.value, Role.SUPERVISOR.value
SYSADMIN, SECADMIN, AUDITOR = Role.SYSTEM_ADMIN.value, Role.SECURITY_ADMIN.value, Role.AUDIT_ADMIN.value

# Who may get through, per area and kind of route. "rows" is a list that answers everyone signed in with the rows
# they may see (the admin roles get an empty one); whatever the kind, another unit's object never shows in a list.
POLICY: dict[str, dict[str, AbstractSet[str]]] = {
    "public": {"page": EVERYONE, "action": EVERYONE},
    "account": {"page": SIGNED_IN, "action": SIGNED_IN},
    "units": {"list": SIGNED_IN, "detail": SIGNED_IN},
    "calendar": {"page": SIGNED_IN, "list": SIGNED_IN, "detail": SIGNED_IN},
    "calendar_admin": {"list": {SYSADMIN}, "detail": {SYSADMIN}, "action": {SYSADMIN}},
    "audit": {"list": {AUDITOR}, "detail": {AUDITOR}},
    "divisions": {"page": SIGNED_IN, "list": SIGNED_IN, "detail": SIGNED_IN},
    "intake": {"page": {CLERK, HEAD}, "action": {CLERK, HEAD}},
    "petitions": {
        "rows": SIGNED_IN,
        "detail": BUSINESS,
        "action": {CLERK, HANDLER, HEAD},
        "download": BUSINESS,
        "reveal": {CLERK, HANDLER, HEAD},
        "correct": {CLERK, HEAD},
    },
    # A person is read only through the items in the reader's reach; the admin roles find nobody.
    "petitioners": {
        "search": SIGNED_IN,
        "detail": BUSINESS,
        "rows": BUSINESS,
        "register": BUSINESS,
        "export": BUSINESS,
    },
    # The ledger pages are for the roles that run cases; every business role reads them through the API and the
    # export, scoped to its subtree.
    "ledger": {
        "list": {HEAD, LEADER, SUPERVISOR, HANDLER},
        "detail": {HEAD, LEADER, SUPERVISOR, HANDLER},
        "action": {HEAD, LEADER, HANDLER},
        "export": BUSINESS,
        "rows": SIGNED_IN,
        "read": BUSINESS,
    },
    "ledger_office": {"page": {HEAD}, "action": {HEAD}, "export": {HEAD}},
    "my_cases": {"list": {LEADER}},
    "screening": {"list": BUSINESS, "rows": SIGNED_IN, "detail": BUSINESS, "action": {CLERK, HANDLER, HEAD}},
    "periods": {
        "list": BUSINESS | {SYSADMIN},
        "rows": SIGNED_IN,
        "detail": BUSINESS | {SYSADMIN},
        "action": {SYSADMIN, HEAD},
        "page": {SYSADMIN, HEAD},
    },
    "daily": {"list": BUSINESS, "rows": SIGNED_IN, "detail": BUSINESS, "action": {CLERK, HANDLER, HEAD}},
    "inbox": {"list": SIGNED_IN, "action": SIGNED_IN, "detail": SIGNED_IN},
    "supervision": {"list": BUSINESS, "detail": BUSINESS, "action": BUSINESS, "issuer": {SUPERVISOR}},
    "circulars": {"list": BUSINESS, "detail": BUSINESS, "action": {SUPERVISOR}},
    "records": {"list": BUSINESS, "detail": BUSINESS, "action": {SUPERVISOR}},
    "measures": {"page": {LEADER, HEAD, SUPERVISOR}, "export": {LEADER, HEAD, SUPERVISOR}},
    "health": {"page": {SYSADMIN, SUPERVISOR}},
    # Supervisors read the escalation rules; only the system admin opens a rung's form or changes it.
    "ladder": {"page": {SYSADMIN, SUPERVISOR}, "edit": {SYSADMIN}, "action": {SYSADMIN}},
    "bulletins": {
        "list": {LEADER, HEAD, SUPERVISOR},
        "detail": {LEADER, HEAD, SUPERVISOR},
        "export": {LEADER, HEAD, SUPERVISOR},
        "action": {LEADER, SUPERVISOR},
    },
    "admin_site": {
        "page": {SYSADMIN, SECADMIN},
        "detail": {SYSADMIN, SECADMIN},
        "action": {SYSADMIN, SECADMIN},
    },
    "admin_accounts": {"list": {SYSADMIN}, "detail": {SYSADMIN}, "action": {SYSADMIN}, "delete": NOBODY},
    "admin_roles": {"list": {SECADMIN}, "detail": {SECADMIN}, "action": {SECADMIN}, "delete": NOBODY},
    "api_docs": {"page": SIGNED_IN},
}

Args = Callable[[World, Objects], dict[str, Any]]
NO_ARGS: Args = lambda world, objects: {}  # noqa: E731


@dataclass(frozen=True)
class Route:
    """One route: its area, the kind of each method it serves, and how to fill in its URL from a place."""

    area: str
    kinds: dict[str, str]
    args: Args = NO_ARGS
    scoped: bool = False  # the URL names an object that belongs to a place
    rows: Callable[[Objects], str] | None = (
        None  # how a place's object shows in this list (an id or some text)
    )
    query: str = ""


def page(
    area: str,
    kind: str = "page",
    args: Args = NO_ARGS,
    scoped: bool = False,
    post: str = "",
    rows: Callable[[Objects], str] | None = None,
    query: str = "",
) -> Route:
    kinds = {"GET": kind}
    if post:
        kinds["POST"] = post
    return Route(area, kinds, args, scoped, rows, query)


def link(template: str, pick: Callable[[Objects], Any]) -> Callable[[Objects], str]:
    """A list shows a place's object as a link to its page."""
    return lambda objects: 'href="' + template.format(pick(objects).pk) + '"'


def api_rows(area: str, pick: Callable[[Objects], Any], kinds: dict[str, str] | None = None) -> Route:
    return Route(area, kinds or {"GET": "rows"}, rows=lambda objects: f"<id {pick(objects).pk}>")


def posted(area: str, args: Args = NO_ARGS, scoped: bool = False, kind: str = "action") -> Route:
    return Route(area, {"POST": kind}, args, scoped)


def on(pick: Callable[[Objects], Any], name: str) -> Args:
    """Fill `name` in with the pk of the object `pick` takes from the place."""
    return lambda world, objects: {name: pick(objects).pk}


def item_and(pick: Callable[[Objects], Any], name: str, **extra: str) -> Args:
    return lambda world, objects: {"item_id": objects.item.pk, name: pick(objects).pk, **extra}


def api_pk(pick: Callable[[Objects], Any]) -> Args:
    return on(pick, "pk")


def admin_object(pick: Callable[[World, Objects], Any]) -> Args:
    return lambda world, objects: {"object_id": str(pick(world, objects).pk)}


def admin_routes(
    model: str, area: str, pick: Callable[[World, Objects], Any], scoped: bool = True
) -> dict[str, Route]:
    prefix = f"admin:{model}"
    one = admin_object(pick)
    return {
        f"{prefix}_changelist": page(area, "list", post="action"),
        f"{prefix}_add": page(area, "detail", post="action"),
        f"{prefix}_history": page(area, "detail", one, scoped),
        f"{prefix}_delete": page(area, "delete", one, scoped, post="delete"),
        f"{prefix}_change": page(area, "detail", one, scoped, post="action"),
        f"admin/{model.replace('_', '/', 1)}/<path:object_id>/": page(area, "detail", one, scoped),
    }


API_READ = {"GET": "list"}
API_LIST_CREATE = {"GET": "list", "POST": "action"}
API_DETAIL = {"GET": "detail"}

ROUTES: dict[str, Route] = {
    # --- core pages ---
    "core:home": page("account"),
    "core:login": page("public", post="action"),
    "core:logout": posted("account"),
    "core:account": page("account"),
    "core:login_verify": page("public", post="action"),
    "core:login_enrol": page("public", post="action"),
    "core:password_change": page("account", post="action"),
    "core:session_list": page("account"),
    "core:session_end": posted("account", lambda w, o: {"session_id": 1}),
    "core:session_end_others": posted("account"),
    "core:account_two_factor": page("account"),
    "core:account_two_factor_add": page("account", post="action"),
    "core:account_two_factor_remove": posted("account", lambda w, o: {"device_id": 1}),
    "core:api_token_issue": posted("account"),
    "core:api_token_revoke": posted("account"),
    "core:unit_list": page("units", "list", rows=link("/units/{}/", lambda o: o.item.registered_unit)),
    "core:unit_detail": page("units", "detail", lambda w, o: {"unit_id": o.item.registered_unit_id}, True),
    "core:calendar": page("calendar"),
    "core:due_calculator": page("calendar"),
    "core:calendar_year_list": page("calendar_admin", "list"),
    "core:calendar_year_edit": page("calendar_admin", "detail", lambda w, o: {"year": 2026}, post="action"),
    "core:audit_list": page("audit", "list"),
    "core:division_browser": page("divisions"),
    "core:division_options": page("divisions", "list"),
    "public:public_query": page("public", post="action"),
    "healthz": page("public"),
    # --- petitions ---
    "petitions:intake_visit": page("intake", post="action"),
    "petitions:intake_letter": page("intake", post="action"),
    "petitions:intake_phone": page("intake", post="action"),
    "petitions:intake_online": page("intake", post="action"),
    "petitions:intake_mailbox": page("intake", post="action"),
    "petitions:intake": page("intake", args=lambda w, o: {"channel": "phone"}, post="action"),
    "petitions:intake_suggestions": page(
        "intake", "page", rows=lambda o: o.item.number, query=f"?petitioners-0-id_number={DEFAULT_ID_NUMBER}"
    ),
    "petitions:item_list": page("petitions", "rows", rows=link("/petitions/{}/", lambda o: o.item)),
    # The list's search box: it keeps the term in the session and opens the list (everyone signed in, like the list).
    "petitions:item_search": posted("petitions", kind="rows"),
    "petitions:item_detail": page("petitions", "detail", on(lambda o: o.item, "item_id"), True),
    "petitions:item_receipt": page("petitions", "detail", on(lambda o: o.item, "item_id"), True),
    "petitions:item_step": posted("petitions", lambda w, o: {"item_id": o.item.pk, "action": "reply"}, True),
    "petitions:document_print": page(
        "petitions", "detail", item_and(lambda o: o.document, "document_id"), True
    ),
    "petitions:document_delivery": posted("petitions", item_and(lambda o: o.document, "document_id"), True),
    "petitions:attachment_upload": posted("petitions", on(lambda o: o.item, "item_id"), True),
    "petitions:attachment_download": page(
        "petitions", "download", item_and(lambda o: o.attachment, "attachment_id"), True
    ),
    "petitions:petitioner_correct": page(
        "petitions", "correct", item_and(lambda o: o.petitioner, "petitioner_id"), True, post="correct"
    ),
    "petitions:reveal": posted(
        "petitions", item_and(lambda o: o.petitioner, "petitioner_id", field="id_number"), True, kind="reveal"
    ),
    # --- ledger ---
    "ledger:case_list": page("ledger", "list", rows=link("/ledger/{}/", lambda o: o.case)),
    "ledger:case_create": page("ledger_office", post="action"),
    "ledger:case_bulk": posted("ledger_office"),
    "ledger:my_cases": page("my_cases", "list", rows=link("/ledger/{}/", lambda o: o.case)),
    "ledger:case_detail": page("ledger", "detail", on(lambda o: o.case, "case_id"), True),
    "ledger:case_action": posted("ledger", lambda w, o: {"case_id": o.case.pk, "action": "progress"}, True),
    "ledger:round_list": page("screening", "list"),
    "ledger:round_detail": page("screening", "detail", lambda w, o: {"round_id": w.round_.pk}),
    "ledger:report_file": page(
        "screening", "detail", on(lambda o: o.report, "report_id"), True, post="action"
    ),
    "ledger:finding_list": page("screening", "list", rows=lambda o: o.finding.description),
    "ledger:finding_promote": page(
        "ledger_office", "page", on(lambda o: o.finding, "finding_id"), True, post="action"
    ),
    "ledger:period_list": page("periods", "list", rows=link("/ledger/periods/{}/", lambda o: o.period)),
    "ledger:period_create": page("periods", "page", post="action"),
    "ledger:period_detail": page("periods", "detail", on(lambda o: o.period, "period_id"), True),
    "ledger:period_end": posted("periods", on(lambda o: o.period, "period_id"), True),
    "ledger:daily_file": page("daily", "detail", on(lambda o: o.daily, "report_id"), True, post="action"),
    "ledger:export": page("ledger", "export", rows=lambda o: o.case.title),
    "ledger:import": page("ledger_office", post="action"),
    "ledger:import_template": page("ledger_office", "export"),
    "ledger:import_preview": page(
        "ledger_office",
        "page",
        lambda w, o: {"token": o.import_token},
        True,
        post="action",
    ),
    # --- accountability ---
    "accountability:inbox": page(
        "inbox", "list", rows=link("/accountability/escalations/{}/", lambda o: o.escalation)
    ),
    "accountability:inbox_mark_read": posted("inbox"),
    "accountability:escalation_open": page(
        "inbox", "detail", on(lambda o: o.escalation, "escalation_id"), True
    ),
    "accountability:supervision_list": page(
        "supervision", "list", rows=link("/accountability/supervision/{}/", lambda o: o.order)
    ),
    "accountability:supervision_create": page("supervision", "issuer", post="issuer"),
    "accountability:supervision_detail": page(
        "supervision", "detail", on(lambda o: o.order, "order_id"), True, post="action"
    ),
    "accountability:supervision_print": page(
        "supervision", "detail", on(lambda o: o.order, "order_id"), True
    ),
    "accountability:supervision_close": posted(
        "supervision", on(lambda o: o.order, "order_id"), True, kind="issuer"
    ),
    "accountability:circular_list": page(
        "circulars", "list", post="action", rows=link("/accountability/circulars/{}/", lambda o: o.circular)
    ),
    "accountability:circular_detail": page(
        "circulars", "detail", on(lambda o: o.circular, "circular_id"), True
    ),
    "accountability:record_list": page("records", "list", post="action", rows=lambda o: o.record.person_name),
    "accountability:assessment": page("measures"),
    "accountability:health": page("health"),
    "accountability:ladder": page("ladder"),
    "accountability:ladder_step": page(
        "ladder",
        "edit",
        lambda w, o: {"step_id": w.ladder_step.pk},
        post="action",
    ),
    # --- dashboard ---
    "dashboard:overview": page("measures"),
    "dashboard:bulletin_list": page(
        "bulletins", "list", rows=link("/dashboard/bulletins/{}/", lambda o: o.bulletin)
    ),
    "dashboard:bulletin_generate": posted("bulletins"),
    "dashboard:bulletin_detail": page("bulletins", "detail", on(lambda o: o.bulletin, "bulletin_id"), True),
    "dashboard:bulletin_excel": page("bulletins", "export", on(lambda o: o.bulletin, "bulletin_id"), True),
    # --- admin site ---
    "admin:index": page("admin_site"),
    "admin:login": page("public", post="action"),
    "admin:logout": posted("admin_site"),
    "admin:password_change": page("admin_site", post="action"),
    "admin:password_change_done": page("admin_site"),
    "admin:autocomplete": page("admin_site", "page"),
    "admin:jsi18n": page("admin_site"),
    "admin:view_on_site": page(
        "admin_site",
        "detail",
        lambda w, o: {
            "content_type_id": str(ContentType.objects.get_for_model(Unit).pk),
            "object_id": str(o.item.registered_unit_id),
        },
        True,
    ),
    **admin_routes("core_unit", "admin_accounts", lambda w, o: o.item.registered_unit),
    **admin_routes("core_user", "admin_accounts", lambda w, o: o.item.registered_by),
    **admin_routes("core_roleassignment", "admin_roles", lambda w, o: o.item.registered_by),
    **admin_routes("axes_accessattempt", "admin_roles", lambda w, o: w.access_attempt, scoped=False),
    "admin:app_list": page("admin_site", args=lambda w, o: {"app_label": "core"}),
    "admin/(?P<url>.*)$": page("admin_site", args=lambda w, o: {"url": "core/nothing/"}),
    # --- API ---
    "api:api-root": Route("api_docs", {"GET": "page"}),
    "api:schema": Route("api_docs", {"GET": "page"}),
    "api:docs": Route("api_docs", {"GET": "page"}),
    "api:me": Route("account", {"GET": "page"}),
    "api:me-queue": Route("account", {"GET": "page"}),
    "api:calendar-due": Route("calendar", {"GET": "page"}),
    "api:unit-list": api_rows("units", lambda o: o.item.registered_unit, {"GET": "list"}),
    "api:unit-detail": Route("units", API_DETAIL, lambda w, o: {"pk": o.item.registered_unit_id}, True),
    "api:audit-event-list": api_rows("audit", lambda o: o.audit_event, {"GET": "list"}),
    "api:audit-event-detail": Route("audit", API_DETAIL, api_pk(lambda o: o.audit_event), True),
    "api:calendar-year-list": Route("calendar", API_READ),
    "api:calendar-year-detail": Route("calendar", API_DETAIL, lambda w, o: {"year": 2026}),
    "api:calendar-day-list": Route("calendar", API_READ),
    "api:calendar-day-detail": Route("calendar", API_DETAIL, lambda w, o: {"date": "2026-10-01"}),
    "api:division-list": Route("divisions", API_READ),
    "api:division-detail": Route(
        "divisions",
        API_DETAIL,
        lambda w, o: {"code": w.division.code},
    ),
    "api:petition-list": api_rows("petitions", lambda o: o.item, {"GET": "rows", "POST": "action"}),
    "api:petition-detail": Route("petitions", API_DETAIL, api_pk(lambda o: o.item), True),
    **{
        f"api:petition-{action}": Route("petitions", {"POST": "action"}, api_pk(lambda o: o.item), True)
        for action in [str(key) for key in STEPS] + ["close"]
        if action not in {"deliver"}
    },
    "api:petition-reveal": Route("petitions", {"POST": "reveal"}, api_pk(lambda o: o.item), True),
    "api:petition-document-deliver": Route(
        "petitions",
        {"POST": "action"},
        lambda w, o: {"pk": o.item.pk, "document_id": o.document.pk},
        True,
    ),
    "api:petition-correct-petitioner": Route(
        "petitions", {"POST": "correct"}, api_pk(lambda o: o.item), True
    ),
    "api:petitioner-search": Route("petitioners", {"POST": "search"}),
    "api:petitioner-repeat-register": Route("petitioners", {"GET": "register"}),
    "petitions:petitioner_file": page(
        "petitioners", "detail", on(lambda o: o.petitioner, "petitioner_id"), True
    ),
    "petitions:repeat_register": page("petitioners", "register"),
    "petitions:repeat_register_export": page("petitioners", "export"),
    "api:petitioner-detail": Route("petitioners", API_DETAIL, api_pk(lambda o: o.petitioner), True),
    "api:petitioner-items": Route(
        "petitioners",
        {"GET": "rows"},
        api_pk(lambda o: o.petitioner),
        True,
        rows=lambda objects: f"<id {objects.item.pk}>",
    ),
    "api:ledger-keycase-list": api_rows("ledger", lambda o: o.case, {"GET": "rows", "POST": "action"}),
    "api:ledger-keycase-detail": Route(
        "ledger", {"GET": "read", "PATCH": "action"}, api_pk(lambda o: o.case), True
    ),
    **{
        f"api:ledger-keycase-{action}": Route("ledger", {"POST": "action"}, api_pk(lambda o: o.case), True)
        for action in [
            "assign",
            "decide-strike-off",
            "link-items",
            "progress",
            "request-strike-off",
            "set-deadline",
        ]
    },
    "api:ledger-screening-round-list": Route("screening", {"GET": "rows"}),
    "api:ledger-screening-round-detail": Route("screening", API_DETAIL, lambda w, o: {"pk": w.round_.pk}),
    "api:ledger-screening-report-list": api_rows("screening", lambda o: o.report),
    "api:ledger-screening-report-detail": Route("screening", API_DETAIL, api_pk(lambda o: o.report), True),
    "api:ledger-screening-report-file": Route(
        "screening", {"POST": "action"}, api_pk(lambda o: o.report), True
    ),
    "api:ledger-finding-list": api_rows("screening", lambda o: o.finding),
    "api:ledger-finding-detail": Route("screening", API_DETAIL, api_pk(lambda o: o.finding), True),
    "api:ledger-finding-promote": Route(
        "ledger_office", {"POST": "action"}, api_pk(lambda o: o.finding), True
    ),
    "api:ledger-sensitive-period-list": api_rows(
        "periods", lambda o: o.period, {"GET": "rows", "POST": "action"}
    ),
    "api:ledger-sensitive-period-detail": Route("periods", API_DETAIL, api_pk(lambda o: o.period), True),
    "api:ledger-sensitive-period-end": Route("periods", {"POST": "action"}, api_pk(lambda o: o.period), True),
    "api:ledger-daily-report-list": api_rows("daily", lambda o: o.daily),
    "api:ledger-daily-report-detail": Route("daily", API_DETAIL, api_pk(lambda o: o.daily), True),
    "api:ledger-daily-report-file": Route("daily", {"POST": "action"}, api_pk(lambda o: o.daily), True),
    "api:accountability-supervision-order-list": api_rows(
        "supervision", lambda o: o.order, {"GET": "list", "POST": "issuer"}
    ),
    "api:accountability-supervision-order-detail": Route(
        "supervision", API_DETAIL, api_pk(lambda o: o.order), True
    ),
    "api:accountability-supervision-order-close": Route(
        "supervision", {"POST": "issuer"}, api_pk(lambda o: o.order), True
    ),
    "api:accountability-supervision-order-reply": Route(
        "supervision", {"POST": "action"}, api_pk(lambda o: o.order), True
    ),
    "api:accountability-circular-list": api_rows("circulars", lambda o: o.circular, API_LIST_CREATE),
    "api:accountability-circular-detail": Route("circulars", API_DETAIL, api_pk(lambda o: o.circular), True),
    "api:accountability-record-list": api_rows("records", lambda o: o.record, API_LIST_CREATE),
    "api:accountability-record-detail": Route("records", API_DETAIL, api_pk(lambda o: o.record), True),
}

PAGE_METHODS = ("GET", "POST")
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SESSION_ENDING = {"core:logout", "admin:logout"}


def route_keys() -> dict[str, str]:
    """Every route of the URL configuration, by name (or by pattern when unnamed), with its full pattern."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(part for part in [namespace, entry.namespace or ""] if part)
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                if "(?P<format>" in pattern or "<drf_format_suffix:format>" in pattern:
                    continue  # the same view with a format suffix
                key = f"{namespace}:{entry.name}" if entry.name and namespace else entry.name or pattern
                found.setdefault(key, pattern)

    walk(get_resolver().url_patterns, "", "")
    return found


def url_of(key: str, kwargs: dict[str, Any]) -> str:
    """Reverse a named route; fill in an unnamed one (the admin's redirects and catch-all) by hand."""
    if key == "admin/(?P<url>.*)$":
        return "/admin/" + kwargs["url"]
    if "/" in key:
        return "/" + key.replace("<path:object_id>", kwargs["object_id"])
    return reverse(key, kwargs=kwargs)


@dataclass
class Tally:
    """What the matrix found: cases checked, and the labels of those that went wrong, by how."""

    checked: int = 0
    unexpected: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def world(personas: Personas, tree: Tree, make_user: Callable[..., User], ladder: Any) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        yield world_build(personas=personas, tree=tree, make_user=make_user, ladder=ladder)


def test_every_route_of_the_url_configuration_is_in_the_matrix():
    known = set(ROUTES)
    configured = set(route_keys())

    assert sorted(configured - known) == [], "routes the access matrix does not know"
    assert sorted(known - configured) == [], "routes in the access matrix that no longer exist"


def test_every_kind_of_route_has_a_line_in_the_policy():
    missing = [
        f"{key}: {route.area}/{kind}"
        for key, route in ROUTES.items()
        for kind in route.kinds.values()
        if kind not in POLICY.get(route.area, {})
    ]

    assert missing == []


def test_no_persona_gets_through_where_the_policy_refuses_and_other_units_objects_are_404(world):
    tally = Tally()
    listed: set[str] = set()  # lists seen showing an own unit's object, so their markers are real
    clients = {name: signed_in(world, name) for name in [*API_PERSONAS, ANONYMOUS]}
    for key, route in ROUTES.items():
        for name in clients:
            role = role_of(world, name)
            inside, outside = inside_and_outside(name) if name != ANONYMOUS else ("a", "far")
            let_in = any(role in POLICY[route.area][kind] for kind in route.kinds.values())
            places = [("own", inside), ("other", outside)] if route.scoped and let_in else [("own", inside)]
            for where, place in places:
                url = url_of(key, route.args(world, world.objects[place])) + route.query
                for method in methods_of(key, route):
                    kind = kind_of(key, route, method)
                    allowed = kind is not None and role in POLICY[route.area][kind]
                    read = method == "GET" or method not in route.kinds
                    response, wrote = request(clients[name], method, url, follow=read)
                    tally.checked += 1
                    label = f"{method} {url} as {name} ({where} unit) → {response.status_code}"
                    text = listed_text(response) if route.rows and method == "GET" else ""
                    if response.status_code >= 500:
                        tally.errors.append(label)
                    elif got_through(response, wrote=wrote, api=key.startswith("api:"), read=read) and (
                        not allowed or where == "other"
                    ):
                        tally.unexpected.append(label)
                    elif where == "other" and allowed and response.status_code not in {404, 405}:
                        tally.leaks.append(label)
                    elif route.rows and route.rows(world.objects[outside]) in text:
                        tally.leaks.append(label + " lists another unit's object")
                    if route.rows and route.rows(world.objects[inside]) in text:
                        listed.add(key)
                    if key in SESSION_ENDING:
                        clients[name] = signed_in(world, name)
    print(
        f"\naccess matrix: {tally.checked} cases, {len(tally.unexpected)} unexpected successes, "
        f"{len(tally.leaks)} other-unit objects not 404, {len(tally.errors)} server errors"
    )
    for label in [*tally.errors, *tally.unexpected, *tally.leaks]:
        print("  ", label)
    assert tally.errors == []
    assert tally.unexpected == []
    assert tally.leaks == []
    assert sorted(key for key, route in ROUTES.items() if route.rows and key not in listed) == []


def methods_of(key: str, route: Route) -> list[str]:
    """The methods a route serves, plus those a client could try on it: POST on pages, PUT and DELETE on the API."""
    tried = ["PUT", "DELETE"] if key.startswith("api:") else ["GET", "POST"]
    return [*route.kinds, *(method for method in tried if method not in route.kinds)]


def kind_of(key: str, route: Route, method: str) -> str | None:
    """What a request does: a page that does not serve the method answers it as it answers a read."""
    kind = route.kinds.get(method)
    if kind is None and not key.startswith("api:"):
        return route.kinds.get("GET")
    return kind


def got_through(response: HttpResponse, *, wrote: bool, api: bool, read: bool) -> bool:
    """A write got through when it left an audit row (every write does) or the API answered 2xx; a read when it
    answered 2xx or redirected anywhere but to a sign-in page."""
    if wrote or (api and 200 <= response.status_code < 300):
        return True
    if not read:
        return False
    signs_in = any("/login/" in hop for hop, _ in getattr(response, "redirect_chain", []))
    return 200 <= response.status_code < 300 and not signs_in


def listed_text(response: HttpResponse) -> str:
    """What a list shows: the ids of its JSON results, the text of its .xlsx file, or its HTML."""
    if response.status_code != 200:
        return ""
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/json"):
        rows = json.loads(response.content).get("results", [])
        return "".join(f"<id {row.get('id')}>" for row in rows if isinstance(row, dict))
    if content_type.startswith("application/vnd.openxmlformats"):
        return xlsx_text(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    return response.content.decode()


def xlsx_text(body: bytes) -> str:
    workbook = load_workbook(BytesIO(body), read_only=True)
    return "\n".join(
        str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row
    )


def role_of(world: World, name: str) -> str:
    return ANONYMOUS if name == ANONYMOUS else getattr(world.personas, name).roles[0]


def signed_in(world: World, name: str) -> Client:
    """A client of the persona, holding in its session the import uploads of an own and another unit."""
    client = Client(raise_request_exception=False)
    if name == ANONYMOUS:
        return client
    signed_in_verified(client, getattr(world.personas, name))
    session = client.session
    session[IMPORT_SESSION_KEY] = {world.objects[place].import_token: "台账.xlsx" for place in PLACES}
    session.save()
    return client


def request(client: Client, method: str, url: str, *, follow: bool) -> tuple[HttpResponse, bool]:
    """One request whose writes are rolled back, so every case starts from the same world; whether it wrote.

    A read follows its redirects, so it is judged by where it lands."""
    with transaction.atomic():
        before = AuditEvent.objects.filter(success=True).count()
        if method == "GET":
            response = client.get(url, follow=follow)
        elif url.startswith("/api/"):
            response = client.generic(method, url, "{}", content_type="application/json")
        else:
            response = (
                client.post(url, {}, follow=follow) if method == "POST" else client.generic(method, url)
            )
        wrote = AuditEvent.objects.filter(success=True).count() > before
        transaction.set_rollback(True)
    return response, wrote  # type: ignore[return-value]
