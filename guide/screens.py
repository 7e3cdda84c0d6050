"""The guides' screenshots: PNG files the browser tests take from the running demo.

tests/browser/test_guide_screenshots.py signs in as each demo role, opens the pages and
saves them here, overwriting the committed copies, so the pictures follow the pages. It
fails when a guide template names a screenshot (`{% screenshot "name" … %}`) that the run
did not produce.
"""

import re
from pathlib import Path

from django.conf import settings

SCREENS_DIR = Path(__file__).resolve().parent / "static" / "guide" / "screens"
NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# `{% screenshot "name" "caption" %}` in a guide template.
REFERENCE = re.compile(r"""\{%\s*screenshot\s+["']([^"']+)["']""")


def screen_path(name: str) -> Path:
    if not NAME.match(name):
        raise ValueError(f"not a screenshot name: {name!r}")
    return SCREENS_DIR / f"{name}.png"


def guide_templates() -> list[Path]:
    folder = Path(settings.BASE_DIR) / "templates" / "guide"
    return sorted(folder.rglob("*.html"))


def referenced_screens() -> dict[str, list[str]]:
    """Screenshot name → the guide templates (relative paths) that show it."""
    found: dict[str, list[str]] = {}
    base = Path(settings.BASE_DIR) / "templates"
    for path in guide_templates():
        for name in REFERENCE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(str(path.relative_to(base)))
    return found
