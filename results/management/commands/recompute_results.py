from django.core.management.base import BaseCommand, CommandError

from assessments.models import Round
from results.scores import recompute_round


class Command(BaseCommand):
    help = "Rebuild the stored results of a round (or of every running round, or of all) from the answers."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the round's year (พ.ศ.); default every running round")
        # After a change of the scoring rules (results migration 0002): every year's stored
        # rows follow the rules of today.
        parser.add_argument("--all", action="store_true", help="every round, past years included")

    def handle(self, *args, year=None, all=False, **options):
        if year and all:
            raise CommandError("Give --year or --all, not both.")
        rounds = Round.objects.filter(year=year) if year else Round.objects.all() if all else Round.objects.running()
        if year and not rounds.exists():
            raise CommandError(f"No round for {year}.")
        for assessment_round in rounds:
            count = recompute_round(assessment_round)
            self.stdout.write(f"{assessment_round.year}: {count:,} assessments scored")
