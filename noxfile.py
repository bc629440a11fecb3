"""Maintainer sessions that mirror ``.ci/run``: ``nox`` runs them all, ``nox -s tests`` one.

Each session installs the project with its test and docs extras into its own virtual
environment. The tests need Redis at 127.0.0.1:6379, as in CI (``.ci/run`` starts one if
none answers); set ``KVDECO_REQUIRE_REDIS=1`` to turn a missing Redis into failures.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "types", "typing", "docs", "tests"]
nox.options.reuse_existing_virtualenvs = True

EXTRAS = ".[test,docs]"


@nox.session
def lint(session: nox.Session) -> None:
    """ruff's lint rules and formatting, as CI checks them."""
    session.install("-e", EXTRAS)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def types(session: nox.Session) -> None:
    """``mypy --strict`` over the package."""
    session.install("-e", EXTRAS)
    session.run("mypy", "--strict", "kvdeco")


@nox.session
def typing(session: nox.Session) -> None:
    """The typing tests: what users' type checkers see of decorators, wrappers and stacks."""
    session.install("-e", EXTRAS)
    session.run("mypy", "--strict", "--warn-unused-ignores", "tests/typing")


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site, built strictly (a broken link or reference fails)."""
    session.install("-e", EXTRAS)
    site = session.create_tmp()
    session.run(
        "mkdocs", "build", "--strict", "--quiet", "--site-dir", site,
        env={"NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip


@nox.session
def tests(session: nox.Session) -> None:
    """The README's test command; extra arguments go to pytest (``nox -s tests -- -x``)."""
    session.install("-e", EXTRAS)
    session.run("python", "-m", "pytest", "-rs", *session.posargs)
