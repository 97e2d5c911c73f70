"""Pinned threads head the first page of their lists, in a block of their own."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from community import selectors
from tests.community.test_queries import assert_same_queries, queries
from tests.factories import CategoryFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def pinned_block(content: str) -> str:
    match = re.search(r'<section class="pinned-threads".*?</section>', content, re.S)
    return match.group(0) if match else ""


def thread_at(hours_ago: int, **fields):
    moment = timezone.now() - timedelta(hours=hours_ago)
    return ThreadFactory(created_at=moment, last_activity_at=moment, **fields)


@pytest.fixture
def coffee():
    return CategoryFactory(slug="coffee", name="Coffee")


def test_pinned_threads_head_the_first_page_and_the_list_keeps_its_order(client, coffee):
    recent = thread_at(1, category=coffee, title="A recent question about grinders")
    pinned = thread_at(50, category=coffee, title="Read me first: warranty", is_pinned=True)

    content = client.get("/community/").content.decode()

    block = pinned_block(content)
    assert "Read me first: warranty" in block
    assert recent.title not in block
    assert "Pinned" in block
    # The list under it is the usual one, latest activity first (the pinned thread too).
    listed = re.findall(r'<h3 class="thread-row__title"><a [^>]*>([^<]+)</a>', content)
    assert listed == [pinned.title, recent.title, pinned.title]


def test_the_pinned_block_shows_visible_threads_at_most_five(client, coffee):
    for number in range(7):
        thread_at(number, category=coffee, title=f"Pinned notice number {number}", is_pinned=True)
    thread_at(
        0, category=coffee, title="Pinned but hidden away", is_pinned=True, visibility="hidden"
    )
    thread_at(
        0, category=coffee, title="Pinned but still pending", is_pinned=True, visibility="pending"
    )

    block = pinned_block(client.get("/community/").content.decode())

    assert block.count('<li class="thread-row">') == 5
    assert "Pinned notice number 0" in block and "Pinned notice number 5" not in block
    assert "hidden away" not in block and "still pending" not in block


def test_a_category_shows_its_own_pinned_threads(client, coffee):
    thread_at(1, category=coffee, title="Coffee: descaling guide", is_pinned=True)
    thread_at(1, category=CategoryFactory(slug="orders"), title="Orders: returns", is_pinned=True)

    coffee_block = pinned_block(client.get("/community/c/coffee/").content.decode())
    all_block = pinned_block(client.get("/community/").content.decode())

    assert "descaling guide" in coffee_block and "Orders: returns" not in coffee_block
    assert "descaling guide" in all_block and "Orders: returns" in all_block


@pytest.mark.parametrize("query", ["?page=2", "?status=unanswered", "?tag=espresso"])
def test_the_pinned_block_is_on_the_unfiltered_first_page_only(client, coffee, query):
    pinned = thread_at(1, category=coffee, title="Read me first: warranty", is_pinned=True)
    pinned.tags.add("espresso")
    for number in range(selectors.THREADS_PER_PAGE + 1):
        thread_at(2 + number, category=coffee).tags.add("espresso")

    content = client.get(f"/community/{query}").content.decode()

    assert pinned_block(content) == ""


def test_no_block_without_pinned_threads(client, coffee):
    thread_at(1, category=coffee)
    assert pinned_block(client.get("/community/").content.decode()) == ""


def test_rows_show_the_pin_and_duplicate_badges(client, coffee):
    original = thread_at(3, category=coffee, title="The original report of E42")
    thread_at(2, category=coffee, title="Also E42 on my machine", duplicate_of=original)
    thread_at(1, category=coffee, title="Pinned: known issues", is_pinned=True)

    content = client.get("/community/?sort=newest").content.decode()

    rows = re.findall(
        r'<li class="thread-row">.*?</li>\s*(?=<li class="thread-row">|</ul>)', content, re.S
    )
    by_title = {re.search(r'">([^<]+)</a></h3>', row).group(1): row for row in rows}
    assert ">Duplicate</span>" in by_title["Also E42 on my machine"]
    assert ">Duplicate</span>" not in by_title["The original report of E42"]
    assert "Pinned</span>" in by_title["Pinned: known issues"]


@pytest.mark.parametrize("path", ["/community/", "/community/c/coffee/"])
def test_the_pinned_block_costs_one_query(client, coffee, path):
    thread_at(1, category=coffee).tags.add("espresso")
    queries(client, path)  # warm caches
    without, _content = queries(client, path)
    for number in range(3):
        thread_at(2, category=coffee, title=f"Pinned notice number {number}", is_pinned=True)

    with_pinned, content = queries(client, path)

    assert pinned_block(content).count('<li class="thread-row">') == 3
    assert len(with_pinned) == len(without)
    assert len([sql for sql in with_pinned if re.search(r'WHERE .*"is_pinned"', sql)]) == 1


@pytest.mark.parametrize("path", ["/community/", "/community/c/coffee/"])
def test_list_queries_stay_constant_with_pinned_threads(client, coffee, path):
    def add(count, first=0):
        for number in range(first, first + count):
            thread = thread_at(number, category=coffee, is_pinned=number % 10 == 0)
            thread.tags.add("espresso", f"tag-{number % 4}")

    add(1)
    queries(client, path)  # warm caches
    with_one, _content = queries(client, path)
    add(49, first=1)
    with_fifty, content = queries(client, path)

    assert pinned_block(content).count('<li class="thread-row">') == 5
    assert_same_queries(with_one, with_fifty, path)
