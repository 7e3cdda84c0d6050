"""Prepare a practice copy for a training day, or put it back as it was.

    manage.py prepare_training --provinces 81,20 --day 2027-01-15 --out sheets/
    manage.py prepare_training --reset

See training/instance.py for what is made and what counts as real data (refused).
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organizations.models import Province
from training.instance import FRAMEWORK, TrainingRefused, prepare_training, reset_training
from training.sheets import build_accounts_workbook


class Command(BaseCommand):
    help = "Prepare a training copy (accounts, organizations, an open round) or reset it; refuses real data."

    def add_arguments(self, parser):
        parser.add_argument("--provinces", default="", help="province codes, comma-separated (default: every province)")
        parser.add_argument("--day", default="", help="the training day, YYYY-MM-DD (default: today)")
        parser.add_argument("--out", default="", help="folder for the accounts' XLSX, one per province")
        parser.add_argument("--framework", default=str(FRAMEWORK), help="framework workbook for the round")
        parser.add_argument("--reset", action="store_true", help="put the training copy back as it was prepared")

    def handle(self, *args, provinces: str, day: str, out: str, framework: str, reset: bool, **options):
        if reset:
            if provinces or day or out:
                raise CommandError("--reset takes no other option: it prepares the same day and provinces again")
            try:
                issued = reset_training()
            except TrainingRefused as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                f"Training reset: {len(issued)} accounts back to their first one-time passwords "
                "(the sheets handed out stay valid)."
            )
            return
        if not out:
            raise CommandError("--out is required: the one-time passwords are written only there")
        folder = Path(out)
        if not Path(framework).is_file():
            raise CommandError(f"framework workbook not found: {framework}")
        try:
            when = datetime.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError:
            raise CommandError(f"--day must be YYYY-MM-DD, not {day!r}") from None
        chosen = self._provinces(provinces)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            issued = prepare_training(provinces=chosen, day=when, framework=framework)
        except TrainingRefused as error:
            raise CommandError(str(error)) from None
        for province in chosen:
            path = folder / f"training-{province.code}.xlsx"
            build_accounts_workbook(province, when, [a for a in issued if a.province == province]).save(path)
            path.chmod(0o600)  # passwords: for whoever ran the command, who hands them out
            self.stdout.write(str(path))
        self.stdout.write(f"Training prepared for {when}: {len(chosen)} provinces, {len(issued)} accounts.")

    @staticmethod
    def _provinces(codes: str) -> list[Province]:
        if not codes.strip():
            return list(Province.objects.order_by("code"))
        wanted = [code.strip() for code in codes.split(",") if code.strip()]
        found = {p.code: p for p in Province.objects.filter(code__in=wanted)}
        unknown = [code for code in wanted if code not in found]
        if unknown:
            raise CommandError(f"unknown province codes: {', '.join(unknown)}")
        return [found[code] for code in dict.fromkeys(wanted)]
