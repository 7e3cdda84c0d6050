from django.core.management.base import BaseCommand, CommandError

from assessments.models import Round
from results.scores import recompute_round


class Command(BaseCommand):
    help = "Rebuild the stored results of a round (or of every running round) from the answers."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the round's year (พ.ศ.); default every running round")

    def handle(self, *args, year=None, **options):
        rounds = Round.objects.filter(year=year) if year else Round.objects.running()
        if year and not rounds.exists():
            raise CommandError(f"No round for {year}.")
        for assessment_round in rounds:
            count = recompute_round(assessment_round)
            self.stdout.write(f"{assessment_round.year}: {count:,} assessments scored")
