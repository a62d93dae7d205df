"""Load scenario for `manage.py load_benchmark`: clerks register items through the intake page, desk clerks answer
inquiries by searching for the person (name, ID number, phone) and opening their file, handlers work their item
lists, section heads the key-case ledger, leaders the dashboards; everyone opens the home page's work queues.

Accounts and their password come from the environment the command sets (XF_LOAD_ACCOUNTS as JSON by role,
XF_LOAD_PASSWORD), and the authenticator keys of the accounts that sign in with a second factor (XF_LOAD_OTP_KEYS
as JSON, username → hex key), and for each clerk some persons of the benchmark data in their reach (XF_LOAD_PEOPLE
as JSON, username → list of name, id_number and phone). Request names are the rows of the command's report; list
pages are named 列表.

The measured window starts once every user has signed in (XF_LOAD_MEASURE_SECONDS long): the sign-ins' own figures
are written to XF_LOAD_SIGN_IN_FILE (JSON) first, then the statistics start again from zero, and the run stops when
the window ends.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import gevent
from django_otp.oath import totp
from locust import HttpUser, between, events, task
from locust.clients import HttpSession
from locust.env import Environment

ACCOUNTS: dict[str, list[str]] = json.loads(os.environ.get("XF_LOAD_ACCOUNTS", "{}"))
PASSWORD = os.environ.get("XF_LOAD_PASSWORD", "")
OTP_KEYS: dict[str, str] = json.loads(os.environ.get("XF_LOAD_OTP_KEYS", "{}"))
PEOPLE: dict[str, list[dict[str, str]]] = json.loads(os.environ.get("XF_LOAD_PEOPLE", "{}"))
MEASURE_SECONDS = float(os.environ.get("XF_LOAD_MEASURE_SECONDS", "120"))
SIGN_IN_FILE = os.environ.get("XF_LOAD_SIGN_IN_FILE", "")
SIGN_IN_REQUESTS = ("登录页", "登录", "登录·验证码")

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CATEGORY_SELECT = re.compile(r'<select name="category"[^>]*>(.*?)</select>', re.DOTALL)
OPTION_VALUE = re.compile(r'<option value="(\d+)"')
ITEM_LINK = re.compile(r'href="/petitions/(\d+)/"')
CASE_LINK = re.compile(r'href="/ledger/(\d+)/"')
FILE_LINK = re.compile(r'href="/petitions/petitioners/(\d+)/"')
DRILL_DOWN = re.compile(r'href="\?unit=(\d+)&amp;[^"]*"[^>]*data-testid="drill-down"')
SITE_ZONE = ZoneInfo("Asia/Shanghai")  # the site's TIME_ZONE: the date the intake form defaults to
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

_turns: dict[str, Iterator[str]] = {role: itertools.cycle(names) for role, names in ACCOUNTS.items() if names}
_signed_in = 0  # users whose sign-in has finished


@events.test_start.add_listener
def _measure_after_sign_in(environment: Environment, **_: Any) -> None:
    """Start the measured window once every user has signed in, and end the run when it is over."""
    gevent.spawn(_measured_window, environment)


def _measured_window(environment: Environment) -> None:
    runner = environment.runner
    if runner is None:
        return
    while _signed_in < max(1, runner.target_user_count or 0):
        gevent.sleep(0.2)
    sign_ins = {}
    for name in SIGN_IN_REQUESTS:
        entry = environment.stats.get(name, "GET" if name == "登录页" else "POST")
        if entry.num_requests:
            sign_ins[name] = {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
                "max": entry.max_response_time,
            }
    if SIGN_IN_FILE:
        with open(SIGN_IN_FILE, "w", encoding="utf-8") as handle:
            json.dump(sign_ins, handle, ensure_ascii=False)
    environment.stats.reset_all()
    gevent.sleep(MEASURE_SECONDS)
    runner.quit()


def sign_in(client: HttpSession, username: str, password: str) -> None:
    """Sign in through the login page as a browser does (the form's CSRF token, then the post).

    Every user signs in here and nowhere else, so a further sign-in step belongs in this function.
    """
    page = client.get("/login/", name="登录页")
    with client.post(
        "/login/",
        data={"csrfmiddlewaretoken": csrf_token(page.text), "username": username, "password": password},
        name="登录",
        catch_response=True,
    ) as response:
        if response.status_code == 200 and response.url and "/login/verify/" in response.url:
            response.success()
            second_step(client, username, response.text)
        elif response.status_code != 200 or response.url is None or "/login/" in response.url:
            response.failure(f"{username} 登录未成功（{response.status_code}）")


def second_step(client: HttpSession, username: str, page: str) -> None:
    """Type the code the account's authenticator shows now, as its owner would on the second sign-in page."""
    key = bytes.fromhex(OTP_KEYS.get(username, ""))
    with client.post(
        "/login/verify/",
        data={"csrfmiddlewaretoken": csrf_token(page), "code": f"{totp(key):06d}"},
        name="登录·验证码",
        catch_response=True,
    ) as response:
        if response.status_code != 200 or response.url is None or "/login/" in response.url:
            response.failure(f"{username} 验证码未通过（{response.status_code}）")


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF_TOKEN.search(html)
    return found.group(1) if found else ""


def resident_id() -> str:
    """A resident ID number with a valid GB 11643 check character."""
    body = f"110105{random.randint(1950, 2000)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    body += f"{random.randint(0, 999):03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


class SignedInUser(HttpUser):
    """A person of one role who signs in once and then works."""

    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        global _signed_in
        self.username = next(_turns[self.role])
        sign_in(self.client, self.username, PASSWORD)
        # The home page after the sign-in, which rotates the CSRF token: the token for the user's later posts.
        self.csrf = csrf_token(self.client.get("/", name="首页待办").text)
        _signed_in += 1

    @task(1)
    def queues(self) -> None:
        """Back on the home page: the work queues of the user's roles, and the same through the API."""
        self.client.get("/", name="首页待办")
        self.client.get("/api/v1/me/queue/", name="待办API")

    def open_one(self, html: str, pattern: re.Pattern[str], url: str, name: str) -> None:
        """Open one of the objects a list page links to, as a reader picks a row."""
        ids = pattern.findall(html)
        if ids:
            self.client.get(url.format(random.choice(ids)), name=name)


class Clerk(SignedInUser):
    """登记员: opens 来访登记, types (the repeat hints follow), saves, lands on the new item."""

    role = "clerk"
    weight = 3

    @task(3)
    def register_visit(self) -> None:
        page = self.client.get("/petitions/new/visit/", name="登记页")
        if page.status_code != 200:
            return  # counted as a failure of the page; there is no form to fill in
        select = CATEGORY_SELECT.search(page.text)
        categories = OPTION_VALUE.findall(select.group(1)) if select else []
        person = {"id_number": resident_id(), "phone": f"139{random.randint(0, 99_999_999):08d}"}
        summary = f"反映小区物业拖欠维修基金问题，编号{random.randint(1, 10**6)}"
        self.client.get(
            "/petitions/new-suggestions/",
            params={"petitioners-0-id_number": person["id_number"], "summary": summary},
            name="登记页·重复提示",
        )
        data: dict[str, Any] = {
            "csrfmiddlewaretoken": csrf_token(page.text),
            "channel": "visit",
            "received_on": datetime.now(SITE_ZONE).date().isoformat(),
            "head_count": "1",
            "purpose": "demand",
            "category": random.choice(categories) if categories else "",
            "summary": summary,
            "demand": "请求督促物业公司依法退还维修基金。",
            "petitioners-TOTAL_FORMS": "1",
            "petitioners-INITIAL_FORMS": "0",
            "petitioners-MIN_NUM_FORMS": "1",
            "petitioners-MAX_NUM_FORMS": "30",
            "petitioners-0-name": "张" + random.choice("伟芳娜敏静丽强磊军洋"),
            "petitioners-0-id_number": person["id_number"],
            "petitioners-0-phone": person["phone"],
        }
        with self.client.post(
            "/petitions/new/visit/", data=data, name="登记提交", allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith("/petitions/"):
                response.failure(f"登记未保存（{response.status_code}）")
                return
        self.client.get(location, name="事项详情")


class DeskClerk(SignedInUser):
    """接待查询: a petitioner calls or comes to the desk; the clerk finds them by name, ID number or phone (the list's
    search box, and the API's person search), opens one of their items and the person's file."""

    role = "clerk"
    weight = 4

    def someone(self) -> dict[str, str]:
        return random.choice(PEOPLE.get(self.username) or [{"name": "王伟", "id_number": "", "phone": ""}])

    def search_page(self, term: str, name: str) -> str:
        """The list's search box: the term is posted, the list opens at a session key (the redirect is followed
        and counted in the same request)."""
        with self.client.post(
            "/petitions/search/",
            data={"csrfmiddlewaretoken": self.csrf, "q": term, "keep": ""},
            name=name,
            catch_response=True,
        ) as page:
            if page.status_code == 200 and not ITEM_LINK.search(page.text):
                page.failure("未找到此人的事项")  # every person the command hands out has items in reach
        return page.text

    def open_file(self, results: str) -> None:
        """One of the items found, and from it the person's file (信访人档案)."""
        ids = ITEM_LINK.findall(results)
        if ids:
            item = self.client.get(f"/petitions/{random.choice(ids)}/", name="事项详情")
            self.open_one(item.text, FILE_LINK, "/petitions/petitioners/{}/", "信访人档案")

    @task(3)
    def by_name(self) -> None:
        self.open_file(self.search_page(self.someone()["name"], "搜索·姓名"))

    @task(3)
    def by_id_number(self) -> None:
        self.open_file(self.search_page(self.someone()["id_number"], "搜索·身份证"))

    @task(3)
    def by_phone(self) -> None:
        self.search_page(self.someone()["phone"], "搜索·电话")

    @task(2)
    def phone_inquiry(self) -> None:
        """A caller gives a phone number: the person search of the API, then the person's file."""
        with self.client.post(
            "/api/v1/petitioners/search/",
            json={"q": self.someone()["phone"]},
            headers={"X-CSRFToken": self.csrf},
            name="搜索API·电话",
            catch_response=True,
        ) as response:
            found = response.json() if response.status_code == 200 else []
            if response.status_code == 200 and not found:
                response.failure("电话未找到信访人")
        if found:
            self.client.get(f"/petitions/petitioners/{found[0]['id']}/", name="信访人档案")


class Handler(SignedInUser):
    """承办人: the unit's item list, filtered, paged, and an item opened."""

    role = "handler"
    weight = 7

    @task(3)
    def browse(self) -> None:
        page = self.client.get("/petitions/", name="事项列表")
        self.open_one(page.text, ITEM_LINK, "/petitions/{}/", "事项详情")

    @task(3)
    def filter_overdue(self) -> None:
        page = self.client.get(
            "/petitions/", params={"status": "accepted", "overdue": "true"}, name="事项列表·筛选"
        )
        self.open_one(page.text, ITEM_LINK, "/petitions/{}/", "事项详情")

    @task(2)
    def page_through(self) -> None:
        params = {"channel": random.choice(["visit", "letter", "online"]), "ordering": "-received_on"}
        for number in (2, 3):
            self.client.get("/petitions/", params={**params, "page": number}, name="事项列表·翻页")

    @task(1)
    def due_soon(self) -> None:
        self.client.get("/petitions/", params={"due_within": "10"}, name="事项列表·筛选")


class SectionHead(SignedInUser):
    """科室负责人: the key-case ledger, by status and due date, and a case opened."""

    role = "section_head"
    weight = 3

    @task(2)
    def ledger(self) -> None:
        page = self.client.get("/ledger/", name="台账列表")
        self.open_one(page.text, CASE_LINK, "/ledger/{}/", "台账详情")

    @task(1)
    def ledger_due(self) -> None:
        self.client.get("/ledger/", params={"due_within": "30", "risk_level": "high"}, name="台账列表")


class Leader(SignedInUser):
    """领导: the dashboard for the year and the month, and a unit below opened for the same period."""

    role = "leader"
    weight = 3

    @task
    def dashboards(self) -> None:
        year = self.client.get("/dashboard/", params={"period": "year"}, name="驾驶舱·本年")
        self.client.get("/dashboard/", params={"period": "month"}, name="驾驶舱·本月")
        units = DRILL_DOWN.findall(year.text)
        if units:
            self.client.get(
                "/dashboard/", params={"unit": random.choice(units), "period": "year"}, name="驾驶舱·下钻"
            )
