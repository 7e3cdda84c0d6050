import resource
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Round
from organizations.models import Province
from results.workbook import build_dimension_workbook


class Command(BaseCommand):
    help = (
        "Write a round's per-dimension results workbook (the national one, or one province's) and "
        "print how long it took and the process's peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="the round's year (พ.ศ.)")
        parser.add_argument("path", type=Path, help="the .xlsx file to write")
        parser.add_argument("--province", help="a province code (e.g. 81): only its organizations")

    def handle(self, *args, year: int, path: Path, province: str | None = None, **options):
        assessment_round, scope = report_scope(year, province)
        before = peak_mb()
        started = time.perf_counter()
        build_dimension_workbook(assessment_round, province=scope).save(path)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{assessment_round.year} {scope.name_th if scope else 'national'}: {path} ({path.stat().st_size / 2**20:.1f} MB) "
            f"in {seconds:.1f} s; peak memory {peak_mb():.0f} MB ({before:.0f} MB before the build)"
        )


def report_scope(year: int, province: str | None) -> tuple[Round, Province | None]:
    """The round of `year` and the province of code `province` (None: the country), or a CommandError."""
    assessment_round = Round.objects.filter(year=year).first()
    if assessment_round is None:
        raise CommandError(f"No round for {year}.")
    if not province:
        return assessment_round, None
    scope = Province.objects.filter(code=province).first()
    if scope is None:
        raise CommandError(f"No province with code {province}.")
    return assessment_round, scope


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB.

    The whole process, Django included, rather than tracemalloc's Python allocations: it is
    what the server has to hold, and tracemalloc would slow the build it measures. Read from
    VmHWM in /proc/self/status, the high-water mark of this program's own memory: on Linux,
    ru_maxrss also keeps the peak of the process that started this one (carried through fork
    and exec), so a command started by a large process would report that one's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
