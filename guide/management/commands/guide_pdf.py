from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guide.guides import GUIDES
from guide.printing import render_guide_pdf


class Command(BaseCommand):
    help = "Write a role's user guide as a PDF for training sessions (all six with --all)."

    def add_arguments(self, parser):
        parser.add_argument("role", nargs="?", help=f"the guide: {', '.join(GUIDES)}")
        parser.add_argument("--out", type=Path, help="the .pdf file (default lpa-guide-<role>.pdf; with --all, a folder)")
        parser.add_argument("--all", action="store_true", help="every role's guide")
        parser.add_argument("--language", default="th", choices=["th", "en"], help="th (default) or en")

    def handle(self, *args, role: str | None, out: Path | None, all: bool, language: str, **options):
        if all == bool(role):
            raise CommandError(f"name one guide ({', '.join(GUIDES)}) or give --all")
        if role and role not in GUIDES:
            raise CommandError(f"no guide {role!r}: choose one of {', '.join(GUIDES)}")
        slugs = list(GUIDES) if all else [role]
        folder = out if all and out else Path(".")
        if all:
            folder.mkdir(parents=True, exist_ok=True)
        for slug in slugs:
            path = folder / f"lpa-guide-{slug}.pdf" if all or out is None else out
            pdf = render_guide_pdf(GUIDES[slug], language=language)
            path.write_bytes(pdf)
            self.stdout.write(f"{slug}: {path} ({len(pdf) / 1024:.0f} KB)")
