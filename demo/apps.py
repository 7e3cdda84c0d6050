from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo accounts and data, the national dataset and the benchmark's data: development,
    tests, `make run` and `make bench` only. Production settings leave it out (LPA_DEMO=0)."""

    name = "demo"
    verbose_name = "LPA demo data"
