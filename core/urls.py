"""URL routes of core pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from core.views import account, audit, auth, calendar, divisions, home, sessions, twofactor, units

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/verify/", twofactor.login_verify, name="login_verify"),
    path("login/enrol/", twofactor.login_enrol, name="login_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account.account, name="account"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/sessions/", sessions.session_list, name="session_list"),
    path("account/sessions/<int:session_id>/end/", sessions.session_end, name="session_end"),
    path("account/sessions/end-others/", sessions.session_end_others, name="session_end_others"),
    path("account/two-factor/", twofactor.account_two_factor, name="account_two_factor"),
    path("account/two-factor/add/", twofactor.account_two_factor_add, name="account_two_factor_add"),
    path(
        "account/two-factor/<int:device_id>/remove/",
        twofactor.account_two_factor_remove,
        name="account_two_factor_remove",
    ),
    path("account/token/", account.api_token_issue, name="api_token_issue"),
    path("account/token/revoke/", account.api_token_revoke, name="api_token_revoke"),
    path("units/", units.unit_list, name="unit_list"),
    path("units/<int:unit_id>/", units.unit_detail, name="unit_detail"),
    path("calendar/", calendar.calendar_view, name="calendar"),
    path("calendar/due/", calendar.due_calculator, name="due_calculator"),
    path("calendar/years/", calendar.calendar_year_list, name="calendar_year_list"),
    path("calendar/years/<int:year>/", calendar.calendar_year_edit, name="calendar_year_edit"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("divisions/", divisions.division_browser, name="division_browser"),
    path("divisions/options/", divisions.division_options, name="division_options"),
]
