"""App configuration for ledger."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """Key cases, screening rounds and sensitive periods."""

    name = "ledger"
    verbose_name = "重点台账与排查"

    def ready(self) -> None:
        from core.banners import banner_register
        from ledger.banners import sensitive_period_banners

        banner_register("ledger.sensitive_periods", sensitive_period_banners)
        from django.urls import reverse

        from accountability.subjects import subject_register
        from ledger.choices import DAILY_SUBJECT, KEYCASE_SUBJECT, SCREENING_SUBJECT
        from ledger.navigation import register_entries
        from ledger.queues import register_queues

        register_entries()
        register_queues()
        from ledger.file_sections import keycase_file_section
        from petitions.file_sections import file_section_register

        file_section_register("ledger.key_cases", keycase_file_section)
        from ledger.selectors import keycases_describe

        subject_register(
            KEYCASE_SUBJECT,
            "重点信访问题",
            lambda pk: reverse("ledger:case_detail", args=[pk]),
            keycases_describe,
        )
        subject_register(SCREENING_SUBJECT, "排查报告", lambda pk: reverse("ledger:report_file", args=[pk]))
        subject_register(DAILY_SUBJECT, "敏感时期日报", lambda pk: reverse("ledger:daily_file", args=[pk]))
        from ledger.supervision_targets import register_supervision_targets

        register_supervision_targets()
