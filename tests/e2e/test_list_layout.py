"""Thread titles in lists take the card's width, on a desktop and on a phone.

On a desktop the row's badges and counts sat in a column beside the title and
grew to their full width, so a long title wrapped at a third of its card.
"""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from community import services
from community.models import Thread
from tests.factories import ModeratorFactory, ReplyFactory, ThreadFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "e2e"
TITLE = (
    "After the last firmware update the milk frother of my Barista Pro stops after "
    "three seconds and the descale light keeps blinking"
)


def _busy_thread() -> Thread:
    """A long title with every badge and count a row can show."""
    thread = ThreadFactory(title=TITLE, is_pinned=False)
    thread.tags.add("firmware", "milk-frother", "descaling")
    reply = ReplyFactory(thread=thread)
    services.reply_create(author=ModeratorFactory(), thread=thread, body="We are on it.")
    Thread.objects.filter(pk=thread.pk).update(
        solution=reply, solved_at=timezone.now(), me_too_count=7
    )
    return thread


def _widths(page: Page) -> dict:
    return page.evaluate(
        """() => {
          const row = document.querySelector('.thread-row');
          const title = row.querySelector('.thread-row__title');
          const style = getComputedStyle(row);
          const inner = row.clientWidth - parseFloat(style.paddingLeft)
                        - parseFloat(style.paddingRight);
          return {row: inner, title: title.getBoundingClientRect().width};
        }"""
    )


@pytest.mark.parametrize("viewport", ["page", "mobile_page"])
def test_a_thread_title_in_a_list_uses_the_cards_width(request, viewport):
    page = request.getfixturevalue(viewport)
    _busy_thread()

    page.goto("/community/")
    widths = _widths(page)
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.locator(".thread-row").first.screenshot(
        path=str(ARTIFACTS_DIR / f"thread-row-{viewport}.png")
    )

    assert widths["title"] >= widths["row"] - 1, widths
    # No horizontal scrolling on a phone either.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
