"""Community templates name no moderation URL: moderation renders its own tools on
community pages (moderation/components.py, through the slots in community_tags), so
the forum's templates work without the moderation app's URLs."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "community"
MODERATION_URL = re.compile(r"""\burl\s+['"]moderation:""")


def test_no_community_template_names_a_moderation_url():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if MODERATION_URL.search(line)
    ]
    assert list(TEMPLATES.rglob("*.html")), "the community templates were not found"
    assert offenders == []
