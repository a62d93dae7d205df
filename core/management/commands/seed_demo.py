"""Load demo data once: every installed app's `demo.seed_demo`, in INSTALLED_APPS order."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "载入演示数据（已存在则跳过）"

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is None:
                continue
            module = import_module(module_name)
            module.seed_demo(self.stdout)
