import sys

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Round
from results.scores import disagreements, recompute_round


class Command(BaseCommand):
    help = (
        "Rebuild the stored results of a round (or of every running round, or of all) from the answers, "
        "reporting every stored row that disagreed; with --check, only report (exit status 1 on any disagreement)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the round's year (พ.ศ.); default every running round")
        # After a change of the scoring rules (results migration 0002): every year's stored
        # rows follow the rules of today.
        parser.add_argument("--all", action="store_true", help="every round, past years included")
        parser.add_argument(
            "--check", action="store_true", help="change nothing: list the rows a recomputation would change"
        )

    def handle(self, *args, year=None, all=False, check=False, **options):
        if year and all:
            raise CommandError("Give --year or --all, not both.")
        rounds = Round.objects.filter(year=year) if year else Round.objects.all() if all else Round.objects.running()
        if year and not rounds.exists():
            raise CommandError(f"No round for {year}.")
        disagreeing = 0
        for assessment_round in rounds:
            found = 0
            for row in disagreements(assessment_round):
                found += 1
                for name, (stored, recomputed) in row.fields.items():
                    if name == "row":
                        what = "missing" if stored is None else "stored but not recomputed"
                        self.stdout.write(f"{assessment_round.year} assessment {row.assessment} dimension {row.dimension}: {what}")
                    else:
                        self.stdout.write(
                            f"{assessment_round.year} assessment {row.assessment} dimension {row.dimension}: "
                            f"{name} stored {_short(stored)}, recomputed {_short(recomputed)}"
                        )
            disagreeing += found
            if check:
                self.stdout.write(f"{assessment_round.year}: {found:,} rows disagree")
            else:
                count = recompute_round(assessment_round)
                self.stdout.write(f"{assessment_round.year}: {count:,} assessments scored, {found:,} rows disagreed")
        if check and disagreeing:
            sys.exit(1)


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"
