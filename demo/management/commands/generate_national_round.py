from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo.national_dataset import (
    DEFAULT_SEED,
    DEFAULT_YEAR,
    NATIONAL_PASSWORD,
    SAMPLE_FILES,
    DatasetError,
    default_registry_path,
    generate_national_round,
)


class Command(BaseCommand):
    help = (
        "Build a national-size round for benchmarks: the whole DLA registry, ~120 indicators, "
        "~1 million answers with evidence, users and workflow statuses (see demo/national_dataset.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--registry", type=Path, default=None, help="DLA registry CSV (default: ../shared/data/dla_organizations.csv)")
        parser.add_argument("--year", type=int, default=DEFAULT_YEAR, help=f"assessment year, B.E. (default {DEFAULT_YEAR})")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed: the same seed gives the same data")
        parser.add_argument("--limit", type=int, default=None, help="import only the registry's first N organizations")
        parser.add_argument("--sample-files", type=int, default=SAMPLE_FILES, help="evidence files written to disk")

    def handle(self, *args, **options):
        registry = options["registry"] or default_registry_path()
        try:
            report = generate_national_round(
                registry=registry,
                year=options["year"],
                seed=options["seed"],
                limit=options["limit"],
                sample_files=options["sample_files"],
                log=self.stdout.write,
            )
        except DatasetError as error:
            raise CommandError(str(error)) from None
        for name, count in report.counts.items():
            self.stdout.write(f"  {name:<24} {count:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Round {report.year} generated in {report.seconds:.1f} s."))
        self.stdout.write(f"Every generated account's password: {NATIONAL_PASSWORD} (staff<code>, head<code>, ...)")
