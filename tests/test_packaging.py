"""The package's metadata: `pip install -e .` builds it without deprecation warnings."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_licence_is_an_spdx_expression_with_its_file():
    project = _pyproject()["project"]

    # A TOML table here makes setuptools warn on every build (PEP 639).
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]
    assert "BSD 3-Clause License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")]


def test_the_build_needs_a_setuptools_that_reads_spdx_licences():
    requires = _pyproject()["build-system"]["requires"]

    assert "setuptools>=77" in requires
