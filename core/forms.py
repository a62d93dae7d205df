"""Forms for core pages (sign-in, password change, due dates, holiday notices), the division form field and the
bounded integer field every whole-number input uses."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.choices import DayUnit
from core.errors import DomainError
from core.models import Division
from core.selectors import division_get
from core.workcalendar import PERIOD_DAYS_MAX

_SAME_ANSWER = _("用户名或密码不正确。")


# An <input type="date"> needs ISO dates whatever the active language formats dates as.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The range of PostgreSQL's `integer`, the widest whole number any field here is compared with or stored in.
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1


class BoundedIntegerField(forms.IntegerField):
    """A whole number that always has bounds: the given ones, else the database integer's.

    An unbounded IntegerField cleans a twenty-digit number to a Python int, which then overflows a date
    (timedelta) or a query parameter further on; the bound refuses it at the field, in Chinese.
    """

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs: Any) -> None:
        super().__init__(
            min_value=INTEGER_MIN if min_value is None else min_value,
            max_value=INTEGER_MAX if max_value is None else max_value,
            **kwargs,
        )


class LoginForm(AuthenticationForm):
    """Sign-in; unknown accounts, wrong passwords and disabled accounts all get the same answer."""

    error_messages = {"invalid_login": _SAME_ANSWER, "inactive": _SAME_ANSWER}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("账号")
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].label = _("密码")


class PasswordChangeForm(forms.Form):
    """The signed-in user's own password change; the service applies the password rules."""

    old_password = forms.CharField(
        label=_("当前密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value: str = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("当前密码不正确。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("两次输入的新密码不一致。"))
        return data


class OtpCodeForm(forms.Form):
    """The six-digit code an authenticator app shows."""

    code = forms.RegexField(
        label=_("验证码"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"required": _("请输入验证码。"), "invalid": _("请输入身份验证器显示的6位数字。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 7, "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class DueDateForm(forms.Form):
    """Inputs of the due-date calculator."""

    start = forms.DateField(label=_("起算日期"), widget=DATE_INPUT)
    days = BoundedIntegerField(label=_("期限"), min_value=0, max_value=PERIOD_DAYS_MAX)
    unit = forms.ChoiceField(label=_("计算单位"), choices=DayUnit.choices, initial=DayUnit.CALENDAR)
    roll_forward = forms.BooleanField(label=_("期限末日遇节假日顺延"), required=False, initial=True)


class VersionForm(forms.Form):
    """A form editing a record: it carries, hidden, the record's version when the page was loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CalendarNoticeForm(VersionForm):
    """The heading of a State Council holiday notice."""

    notice_title = forms.CharField(label=_("通知标题"), max_length=200)
    notice_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    published_on = forms.DateField(label=_("发布日期"), required=False, widget=DATE_INPUT)


class HolidayArrangementForm(forms.Form):
    """One paragraph of the notice: the days off and the weekend days worked."""

    name = forms.CharField(label=_("节日"), max_length=40)
    first_day = forms.DateField(label=_("放假起"), widget=DATE_INPUT)
    last_day = forms.DateField(label=_("放假止"), widget=DATE_INPUT)
    workdays = forms.CharField(
        label=_("调休上班日"),
        required=False,
        help_text=_("多个日期用逗号分隔，如 2027-02-07, 2027-02-20"),
    )

    def clean_workdays(self) -> list[date]:
        raw: str = self.cleaned_data.get("workdays") or ""
        days: list[date] = []
        for part in raw.replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                days.append(date.fromisoformat(part))
            except ValueError as exc:
                raise forms.ValidationError(
                    _("“%(value)s”不是有效日期，请按 2027-02-07 的格式填写。"), params={"value": part}
                ) from exc
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("放假结束日期早于开始日期。"))
        return data


HolidayArrangementFormSet = forms.formset_factory(
    HolidayArrangementForm, extra=0, min_num=1, validate_min=True, max_num=20
)


class DivisionField(forms.CharField):
    """An administrative division chosen with the picker ({% division_picker %}); cleans to the Division.

    The picker posts the deepest chosen code under the field's name; an unknown or inactive code is refused.
    """

    widget = forms.HiddenInput
    default_error_messages = {"invalid_division": _("请选择有效的行政区划。")}

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Division) else value

    def clean(self, value: Any) -> Division | None:
        code = super().clean(self.prepare_value(value))
        if code in self.empty_values:
            return None
        division = division_get(code)
        if division is None:
            raise forms.ValidationError(self.error_messages["invalid_division"], code="invalid_division")
        return division

    def has_changed(self, initial: Any, data: Any) -> bool:
        return super().has_changed(self.prepare_value(initial), data)


def place_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal at the form field it names, or above the form when it names none of the form's."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
