"""App configuration for benchmarks."""

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Management commands that measure the product apps; no models, no views, nothing the product imports."""

    name = "benchmarks"
    verbose_name = "基准测试"
