"""Command line: a thin layer over the library API (sqlite-utils style).

The library raises :class:`zoning.errors.ZoningError`; here it becomes one
clear message on stderr and exit code 1, never a traceback. Usage errors
(unknown option, missing argument) exit with code 2. The commands live in
:mod:`zoning.cli.plan` (plan, demo, init), :mod:`zoning.cli.workflow`
(evaluate, compare, app), :mod:`zoning.cli.jurisdictions` and
:mod:`zoning.cli.bundle` (the offline install bundle); heavy libraries are
imported only when a command runs.
"""

from __future__ import annotations

import click

from zoning.cli._common import debug_option
from zoning.cli.bundle import bundle_command
from zoning.cli.jurisdictions import jurisdictions_command
from zoning.cli.plan import demo_command, init_command, plan_command
from zoning.cli.workflow import app_command, compare_command, evaluate_command

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zoning")
@debug_option
def cli() -> None:
    """zoning：多所连片防区规划 / draft cross-station police defence zones."""


for _command in (
    plan_command,
    demo_command,
    init_command,
    evaluate_command,
    compare_command,
    app_command,
    jurisdictions_command,
    bundle_command,
):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="zoning")
