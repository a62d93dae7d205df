"""The admin site for the system admin (accounts, units) and the security admin (roles, lockouts)."""

from __future__ import annotations

from typing import Any, cast

from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.errors import DomainError
from core.forms import place_error
from core.models import RoleAssignment, Unit, User
from core.selectors import unit_qs_visible_to, user_qs_visible_to
from core.services.twofactor import otp_devices_reset
from core.services.units import (
    unit_check_code_free,
    unit_check_placement,
    unit_create,
    unit_lock_for_edit,
    unit_update,
)
from core.services.users import (
    user_check_password,
    user_check_roles,
    user_check_username_free,
    user_create,
    user_enable,
    user_lock_for_edit,
    user_roles_set,
    user_set_password,
    user_unlock,
    user_update,
)


class XinfangAdminSite(AdminSite):
    """Open to the system and security admins; each sees only the models of their own duty."""

    site_header = _("信访事项管理系统 · 系统管理")
    site_title = _("系统管理")
    index_title = _("账号、单位与授权")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return isinstance(user, User) and user.has_role(Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Everyone signs in on the system's own page, which asks for the second factor and counts failures; a
        signed-in user without an admin role is refused here rather than sent round to sign in again."""
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("core:login"))


admin_site = XinfangAdminSite(name="admin")


def actor(request: HttpRequest) -> User:
    """The signed-in admin; the site's permission check has already refused everyone else."""
    return cast(User, request.user)


def enable_selected(request: HttpRequest, queryset: QuerySet[User]) -> None:
    """Re-enable the selected accounts (those disabled as unused, or by hand) through the service."""
    names = []
    for user in queryset.filter(is_active=False):
        user_enable(actor=actor(request), user_id=user.pk)
        names.append(user.username)
    messages.success(request, _("已重新启用：%(names)s") % {"names": "、".join(names) or "—"})


class RoleGatedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A model admin open to one role; deletion is never offered (deactivate instead)."""

    role: str = Role.SYSTEM_ADMIN

    def _allowed(self, request: HttpRequest) -> bool:
        # The admin's sign-in page asks this of anonymous visitors too.
        user = request.user
        return isinstance(user, User) and user.has_role(self.role)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        # An object outside the admin's subtree is a 404, as everywhere else, not a redirect naming its id.
        raise Http404


class VersionCheckedForm(forms.ModelForm):  # type: ignore[type-arg]
    """A change form carrying the version it was loaded at; validating it locks the row and checks that version.

    The admin validates and saves in one transaction, so the lock taken here holds until the save commits.
    The field is not named `version`: the admin refuses a form field named after a non-editable model field.
    """

    record_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["record_version"] = self.instance.version

    def lock_for_edit(self, pk: int, expected_version: int | None) -> Any:
        raise NotImplementedError

    def check_version(self) -> bool:
        """True when the record is new or still at the version the form was loaded at (now locked)."""
        if self.instance.pk is None:
            return True
        try:
            self.lock_for_edit(self.instance.pk, self.cleaned_data.get("record_version"))
        except DomainError as error:
            place_error(self, error)
            return False
        return True


class UnitAdminForm(VersionCheckedForm):
    """Unit fields plus the parent, chosen among the admin's visible units when adding."""

    parent = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("上级单位"))

    class Meta:
        model = Unit
        fields = ["name", "short_name", "code", "kind", "level", "division_code", "is_active"]

    def lock_for_edit(self, pk: int, expected_version: int | None) -> Unit:
        return unit_lock_for_edit(unit_id=pk, expected_version=expected_version)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or not self.check_version():
            return data
        parent = data.get("parent") if self.instance.pk is None else Unit.objects.get_parent(self.instance)
        try:
            unit_check_placement(parent=parent, kind=data["kind"], level=data["level"])
            unit_check_code_free(data["code"], exclude_id=self.instance.pk)
        except DomainError as error:
            place_error(self, error)
        return data


@admin.register(Unit, site=admin_site)
class UnitAdmin(RoleGatedAdmin):
    """Units in the system admin's subtree; saving goes through the unit services."""

    form = UnitAdminForm
    list_display = ["indented_name", "code", "kind", "level", "division_code", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "code"]
    ordering = ["path"]

    @admin.display(description=_("单位名称"))
    def indented_name(self, obj: Unit) -> str:
        return "　" * (obj.depth - 1) + obj.name

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return unit_qs_visible_to(actor(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            cast(forms.ModelChoiceField, form.base_fields["parent"]).queryset = unit_qs_visible_to(
                actor(request)
            ).order_by("path")
            form.base_fields["parent"].required = True
        else:
            form.base_fields.pop("parent", None)
        return form

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in UnitAdminForm.Meta.fields}
        try:
            if change:
                unit_update(
                    actor=actor(request),
                    unit_id=obj.pk,
                    expected_version=form.cleaned_data["record_version"],
                    **fields,
                )
            else:
                created = unit_create(
                    actor=actor(request), parent_id=form.cleaned_data["parent"].pk, **fields
                )
                obj.pk = created.pk
        except DomainError as error:  # a concurrent change since the form was checked
            messages.error(request, error.message)


class AccountForm(VersionCheckedForm):
    """Account fields the system admin edits; an initial password when adding."""

    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("新增账号时必填；修改账号时填写则重置密码。"),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "unit", "title", "phone", "email", "is_active"]

    def lock_for_edit(self, pk: int, expected_version: int | None) -> User:
        return user_lock_for_edit(user_id=pk, expected_version=expected_version)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.check_version():
            return data
        password = data.get("password") or ""
        try:
            if self.instance.pk is None:
                user_check_username_free(data.get("username") or "")
                if not password:
                    raise DomainError(str(_("新增账号须设置初始密码。")), field="password")
            if password:
                candidate = User(
                    username=data.get("username") or self.instance.username,
                    full_name=data.get("full_name") or "",
                )
                user_check_password(password, candidate)
        except DomainError as error:
            place_error(self, error)
        return data


@admin.register(User, site=admin_site)
class AccountAdmin(RoleGatedAdmin):
    """Accounts in the system admin's subtree. Roles are not editable here (security admin's duty)."""

    form = AccountForm
    list_display = [
        "username",
        "full_name",
        "unit",
        "title",
        "roles_display",
        "is_active",
        "last_login",
        "inactive_disabled_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["username", "full_name"]
    ordering = ["unit__path", "username"]
    readonly_fields = ["roles_display", "last_login", "date_joined", "inactive_disabled_at"]
    actions = ["enable_accounts"]

    @admin.action(description=_("重新启用所选账号"))
    def enable_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        enable_selected(request, queryset)

    @admin.display(description=_("角色"))
    def roles_display(self, obj: User) -> str:
        return "、".join(obj.role_labels) or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return user_qs_visible_to(actor(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        cast(forms.ModelChoiceField, form.base_fields["unit"]).queryset = unit_qs_visible_to(
            actor(request)
        ).order_by("path")
        if obj is not None:
            form.base_fields["username"].disabled = True
        return form

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "full_name": data["full_name"],
            "unit_id": data["unit"].pk,
            "title": data["title"],
            "phone": data["phone"],
            "email": data["email"],
            "is_active": data["is_active"],
        }
        try:
            if change:
                user_update(
                    actor=actor(request),
                    user_id=obj.pk,
                    expected_version=data["record_version"],
                    **fields,
                )
                if data.get("password"):
                    user_set_password(actor=actor(request), user_id=obj.pk, password=data["password"])
            else:
                created = user_create(
                    actor=actor(request),
                    username=data["username"],
                    password=data.get("password") or "",
                    **fields,
                )
                obj.pk = created.pk
        except DomainError as error:  # a concurrent change since the form was checked
            messages.error(request, error.message)


class RoleAssignmentForm(VersionCheckedForm):
    """Roles as checkboxes; the service enforces 三员分立."""

    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = RoleAssignment
        fields = ["roles"]

    actor: User

    def lock_for_edit(self, pk: int, expected_version: int | None) -> User:
        return user_lock_for_edit(user_id=pk, expected_version=expected_version)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_version()
        return data

    def clean_roles(self) -> list[str]:
        roles: list[str] = self.cleaned_data["roles"]
        try:
            return user_check_roles(actor=self.actor, user_id=self.instance.pk, roles=roles)
        except DomainError as error:
            raise ValidationError(error.message) from error


@admin.register(RoleAssignment, site=admin_site)
class RoleAssignmentAdmin(RoleGatedAdmin):
    """Grant roles to accounts in the security admin's subtree."""

    role = Role.SECURITY_ADMIN
    form = RoleAssignmentForm
    list_display = ["username", "full_name", "unit", "roles_display", "is_active", "inactive_disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["username", "full_name"]
    readonly_fields = ["username", "full_name", "unit"]
    fields = ["username", "full_name", "unit", "roles", "record_version"]
    ordering = ["unit__path", "username"]
    actions = ["reset_two_factor", "enable_accounts"]

    @admin.action(description=_("重新启用所选账号"))
    def enable_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        enable_selected(request, queryset)

    @admin.display(description=_("角色"))
    def roles_display(self, obj: User) -> str:
        return "、".join(obj.role_labels) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return user_qs_visible_to(actor(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # get_form builds a new form class per request, so the actor never leaks between requests.
        form.actor = actor(request)  # type: ignore[attr-defined]
        return form

    @admin.action(description=_("重置所选账号的双因素认证（手机丢失时）"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                otp_devices_reset(actor=actor(request), user_id=user.pk)
            except DomainError as error:
                messages.error(request, f"{user.username}：{error.message}")
            else:
                messages.success(
                    request, _("已重置 %(name)s 的双因素认证，下次登录时重新绑定。") % {"name": user.username}
                )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        try:
            user_roles_set(
                actor=actor(request),
                user_id=obj.pk,
                roles=form.cleaned_data["roles"],
                expected_version=form.cleaned_data["record_version"],
            )
        except DomainError as error:  # a concurrent change since the form was checked
            messages.error(request, error.message)


@admin.register(AccessAttempt, site=admin_site)
class LockoutAdmin(RoleGatedAdmin):
    """Recent failed sign-ins per account; the security admin lifts a lockout here."""

    role = Role.SECURITY_ADMIN
    list_display = ["username", "failures_since_start", "attempt_time", "ip_address"]
    search_fields = ["username"]
    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("解除所选账号的锁定"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        names = sorted({attempt.username for attempt in queryset if attempt.username})
        for name in names:
            user_unlock(actor=actor(request), username=name)
        messages.success(request, _("已解除锁定：%(names)s") % {"names": "、".join(names)})
