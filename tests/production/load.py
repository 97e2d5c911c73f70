"""A bounded write load: members replying, voting, saying "me too" and accepting at once.

Each member is one thread of a pool (concurrent.futures + requests) that sends its
actions for `seconds` to the servers in turn, on a few shared threads so the writes
meet on the same rows. Every answer is counted by kind: a 5xx or a dropped connection
is an error; a 429 (a posting limit) or a 403 (voting on one's own reply) is the site
saying no, as it should.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from tests.production.http import Browser


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    connection_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def operations(self) -> int:
        return len(self.latencies_ms)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def p99_ms(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


def run_load(*, servers: list[str], members: list[dict], threads: list[dict], seconds: float):
    """Run the load for `seconds`; threads: dicts with pk, author (username), reply."""
    result = LoadResult()
    replies = [t["reply"] for t in threads]
    replies_lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def member_loop(number: int, member: dict) -> None:
        rng = random.Random(number)
        browser = Browser(member["session"])
        browser.csrf_token(servers[number % len(servers)], f"/community/t/{threads[0]['pk']}/")
        own = [t for t in threads if t["author"] == member["username"]]
        step = 0
        while time.monotonic() < deadline:
            server = servers[(number + step) % len(servers)]
            step += 1
            thread = rng.choice(threads)
            kind = rng.choices(["reply", "helpful", "me_too", "accept"], [2, 4, 3, 1])[0]
            if kind == "reply":
                path = f"/community/t/{thread['pk']}/reply/"
                data = {"body": f"Under load, member {number} tried fix {step}: {rng.random()}"}
            elif kind == "helpful":
                with replies_lock:
                    target = rng.choice(replies)
                path = f"/community/r/{target}/helpful/"
                data = {"value": rng.choice(["on", "off"])}
            elif kind == "me_too":
                path = f"/community/t/{thread['pk']}/me-too/"
                data = {"value": rng.choice(["on", "on", "off"])}
            else:
                if not own:
                    continue
                mine = rng.choice(own)
                path = f"/community/t/{mine['pk']}/accept/"
                with replies_lock:
                    data = {"reply": mine["reply"]}
            started = time.monotonic()
            try:
                response = browser.post(server, path, data, timeout=20)
            except requests.RequestException:
                with result.lock:
                    result.connection_errors += 1
                continue
            elapsed = (time.monotonic() - started) * 1000
            with result.lock:
                result.latencies_ms.append(elapsed)
                result.statuses[response.status_code] += 1
                result.actions[kind] += 1
            if kind == "reply" and response.status_code == 302:
                found = re.search(r"/r/(\d+)/|#reply-(\d+)", response.headers.get("Location", ""))
                if found:
                    with replies_lock:
                        replies.append(int(found.group(1) or found.group(2)))

    with ThreadPoolExecutor(max_workers=len(members)) as pool:
        for future in [pool.submit(member_loop, n, m) for n, m in enumerate(members)]:
            future.result()
    return result
