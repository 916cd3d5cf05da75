"""The command line. Click only: flags become a frozen RunOptions; app does the rest.

Exit statuses (findings.ExitStatus): 0 nothing failed at or above --fail-on,
1 something did, 2 usage/configuration/rule-pack/input error, 3 a bug.
"""

from __future__ import annotations

import datetime
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from spbe_lint import __version__
from spbe_lint.errors import SpbeError
from spbe_lint.findings import ExitStatus, Severity, place
from spbe_lint.i18n import escape_controls

if TYPE_CHECKING:
    from spbe_lint import app

FORMATS = ("text", "concise", "json")

_LANG = click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    help="Language of messages: id (Bahasa Indonesia, default) or en. "
    "Default from config, then SPBE_LINT_LANG.",
)
_RULES = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Use the rule pack in this folder (pack.yaml + rule files) instead of "
    "the bundled Kota Jambi pack.",
)
_CONFIG = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file (default: the nearest .spbe-lint.yaml from the "
    "working folder up to the repository root).",
)
_ISOLATED = click.option(
    "--isolated", is_flag=True, help="Ignore every configuration file."
)


def _probe_options(command: click.decorators.FC) -> click.decorators.FC:
    """Options of the probe (``probe``, ``check --probe``): operator settings,
    from the command line or the configuration file, never from a manifest."""
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


def _probe_settings(args: dict, *, on: bool) -> object | None:
    """The probe's frozen options from the command line, or None when not probing."""
    keys = (
        "resolve",
        "connect_to",
        "ca_bundle",
        "allow_network",
        "timeout",
        "concurrency",
        "exposure",
    )
    values = {key: args.pop(key) for key in keys}
    if not on:
        return None
    from spbe_lint.probes import addresses, collect

    try:
        resolve = dict(collect.parse_resolve(v) for v in values["resolve"])
    except ValueError as exc:
        raise _bad_option("--resolve", values["resolve"], exc) from None
    try:
        connect_to = dict(collect.parse_connect_to(v) for v in values["connect_to"])
    except ValueError as exc:
        raise _bad_option("--connect-to", values["connect_to"], exc) from None
    try:
        networks = addresses.parse_networks(values["allow_network"])
    except ValueError as exc:
        raise _bad_option("--allow-network", values["allow_network"], exc) from None
    return collect.ProbeOptions(
        timeout=values["timeout"] or 15.0,
        concurrency=values["concurrency"] or 8,
        resolve=resolve,
        connect_to=connect_to,
        ca_bundle=values["ca_bundle"],
        allow_networks=networks,
        exposure=values["exposure"],
        progress=sys.stderr.isatty(),
    )


def _bad_option(name: str, values: Sequence[str], exc: Exception) -> SpbeError:
    from spbe_lint.errors import UsageError
    from spbe_lint.i18n import LocalText

    shown = ", ".join(values)
    return UsageError(
        LocalText(
            f"{name} tidak sah ({shown}): {exc}", f"invalid {name} ({shown}): {exc}"
        )
    )


def _split(values: Sequence[str]) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(
        part.strip().upper() for v in values for part in v.split(",") if part.strip()
    )


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "-V", "--version", prog_name="spbe-lint")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
def cli(debug: bool) -> None:
    """Check SPBE application manifests (spbe.yaml) against the Kota Jambi rule pack.

    Every finding names its place (file:line:column), the regulation behind it
    and how to fix it, in Bahasa Indonesia or English.

    \b
    Examples:
      spbe-lint check                      # spbe.yaml in this folder
      spbe-lint check apps/ --format json  # every manifest under apps/
      spbe-lint rules explain HOST-004 --lang en
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: findings with basis and fix; concise: one line each; json: the "
    "versioned report (schemas/report.schema.json).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Exit 1 when a finding at or above this severity fails (default: error).",
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even when findings fail (an unreadable input still exits 2).",
)
@click.option(
    "--select",
    multiple=True,
    metavar="IDS",
    help="Only these rules: ids or families, comma-separated (HOST,SSO-001).",
)
@click.option(
    "--ignore", multiple=True, metavar="IDS", help="Skip these rules (ids or families)."
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: only on a terminal, and not with NO_COLOR).",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Judge as of this day (default: today): effective dates of rules and "
    "'no older than' checks (pentest within 12 months, BCP test within 2 years).",
)
@click.option(
    "--documents",
    type=click.Choice(["auto", "check", "manual"]),
    default="auto",
    show_default=True,
    help="Document references (handover documentation, reports): check that the "
    "files exist next to the manifest, or report them as 'manual' when only the "
    "manifest was submitted. auto: check when the folder is a repository or holds "
    "any referenced document.",
)
@click.option(
    "--probe",
    "probe",
    is_flag=True,
    help="Also probe the endpoints the manifest declares (endpoints.url, login_url, "
    "health_url, interop.apis[].base_url) and judge the endpoint rules on them.",
)
@_probe_options
@_LANG
@_CONFIG
@_ISOLATED
@_RULES
def check(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    exit_zero: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    color: str,
    as_of: datetime.datetime | None,
    documents: str,
    lang: str | None,
    config_file: Path | None,
    isolated: bool,
    rules_dir: Path | None,
    probe: bool = False,
    urls: tuple[str, ...] = (),
    **probe_args: object,
) -> int:
    """Check manifests: PATHS are files or folders (searched for spbe.yaml and
    .spbe.yaml); without PATHS, the manifest in the working folder.

    \b
    Exit status: 0 nothing failed at or above --fail-on; 1 something did;
    2 a usage, configuration or input error (a file that cannot be read);
    3 an internal error (a bug).

    \b
    Examples:
      spbe-lint check
      spbe-lint check examples/ --fail-on warning
      spbe-lint check spbe.yaml --format json -o report.json
      spbe-lint check --select HOST,SSO --lang en
      spbe-lint check submission/ --as-of 2026-06-30 --documents check
    """
    from spbe_lint import app
    from spbe_lint.reporters import REPORTERS, RenderOptions

    options = app.RunOptions(
        paths=paths,
        config_file=config_file,
        isolated=isolated,
        lang=lang,
        fail_on=Severity.parse(fail_on) if fail_on else None,
        exit_zero=exit_zero,
        select=_split(select),
        ignore=_split(ignore),
        rules_dir=rules_dir,
        cwd=Path.cwd(),
        as_of=as_of.date() if as_of else None,
        documents=documents,
        probe=_probe_settings(probe_args, on=probe or bool(urls)),
        urls=urls,
    )
    report = app.probe_urls(options) if urls else app.check(options)
    for problem in report.problems:
        where = place(problem.path, problem.line, problem.column)
        line = f"{where}: error: {problem.message.get(report.lang)}"
        click.echo(escape_controls(line), err=True)  # file names can hold line breaks
    use_color = output is None and _want_color(color)
    text = REPORTERS[fmt](report, RenderOptions(color=use_color))
    _write(text, output, color=use_color)
    return int(report.exit_status())


@cli.command("probe")
@click.argument("urls", nargs=-1)
@click.pass_context
def probe_command(ctx: click.Context, urls: tuple[str, ...], **args: object) -> int:
    """Probe the deployed application: URLS, or without URLS the endpoints the
    manifest in this folder declares (the same as check --probe), with the
    manifest's findings in the same report.

    Only city hosts and the configured SSO host are contacted, at addresses the
    SSRF policy admits; GET, HEAD and OPTIONS only; no proxy from the
    environment.

    \b
    Examples:
      spbe-lint probe https://sipelita.jambikota.go.id/
      spbe-lint probe --format json -o probe.json
      spbe-lint probe https://app.jambikota.go.id/ \\
          --connect-to app.jambikota.go.id:443:10.71.3.4:8443 --ca-bundle staging-ca.pem
    """
    for url in urls:
        if not url.lower().startswith(("https://", "http://")):
            from spbe_lint.errors import UsageError
            from spbe_lint.i18n import LocalText

            raise UsageError(
                LocalText(
                    f"bukan URL http(s): {url!r} (untuk manifest: spbe-lint check --probe)",
                    f"not an http(s) URL: {url!r} (for a manifest: spbe-lint check --probe)",
                )
            )
    return ctx.invoke(check, urls=urls, probe=True, **args)


for _param in check.params:
    if _param.name not in ("paths", "probe", "documents"):
        probe_command.params.append(_param)


@cli.group()
def rules() -> None:
    """List and explain the rules of the rule pack."""


@rules.command("list")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text"
)
@_LANG
@_CONFIG
@_ISOLATED
@_RULES
def rules_list(
    fmt: str,
    lang: str | None,
    config_file: Path | None,
    isolated: bool,
    rules_dir: Path | None,
) -> int:
    """List every rule: id, domain, severity and title.

    \b
    Examples:
      spbe-lint rules list
      spbe-lint rules list --lang en --format json
    """
    from spbe_lint import app, rulepack
    from spbe_lint.reporters import rules as docs

    settings = app.resolve(_options(lang, config_file, isolated, rules_dir))
    shown = rulepack.configure(settings.pack.rules, severity=settings.config.severity)
    if fmt == "json":
        click.echo(docs.render_list_json(shown, settings.pack), nl=False)
    else:
        click.echo(docs.render_list(shown, settings.lang), nl=False)
    return 0


@rules.command("coverage")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text"
)
@_LANG
@_CONFIG
@_ISOLATED
@_RULES
def rules_coverage(
    fmt: str,
    lang: str | None,
    config_file: Path | None,
    isolated: bool,
    rules_dir: Path | None,
) -> int:
    """Show, per domain, which catalogue requirements the pack checks from the
    manifest (static), from evidence documents, or on the running application
    (probe), and which articles they cite.

    \b
    Examples:
      spbe-lint rules coverage
      spbe-lint rules coverage --format json --lang en
    """
    from spbe_lint import app
    from spbe_lint.reporters import coverage

    settings = app.resolve(_options(lang, config_file, isolated, rules_dir))
    if fmt == "json":
        click.echo(coverage.render_json(settings.pack.rules, settings.pack), nl=False)
    else:
        text = coverage.render_text(settings.pack.rules, settings.pack, settings.lang)
        click.echo(text, nl=False)
    return 0


@rules.command("explain")
@click.argument("rule_id", metavar="ID")
@_LANG
@_CONFIG
@_ISOLATED
@_RULES
def rules_explain(
    rule_id: str,
    lang: str | None,
    config_file: Path | None,
    isolated: bool,
    rules_dir: Path | None,
) -> int:
    """Explain one rule: why it exists, its legal basis, how to fix a failure,
    and a passing and a failing example.

    \b
    Example:
      spbe-lint rules explain DATA-005 --lang en
    """
    from spbe_lint import app, rulepack
    from spbe_lint.reporters import rules as docs

    settings = app.resolve(_options(lang, config_file, isolated, rules_dir))
    rule = app.explainable(settings.pack, rule_id)
    (rule,) = rulepack.configure([rule], severity=settings.config.severity)
    click.echo(docs.render_explain(rule, settings.lang), nl=False)
    return 0


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the schema to this file instead of standard output.",
)
def schema(output: Path | None) -> int:
    """Print the manifest JSON Schema (Draft 2020-12), for editors and other tools.

    \b
    Example:
      spbe-lint schema -o .vscode/spbe.schema.json
    """
    from spbe_lint import resources

    _write(resources.schema_text("manifest"), output)
    return 0


def _options(
    lang: str | None, config_file: Path | None, isolated: bool, rules_dir: Path | None
) -> app.RunOptions:
    from spbe_lint import app

    return app.RunOptions(
        lang=lang,
        config_file=config_file,
        isolated=isolated,
        rules_dir=rules_dir,
        cwd=Path.cwd(),
    )


def _want_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _write(text: str, output: Path | None, *, color: bool = False) -> None:
    if output is None:
        click.echo(text, nl=False, color=color)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror) from None


def _language(argv: Sequence[str]) -> str:
    """The language for error lines, before options are parsed (or if they fail)."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get("SPBE_LINT_LANG", "id")


def main(argv: Sequence[str] | None = None, prog_name: str = "spbe-lint") -> None:
    """Entry point: the one place where errors become exit statuses."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in args:  # accepted anywhere, as the crash message suggests
        args = ["--debug", *(a for a in args if a != "--debug")]
    try:
        status = cli.main(args=args, prog_name=prog_name, standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        status = ExitStatus.ERROR
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        status = 130
    except SpbeError as exc:
        line = exc.render(exc.lang or _language(args))
        click.echo(f"{line if exc.path else 'spbe-lint: ' + line}", err=True)
        status = ExitStatus.ERROR
    except Exception as exc:  # a bug: say so briefly; the traceback is behind --debug
        if "--debug" in args:
            traceback.print_exc()
        click.echo(
            f"spbe-lint: internal error ({type(exc).__name__}: {exc}). This is a bug; "
            "rerun with --debug and report the output.",
            err=True,
        )
        status = ExitStatus.INTERNAL
    sys.exit(int(status or 0))
