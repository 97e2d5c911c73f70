"""The load side of `manage.py benchmark`: a small HTTP load client and its arithmetic.

Nothing here knows Django. The client keeps one HTTP/1.1 keep-alive connection per
simulated user, sends GET requests for a fixed time and records the latency of
each one. It only ever talks to 127.0.0.1: a benchmark is run against a server
started on the same machine, never against someone else's site.

When `wrk` is installed the command uses it instead (`run_wrk`), and reads the
same three numbers from its `--latency` report. `run_sequential` sends one request
at a time with something done before each, outside the timed part: for figures
that must hold for every request ("the first search after a write").
"""

from __future__ import annotations

import http.client
import math
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context

LOOPBACK = "127.0.0.1"
# Above this ratio of p50 latencies (this run / the reference run) a page fails the
# scaling check: ten times the data may cost at most 20% more time per request.
SCALING_TARGET = 1.2


class NotLoopbackError(ValueError):
    """The benchmark refuses to send load anywhere but 127.0.0.1."""


def check_loopback(host: str) -> None:
    if host != LOOPBACK:
        raise NotLoopbackError(f"The benchmark only sends load to {LOOPBACK}, not to {host!r}.")


# Arithmetic ------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` quantile (0..1) of `values`, interpolated linearly between ranks.

    Same definition as numpy's default and Python's statistics.quantiles(method=
    "inclusive"): the median of [1, 2, 3, 4] is 2.5. NaN for no values.
    """
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = math.ceil(position)
    if lower == upper:
        return ordered[lower]
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass
class LoadResult:
    """What one page did under load."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    tool: str = "python"
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @classmethod
    def from_latencies(
        cls, latencies_ms: list[float], *, errors: int, seconds: float, statuses=None
    ) -> LoadResult:
        return cls(
            requests=len(latencies_ms),
            errors=errors,
            seconds=seconds,
            p50_ms=percentile(latencies_ms, 0.50),
            p99_ms=percentile(latencies_ms, 0.99),
            statuses=dict(statuses or {}),
        )

    def as_dict(self) -> dict:
        return {**asdict(self), "rps": self.rps}


def throughput_ratio(rps: float, baseline_rps: float | None) -> float | None:
    """A page's requests per second as a share of the baseline page's."""
    if not baseline_rps:
        return None
    return rps / baseline_rps


def _number(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def format_table(headers: list[str], rows: list[list]) -> str:
    """A plain-text table: the first column left-aligned, numbers right-aligned."""
    cells = [headers] + [
        [cell if isinstance(cell, str) else _number(cell, 2) for cell in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        first, *rest = row
        return "  ".join(
            [first.ljust(widths[0])]
            + [cell.rjust(w) for cell, w in zip(rest, widths[1:], strict=True)]
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


RESULT_HEADERS = [
    "page",
    "requests/s",
    "p50 ms",
    "p99 ms",
    "queries/req",
    "queries/render",
    "share",
    "of",
    "cpu ms",
    "wall ms",
    "errors",
]


def result_rows(rows: list[dict]) -> list[list]:
    """Table rows from the JSON rows of a run (see the command's `--json`).

    "share": the page's requests per second as a share of those of the constant
    page named in "of"; "cpu ms" and "wall ms": one request to the page in one
    process (the median of a few), where it was timed.
    """
    return [
        [
            row["page"],
            row["rps"],
            row["p50_ms"],
            row["p99_ms"],
            row["queries"],
            row.get("queries_rendered", ""),
            row["ratio"],
            row.get("baseline", ""),
            row.get("render_cpu_ms"),
            row.get("render_wall_ms"),
            row["errors"],
        ]
        for row in rows
    ]


@dataclass
class Comparison:
    page: str
    before_ms: float
    after_ms: float
    ratio: float
    passed: bool


def compare_runs(current: dict, previous: dict, *, target: float = SCALING_TARGET):
    """Per page present in both runs: p50 of this run / p50 of the previous one."""
    before = {row["page"]: row for row in previous.get("rows", [])}
    comparisons = []
    for row in current.get("rows", []):
        old = before.get(row["page"])
        if not old or not old.get("p50_ms") or row.get("p50_ms") is None:
            continue
        ratio = row["p50_ms"] / old["p50_ms"]
        comparisons.append(
            Comparison(
                page=row["page"],
                before_ms=old["p50_ms"],
                after_ms=row["p50_ms"],
                ratio=ratio,
                passed=ratio <= target,
            )
        )
    return comparisons


def format_comparison(comparisons: list[Comparison], *, target: float = SCALING_TARGET) -> str:
    return format_table(
        ["page", "p50 before ms", "p50 now ms", "ratio", f"<= {target}"],
        [
            [c.page, c.before_ms, c.after_ms, c.ratio, "pass" if c.passed else "FAIL"]
            for c in comparisons
        ],
    )


# The Python client -------------------------------------------------------------------


def _one_get(connection, *, path: str, headers: dict, port: int):
    """One timed GET on a kept-alive connection: the connection to use next, the
    status (None when the request failed) and the milliseconds it took."""
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        connection.close()
        time.sleep(0.01)
        return http.client.HTTPConnection(LOOPBACK, port, timeout=30), None, 0.0
    elapsed_ms = (time.perf_counter() - started) * 1000
    if response.will_close:
        connection.close()
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    return connection, response.status, elapsed_ms


def _connection_loop(port, path, headers, deadline, latencies, statuses, errors, lock):
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    mine: list[float] = []
    my_statuses: dict[str, int] = {}
    my_errors = 0
    try:
        while time.perf_counter() < deadline:
            connection, status, elapsed_ms = _one_get(
                connection, path=path, headers=headers, port=port
            )
            if status is not None:
                my_statuses[str(status)] = my_statuses.get(str(status), 0) + 1
            if status is not None and 200 <= status < 400:
                mine.append(elapsed_ms)
            else:
                my_errors += 1
    finally:
        connection.close()
    with lock:
        latencies.extend(mine)
        errors.append(my_errors)
        for status, count in my_statuses.items():
            statuses[status] = statuses.get(status, 0) + count


def _load_in_threads(port, path, headers, seconds, connections):
    """One process: `connections` threads, each with its own keep-alive connection."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[int] = []
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds
    workers = [
        threading.Thread(
            target=_connection_loop,
            args=(port, path, headers, deadline, latencies, statuses, errors, lock),
            daemon=True,
        )
        for _ in range(connections)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        # A request started just before the deadline may take up to its timeout.
        worker.join(timeout=seconds + 35)
    return latencies, statuses, sum(errors), time.perf_counter() - started


def run_load(
    *,
    host: str,
    port: int,
    path: str,
    seconds: float,
    connections: int = 8,
    processes: int = 1,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """GET `path` on 127.0.0.1:`port` for `seconds`, from `connections` connections.

    The connections are spread over `processes` processes, so the client's own
    interpreter lock does not cap the load it can send.
    """
    check_loopback(host)
    if seconds <= 0 or seconds > 3600:
        raise ValueError("seconds must be between 0 and 3600")
    if not path.startswith("/"):
        raise ValueError("path must start with /")
    headers = {"Host": f"{LOOPBACK}:{port}", "Connection": "keep-alive", **(headers or {})}
    processes = max(1, min(processes, connections))
    if processes == 1:
        latencies, statuses, errors, elapsed = _load_in_threads(
            port, path, headers, seconds, connections
        )
        return LoadResult.from_latencies(
            latencies, errors=errors, seconds=elapsed, statuses=statuses
        )
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    # A Pool rather than an executor: leaving the `with` on Ctrl-C terminates the
    # processes at once instead of waiting for their deadline.
    with get_context("spawn").Pool(processes) as pool:
        # Start every process before the clock starts, so that start-up is not timed.
        pool.map(_noop, range(processes))
        pending = [
            pool.apply_async(_load_in_threads, (port, path, headers, seconds, share))
            for share in shares
        ]
        parts = [result.get(timeout=seconds + 60) for result in pending]
    latencies = [value for part in parts for value in part[0]]
    statuses: dict[str, int] = {}
    for part in parts:
        for status, count in part[1].items():
            statuses[status] = statuses.get(status, 0) + count
    return LoadResult.from_latencies(
        latencies,
        errors=sum(part[2] for part in parts),
        seconds=max(part[3] for part in parts),
        statuses=statuses,
    )


def _noop(_):
    return None


# How long a sequential run may go on past its duration to reach its minimum of requests.
SEQUENTIAL_MAX_SECONDS = 60


def run_sequential(
    *,
    host: str,
    port: int,
    path: str,
    seconds: float,
    before_each: Callable[[], object],
    headers: dict[str, str] | None = None,
    min_requests: int = 10,
) -> LoadResult:
    """GET `path` one request at a time on one keep-alive connection for `seconds`,
    calling `before_each()` before every request, outside the timed part.

    A slow page gets `seconds` or `min_requests` requests, whichever takes longer
    (within SEQUENTIAL_MAX_SECONDS): a percentile of three requests says little.

    For a figure that must hold for every request, such as "the first request after
    a write": `before_each` makes the write, so no request can be served what an
    earlier one left in a cache. The requests per second are the connection's while
    it waits for answers (the time of `before_each` is not counted), that is one
    over the mean latency.
    """
    check_loopback(host)
    if seconds <= 0 or seconds > 3600:
        raise ValueError("seconds must be between 0 and 3600")
    if not path.startswith("/"):
        raise ValueError("path must start with /")
    headers = {"Host": f"{LOOPBACK}:{port}", "Connection": "keep-alive", **(headers or {})}
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    started_at = time.perf_counter()
    deadline = started_at + seconds
    last_call = started_at + max(seconds, SEQUENTIAL_MAX_SECONDS)
    try:
        while (now := time.perf_counter()) < deadline or (
            len(latencies) < min_requests and now < last_call
        ):
            before_each()
            connection, status, elapsed_ms = _one_get(
                connection, path=path, headers=headers, port=port
            )
            if status is not None:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status is not None and 200 <= status < 400:
                latencies.append(elapsed_ms)
            else:
                errors += 1
    finally:
        connection.close()
    result = LoadResult.from_latencies(
        latencies, errors=errors, seconds=sum(latencies) / 1000, statuses=statuses
    )
    result.tool = "sequential"
    return result


# wrk ---------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk_output(text: str, *, seconds: float) -> LoadResult:
    """Requests, errors, p50 and p99 from the report of `wrk --latency`."""
    distribution = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", text, re.MULTILINE))
    requests = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", text, re.MULTILINE)
    if "50" not in distribution or "99" not in distribution or not requests:
        raise ValueError("wrk output without a latency distribution (was --latency given?)")
    elapsed_s = _to_ms(requests.group(2) + requests.group(3)) / 1000
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket.groups()) if socket else 0
    return LoadResult(
        requests=int(requests.group(1)),
        errors=errors,
        seconds=elapsed_s or seconds,
        p50_ms=_to_ms(distribution["50"]),
        p99_ms=_to_ms(distribution["99"]),
        tool="wrk",
    )


def run_wrk(
    wrk: str,
    *,
    host: str,
    port: int,
    path: str,
    seconds: float,
    connections: int = 8,
    threads: int = 2,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    check_loopback(host)
    threads = max(1, min(threads, connections))
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "--latency",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://{LOOPBACK}:{port}{path}")
    output = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    return parse_wrk_output(output, seconds=seconds)
