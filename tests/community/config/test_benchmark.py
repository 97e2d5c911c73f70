import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from community.cache import content_version
from community.config.benchmark_client import (
    RESULT_HEADERS,
    LoadResult,
    NotLoopbackError,
    compare_runs,
    format_comparison,
    format_table,
    parse_wrk_output,
    percentile,
    result_rows,
    run_load,
    run_sequential,
    run_wrk,
    throughput_ratio,
)
from community.config.benchmark_pages import (
    MEMBER,
    MODERATOR,
    PAGE_SPECS,
    PAGES,
    VISITOR,
    find_targets,
    missing_people,
    page_paths,
    write_reply,
)
from community.config.benchmark_process import (
    PageFailed,
    create_session,
    queries_per_request,
    render_time,
)
from community.config.management.commands import benchmark
from community.models import Notification, Reply
from community.services import reply_create
from tests.factories import CategoryFactory, ModeratorFactory, ThreadFactory, UserFactory

# Arithmetic --------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks():
    assert percentile([4, 1, 3, 2], 0.5) == 2.5
    assert percentile(list(range(1, 101)), 0.99) == pytest.approx(99.01)
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([1, 2, 3], 0) == 1
    assert percentile([1, 2, 3], 1) == 3


def test_percentile_of_nothing_is_nan_and_fraction_is_checked():
    assert math.isnan(percentile([], 0.5))
    with pytest.raises(ValueError):
        percentile([1, 2], 99)


def test_load_result_from_latencies_computes_rps_and_percentiles():
    result = LoadResult.from_latencies([10.0, 20.0, 30.0, 40.0], errors=1, seconds=2.0)

    assert result.requests == 4
    assert result.rps == 2.0
    assert result.p50_ms == 25.0
    assert result.p99_ms == pytest.approx(39.7)
    assert result.as_dict()["rps"] == 2.0


def test_throughput_ratio_is_relative_to_the_baseline():
    assert throughput_ratio(250.0, 1000.0) == 0.25
    assert throughput_ratio(250.0, None) is None
    assert throughput_ratio(250.0, 0.0) is None


def test_format_table_aligns_columns_and_shows_missing_numbers_as_a_dash():
    table = format_table(
        ["page", "requests/s", "ratio"],
        [["baseline", 1234.5678, 1.0], ["thread_anonymous", 12.3, None]],
    )
    lines = table.splitlines()

    assert lines[0].split() == ["page", "requests/s", "ratio"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split() == ["baseline", "1234.57", "1.00"]
    assert lines[3].split() == ["thread_anonymous", "12.30", "-"]
    # Numbers are right-aligned: every row has the same width.
    assert len({len(line) for line in lines[:3]}) == 1
    assert lines[2].index("1234.57") + len("1234.57") == lines[3].index("12.30") + len("12.30")


WRK_OUTPUT = """\
Running 3s test @ http://127.0.0.1:8000/community/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.10ms    3.20ms  48.00ms   90.00%
    Req/Sec   330.00     20.00   400.00     70.00%
  Latency Distribution
     50%   11.50ms
     75%   13.00ms
     90%   15.00ms
     99%    1.20s
  1980 requests in 3.00s, 20.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    660.00
Transfer/sec:      6.67MB
"""


def test_parse_wrk_output_reads_percentiles_rate_and_errors():
    result = parse_wrk_output(WRK_OUTPUT, seconds=3)

    assert result.p50_ms == 11.5
    assert result.p99_ms == 1200.0
    assert result.requests == 1980
    assert result.rps == pytest.approx(660.0)
    assert result.errors == 7
    assert result.tool == "wrk"


def test_parse_wrk_output_refuses_a_report_without_latency_distribution():
    with pytest.raises(ValueError):
        parse_wrk_output("Requests/sec: 10\n", seconds=3)


# The scaling check -------------------------------------------------------------------


def _run(threads, **p50s):
    return {
        "data": {"threads": threads},
        "rows": [{"page": page, "p50_ms": p50} for page, p50 in p50s.items()],
    }


def test_compare_runs_passes_up_to_the_target_ratio_and_fails_above():
    before = _run(10_000, home=10.0, thread_anonymous=20.0, search=30.0, gone=5.0)
    after = _run(100_000, home=12.0, thread_anonymous=24.2, search=15.0, new=1.0)

    comparisons = {c.page: c for c in compare_runs(after, before)}

    assert set(comparisons) == {"home", "thread_anonymous", "search"}
    assert comparisons["home"].ratio == pytest.approx(1.2)
    assert comparisons["home"].passed
    assert comparisons["thread_anonymous"].ratio == pytest.approx(1.21)
    assert not comparisons["thread_anonymous"].passed
    assert comparisons["search"].passed
    table = format_comparison(list(comparisons.values()))
    assert "FAIL" in table.splitlines()[3]
    assert table.splitlines()[2].split()[-1] == "pass"


# The Python client ---------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    seen: list | None = None

    def do_GET(self):
        if self.seen is not None:
            self.seen.append("request")
        body = b"ok" if self.path == "/ok" else b"broken"
        self.send_response(200 if self.path == "/ok" else 500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    _Handler.seen = None
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_python_client_measures_a_local_server_for_the_given_time(local_server):
    result = run_load(host="127.0.0.1", port=local_server, path="/ok", seconds=1, connections=4)

    assert result.errors == 0
    assert result.requests > 50
    assert 1.0 <= result.seconds < 3.0
    assert result.rps == pytest.approx(result.requests / result.seconds)
    assert 0 < result.p50_ms <= result.p99_ms < 1000
    assert result.statuses == {"200": result.requests}


def test_python_client_counts_error_responses_as_errors(local_server):
    result = run_load(host="127.0.0.1", port=local_server, path="/fail", seconds=0.5, connections=2)

    assert result.requests == 0
    assert result.errors > 0
    assert set(result.statuses) == {"500"}


def test_python_client_spreads_connections_over_processes(local_server):
    result = run_load(
        host="127.0.0.1", port=local_server, path="/ok", seconds=1, connections=2, processes=2
    )

    assert result.errors == 0
    assert result.requests > 20
    assert result.seconds < 5


def test_sequential_client_sends_each_request_after_its_own_write(local_server):
    """One request at a time, each after `before_each`, which is not timed."""
    events = []
    _Handler.seen = events

    def write():
        events.append("write")
        time.sleep(0.02)

    started = time.perf_counter()
    result = run_sequential(
        host="127.0.0.1", port=local_server, path="/ok", seconds=0.5, before_each=write
    )
    elapsed = time.perf_counter() - started

    assert result.errors == 0
    assert result.tool == "sequential"
    assert 5 <= result.requests <= 25
    assert events == ["write", "request"] * result.requests
    # The requests are timed, not the writes.
    assert result.seconds <= elapsed - 0.02 * result.requests
    assert result.rps == pytest.approx(result.requests / result.seconds)


def test_sequential_client_goes_on_past_its_duration_for_its_minimum_of_requests(local_server):
    result = run_sequential(
        host="127.0.0.1",
        port=local_server,
        path="/ok",
        seconds=0.01,
        before_each=lambda: None,
        min_requests=4,
    )

    assert result.requests == 4


@pytest.mark.parametrize("host", ["localhost", "10.0.0.1", "example.com", "::1"])
def test_load_refuses_any_target_but_127_0_0_1(host):
    with pytest.raises(NotLoopbackError):
        run_load(host=host, port=80, path="/", seconds=1)
    with pytest.raises(NotLoopbackError):
        run_wrk("/bin/false", host=host, port=80, path="/", seconds=1)


def test_load_refuses_an_unbounded_duration():
    with pytest.raises(ValueError):
        run_load(host="127.0.0.1", port=80, path="/", seconds=0)
    with pytest.raises(ValueError):
        run_load(host="127.0.0.1", port=80, path="/", seconds=float("inf"))


# Django side ----------------------------------------------------------------------------


@pytest.mark.urls("community.config.benchmark_urls")
def test_baseline_page_answers_ok_through_the_middleware(client, db):
    response = client.get("/bench/baseline")

    assert response.status_code == 200
    assert response.content == b"ok"
    # Set by middleware and decorators: the response went through the whole stack.
    assert response["X-Frame-Options"] == "DENY"
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/bench/baseline").status_code == 405


def test_production_urls_do_not_mount_the_baseline_page(client, db):
    assert client.get("/bench/baseline/").status_code == 404


@pytest.fixture
def forum(db, member, moderator):
    quiet = CategoryFactory(slug="quiet")
    busy = CategoryFactory(slug="busy")
    ThreadFactory(category=quiet, title="Toaster sparks when plugged").tags.add("toaster")
    for n in range(3):
        ThreadFactory(category=busy, title=f"Blender noise number {n}").tags.add("blender")
    hidden = ThreadFactory(category=quiet, title="Spam spam spam", visibility="hidden")
    hidden.tags.add("spam", "spam2")
    talked_about = ThreadFactory(category=quiet, title="Blender lid cracked")
    # Each reply notifies who replied before (they follow the thread): `member`
    # replies first and so has the most notifications.
    for author in (member, UserFactory(), UserFactory()):
        reply_create(author=author, thread=talked_about, body="Same here.")
    return {"busy": busy, "talked_about": talked_about}


def test_find_targets_picks_category_tag_thread_word_and_users(forum, member, moderator):
    targets = find_targets()

    assert targets.category == forum["busy"]
    assert targets.tag_slug == "blender"
    assert targets.thread == forum["talked_about"]
    assert targets.thread.reply_count == 3
    assert targets.search_word == "blender"
    assert targets.search_word_share == pytest.approx(4 / 5)  # the hidden thread aside
    ThreadFactory(title="Kettle whistles", body="Unlike my blender, it whistles.")
    del targets.search_word_share
    assert targets.search_word_share == pytest.approx(5 / 6)
    assert targets.moderator == moderator
    assert targets.member == member


def test_the_member_is_the_one_with_most_notifications_in_the_sites_language(forum, member):
    french = UserFactory(language="fr")
    staff = ModeratorFactory()
    for recipient in (french, staff):
        for _ in range(5):
            Notification.objects.create(
                recipient=recipient, kind=Notification.Kind.REPLY, thread=forum["talked_about"]
            )

    assert find_targets().member == member
    Notification.objects.filter(recipient=member).delete()
    # The second one to reply now has the most (one, from the third reply).
    assert find_targets().member == Reply.objects.order_by("pk")[1].author
    Notification.objects.exclude(recipient__in=[french, staff]).delete()
    assert find_targets().member is None


def test_the_moderator_is_the_demos_moderator_account_when_there_is_one(moderator):
    assert find_targets().moderator == moderator
    demo = ModeratorFactory(username="moderator")

    assert find_targets().moderator == demo


def test_page_paths_point_at_the_targets(forum):
    paths = page_paths(find_targets())
    thread = forum["talked_about"].get_absolute_url()

    assert paths["category_tag"] == paths["category_tag_member"] == "/community/c/busy/?tag=blender"
    assert paths["thread_anonymous"] == paths["thread_member"] == thread
    assert paths["thread_moderator"] == thread
    assert paths["search"] == paths["search_member"] == "/community/search/?q=blender"
    assert paths["search_after_write"] == "/community/search/?q=blender"
    assert paths["moderation_queue"] == "/moderation/"
    assert paths["notifications"] == "/community/notifications/"
    assert set(paths) == set(PAGE_SPECS)


def test_find_targets_on_an_empty_forum_finds_no_pages_to_skip(db):
    targets = find_targets()

    assert targets.thread is None
    assert set(page_paths(targets)) == {
        "baseline",
        "home",
        "community",
        "baseline_signed_in",
        "community_member",
        "notifications",
        "moderation_queue",
        "approvals",
        "reports",
        "metrics",
        "baseline_after_write",
    }


def test_every_page_is_measured_against_the_constant_page_of_its_kind_of_viewer():
    for spec in PAGES:
        baseline = PAGE_SPECS[spec.baseline]
        # A constant page is its own baseline, and is measured the same way as its pages.
        assert baseline.baseline == baseline.name
        assert baseline.after_write == spec.after_write
        # Visitors against visitors; members and moderators against a signed-in page.
        assert (baseline.kind == VISITOR) == (spec.kind == VISITOR)
        assert baseline.kind in (VISITOR, MEMBER)
    kinds = {spec.kind for spec in PAGES}
    assert kinds == {VISITOR, MEMBER, MODERATOR}
    # Each constant page is measured before the pages whose share is taken against it.
    order = [spec.name for spec in PAGES]
    assert all(order.index(spec.baseline) <= order.index(spec.name) for spec in PAGES)


def test_every_page_answers_whom_it_is_measured_as(forum, member, moderator):
    """Each page is a 200 for its viewer, in process (the command stops on anything else)."""
    targets = find_targets()
    for name, path in page_paths(targets).items():
        role = PAGE_SPECS[name].role
        served, rendered = queries_per_request(path, getattr(targets, role) if role else None)
        assert served <= rendered, name


def test_signed_in_constant_page_costs_a_moderator_what_it_costs_a_member(member, moderator):
    # The middleware reads the session and the member, whatever their role: one
    # signed-in constant page serves members' and moderators' pages alike.
    as_member = queries_per_request("/bench/baseline", member)

    assert as_member == queries_per_request("/bench/baseline", moderator)
    assert as_member[0] > queries_per_request("/bench/baseline")[0] == 0


def test_missing_people_name_what_is_missing(db):
    targets = find_targets()

    assert missing_people(targets, ["baseline", "home"]) == []
    (problem,) = missing_people(targets, ["notifications", "thread_member"])
    assert "No member" in problem
    (problem,) = missing_people(targets, ["reports"])
    assert "No moderator" in problem and "'moderator'" in problem


def test_command_fails_clearly_when_nobody_to_sign_in_as_exists(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("benchmark", "--pages", "home,notifications")


def test_pages_come_with_their_constant_page_and_after_write_pages_need_a_shared_cache(
    forum, monkeypatch
):
    command = benchmark.Command()
    paths = page_paths(find_targets())

    assert command._pages(["thread_member", "home"], paths, explain=False) == [
        "baseline",
        "home",
        "baseline_signed_in",
        "thread_member",
    ]
    assert command._pages(["reports"], paths, explain=True) == ["reports"]
    # The tests' cache is local to the process: a write here would not reach a server.
    assert command._pages(["search_after_write"], paths, explain=False) == []
    monkeypatch.setattr(benchmark, "cache_is_shared", lambda: True)
    assert command._pages(["search_after_write"], paths, explain=False) == [
        "baseline_after_write",
        "search_after_write",
    ]


def test_write_reply_is_a_members_reply_elsewhere_that_moves_the_version_on(forum, member):
    targets = find_targets()
    before = content_version()

    reply = write_reply(targets)

    assert reply.author == member
    assert "blender" in reply.body
    assert reply.thread != targets.thread
    assert reply.thread.author != member
    assert content_version() != before


def test_render_time_times_a_signed_in_page_and_refuses_a_page_that_is_not_200(forum, member):
    timing = render_time("/community/notifications/", member, repeat=2)

    assert timing.cpu_ms > 0
    assert timing.wall_ms > 0
    with pytest.raises(PageFailed, match="302"):
        render_time("/community/notifications/", None, repeat=1)


def test_result_rows_show_the_share_its_baseline_and_render_times():
    rows = [
        {
            "page": "thread_member",
            "rps": 50.0,
            "p50_ms": 40.0,
            "p99_ms": 80.0,
            "queries": 9,
            "queries_rendered": 12,
            "ratio": 0.05,
            "baseline": "baseline_signed_in",
            "render_cpu_ms": 30.5,
            "render_wall_ms": 35.25,
            "errors": 0,
        },
        # A row from a run before these columns: shown with dashes.
        {
            "page": "home",
            "rps": 1.0,
            "p50_ms": 2.0,
            "p99_ms": 3.0,
            "queries": 0,
            "ratio": 1.0,
            "errors": 0,
        },
    ]
    cells = dict(zip(RESULT_HEADERS, result_rows(rows)[0], strict=True))

    assert cells["share"] == 0.05
    assert cells["of"] == "baseline_signed_in"
    assert (cells["cpu ms"], cells["wall ms"]) == (30.5, 35.25)
    lines = format_table(RESULT_HEADERS, result_rows(rows)).splitlines()
    assert lines[2].split() == [
        *["thread_member", "50.00", "40.00", "80.00", "9", "12", "0.05"],
        *["baseline_signed_in", "30.50", "35.25", "0"],
    ]
    assert lines[3].split() == ["home", "1.00", "2.00", "3.00", "0", "1.00", "-", "-", "0"]


def test_created_session_signs_in_on_a_server_with_another_secret_key(client, moderator, settings):
    session_key = create_session(moderator, secret_key="the-servers-own-secret-key")

    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    assert client.get("/moderation/").status_code == 302  # signed with another key
    settings.SECRET_KEY = "the-servers-own-secret-key"
    client.cookies[settings.SESSION_COOKIE_NAME] = create_session(
        moderator, secret_key="the-servers-own-secret-key"
    )
    assert client.get("/moderation/").status_code == 200


def test_queries_per_request_counts_the_queries_of_a_warm_request(forum, moderator):
    assert queries_per_request("/bench/baseline") == (0, 0)
    # A visitor's page is served from the cache; rendering it again takes queries.
    served, rendered = queries_per_request("/community/")
    assert served == 0 < rendered
    served, rendered = queries_per_request("/moderation/", moderator)
    assert 0 < served <= rendered


def test_command_refuses_unknown_pages_and_unreadable_comparisons(db, tmp_path):
    with pytest.raises(CommandError, match="Unknown pages"):
        call_command("benchmark", "--pages", "home,nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("benchmark", "--compare", str(tmp_path / "missing.json"))
