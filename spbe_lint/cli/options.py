"""The options several commands share, defined once, and what their values become.

Only click and the conversion of option values into the library's own values
(rule ids, days, the probe request, a run's settings): nothing here does work.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from spbe_lint import app

# The keys of reporters.REPORTERS (not imported here: the pre-commit path stays fast).
FORMATS = (
    "text",
    "concise",
    "json",
    "sarif",
    "junit",
    "github",
    "markdown",
    "html",
)
_FORMAT_HELP = (
    "text: findings with basis and fix; concise: one line each; json: the "
    "versioned report (schemas/report.schema.json); sarif: SARIF 2.1.0 for code "
    "scanning; junit: JUnit XML for CI test views; github: GitHub Actions "
    "annotations; markdown: a compliance summary for a merge request; html: the "
    "handover report, one self-contained file that prints on A4."
)
OUTPUT = click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="[FORMAT=]PATH",
    help="Write the --format report to PATH instead of standard output; or, "
    "repeatable, FORMAT=PATH to write that format too (sarif=spbe.sarif "
    "html=report.html): one evaluation, several reports. An unknown FORMAT is an "
    "error (a file named a=b.json: ./a=b.json). Each file is written whole or not "
    "at all: a full disk leaves the old one as it was.",
)

LANG = click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    help="Language of messages: id (Bahasa Indonesia, default) or en. "
    "Default from config, then SPBE_LINT_LANG.",
)
RULES = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Use the rule pack in this folder (pack.yaml + rule files) instead of "
    "the bundled Kota Jambi pack.",
)
CONFIG = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file (default: the nearest .spbe-lint.yaml from the "
    "working folder up to the repository root).",
)
ISOLATED = click.option(
    "--isolated", is_flag=True, help="Ignore every configuration file."
)
FORMAT = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help=_FORMAT_HELP,
)
SELECT = click.option(
    "--select",
    multiple=True,
    metavar="IDS",
    help="Only these rules: ids or families, comma-separated (HOST,SSO-001).",
)
IGNORE = click.option(
    "--ignore", multiple=True, metavar="IDS", help="Skip these rules (ids or families)."
)
COLOR = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: only on a terminal, and not with NO_COLOR).",
)
# What text output lists beyond failures (reporters.text.SHOWABLE).
SHOWABLE = ("manual", "na", "passed")


def _show(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> frozenset[str]:
    names = {p.strip().lower() for v in values for p in v.split(",") if p.strip()}
    if "all" in names:
        return frozenset(SHOWABLE)
    unknown = sorted(names - set(SHOWABLE))
    if unknown:
        from spbe_lint.cli import helptext

        choose = "pilih dari" if helptext.LANGUAGE[0] == "id" else "choose from"
        raise click.BadParameter(
            f"{', '.join(unknown)}; {choose} {', '.join(SHOWABLE)}, all", ctx, param
        )
    return frozenset(names)


SHOW = click.option(
    "--show",
    multiple=True,
    metavar="KINDS",
    callback=_show,
    help="Text output: also list these results, comma-separated: manual (to check "
    "by hand), na (not applicable), passed, or all. By default failures, waived "
    "failures and inconclusive results are listed and the rest counted on one line.",
)
AS_OF = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Judge as of this day (default: today, or the day of SOURCE_DATE_EPOCH "
    "when set): effective dates of rules and 'no older than' checks (pentest within "
    "12 months, BCP test within 2 years).",
)
DOCUMENTS = click.option(
    "--documents",
    type=click.Choice(["auto", "check", "manual"]),
    default="auto",
    show_default=True,
    help="Document references (handover documentation, reports): check that the "
    "files exist next to the manifest, or report them as 'manual' when only the "
    "manifest was submitted. auto: check when the folder is a repository or holds "
    "any referenced document.",
)

SECRETS = click.option(
    "--secrets",
    type=click.Choice(["scan", "skip"]),
    default="scan",
    show_default=True,
    help="Committed secrets (SEC-012): scan the repository's files (the tracked "
    "ones in a git repository, every file of a submission folder) with "
    "detect-secrets, or skip the scan (the manifest's pre-commit hook; the "
    "spbe-lint-secrets hook scans the files being committed).",
)

# The probe's option names, in the order probe_request reads them.
_PROBE_KEYS = (
    "resolve",
    "connect_to",
    "ca_bundle",
    "allow_network",
    "timeout",
    "concurrency",
    "exposure",
)


def probe_options(command: click.decorators.FC) -> click.decorators.FC:
    """Options of the probe (``probe``, ``check --probe``, ``audit --probe``):
    operator settings, from the command line or the configuration file, never
    from a manifest."""
    options = [
        click.option(
            "--resolve",
            multiple=True,
            metavar="HOST:PORT:ADDR",
            help="Use ADDR for HOST:PORT instead of DNS (curl semantics; repeatable). "
            "The address still passes the SSRF policy.",
        ),
        click.option(
            "--connect-to",
            multiple=True,
            metavar="HOST:PORT:HOST2:PORT2",
            help="Connect to HOST2:PORT2 for requests to HOST:PORT, keeping the name "
            "for TLS and Host (curl semantics; repeatable).",
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Also trust the CA certificates in this PEM file (a staging CA).",
        ),
        click.option(
            "--allow-network",
            multiple=True,
            metavar="CIDR",
            help="Admit an otherwise denied address range (repeatable). Cloud "
            "metadata addresses stay denied unless named exactly (a /32).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0.5, 120),
            help="Deadline per request in seconds, body included (default 15).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 128),
            help="Requests in flight at once (default 8; at most 2 per host).",
        ),
        click.option(
            "--exposure",
            is_flag=True,
            help="Also look for exposed files (/.git/HEAD, /.env, server-status, "
            "phpinfo) and directory listings: GET only, confirmed by content.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def probe_request(args: dict[str, Any], *, on: bool) -> Any:
    """What the command line asks of the probe (a ``probes.settings.ProbeRequest``,
    parsed later together with the configuration file's ``probe:``), or None when
    not probing. Takes the probe's options out of *args*."""
    values = {key: args.pop(key) for key in _PROBE_KEYS}
    if not on:
        return None
    from spbe_lint.probes.settings import ProbeRequest

    return ProbeRequest(
        resolve=tuple(values["resolve"]),
        connect_to=tuple(values["connect_to"]),
        ca_bundle=values["ca_bundle"],
        allow_network=tuple(values["allow_network"]),
        timeout=values["timeout"],
        concurrency=values["concurrency"],
        exposure=values["exposure"],
        progress=sys.stderr.isatty(),
    )


def rule_ids(values: Sequence[str]) -> tuple[str, ...] | None:
    """--select/--ignore values: comma-separated ids or families, upper-cased."""
    if not values:
        return None
    return tuple(
        part.strip().upper() for v in values for part in v.split(",") if part.strip()
    )


def day(value: datetime.datetime | None) -> datetime.date | None:
    """--as-of as a day (click parses it as a datetime)."""
    return value.date() if value else None


def settings_options(
    lang: str | None, config_file: Path | None, isolated: bool, rules_dir: Path | None
) -> app.RunOptions:
    """The run options of a command that only needs the settings (language,
    configuration, rule pack), not a check."""
    from spbe_lint import app

    return app.RunOptions(
        lang=lang,
        config_file=config_file,
        isolated=isolated,
        rules_dir=rules_dir,
        cwd=Path.cwd(),
    )
