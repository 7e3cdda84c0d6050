import time
from pathlib import Path

from django.core.management.base import BaseCommand

from results.management.commands.export_results_workbook import peak_mb, report_scope
from results.reports import render_national_report_pdf, render_province_report_pdf


class Command(BaseCommand):
    help = (
        "Write a round's results report as PDF (the national summary, or one province's report) and "
        "print how long it took and the process's peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="the round's year (พ.ศ.)")
        parser.add_argument("path", type=Path, help="the .pdf file to write")
        parser.add_argument("--province", help="a province code (e.g. 30): that province's report")

    def handle(self, *args, year: int, path: Path, province: str | None = None, **options):
        assessment_round, scope = report_scope(year, province)
        before = peak_mb()
        started = time.perf_counter()
        pdf = render_province_report_pdf(assessment_round, scope) if scope else render_national_report_pdf(assessment_round)
        path.write_bytes(pdf)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{assessment_round.year} {scope.name_th if scope else 'national'}: {path} ({len(pdf) / 2**20:.1f} MB) "
            f"in {seconds:.1f} s; peak memory {peak_mb():.0f} MB ({before:.0f} MB before the build)"
        )
