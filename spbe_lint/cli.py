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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from spbe_lint import __version__
from spbe_lint.errors import SpbeError
from spbe_lint.findings import ExitStatus, Severity, place
from spbe_lint.i18n import escape_controls

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
_OUTPUT = click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="[FORMAT=]PATH",
    help="Write the --format report to PATH instead of standard output; or, "
    "repeatable, FORMAT=PATH to write that format too (sarif=spbe.sarif "
    "html=report.html): one evaluation, several reports.",
)

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


# Options that several commands share, defined once.
_FORMAT = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help=_FORMAT_HELP,
)
_SELECT = click.option(
    "--select",
    multiple=True,
    metavar="IDS",
    help="Only these rules: ids or families, comma-separated (HOST,SSO-001).",
)
_IGNORE = click.option(
    "--ignore", multiple=True, metavar="IDS", help="Skip these rules (ids or families)."
)
_COLOR = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: only on a terminal, and not with NO_COLOR).",
)
_AS_OF = click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Judge as of this day (default: today, or the day of SOURCE_DATE_EPOCH "
    "when set): effective dates of rules and 'no older than' checks (pentest within "
    "12 months, BCP test within 2 years).",
)
_DOCUMENTS = click.option(
    "--documents",
    type=click.Choice(["auto", "check", "manual"]),
    default="auto",
    show_default=True,
    help="Document references (handover documentation, reports): check that the "
    "files exist next to the manifest, or report them as 'manual' when only the "
    "manifest was submitted. auto: check when the folder is a repository or holds "
    "any referenced document.",
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
    """What the command line asks of the probe (parsed later, together with the
    configuration file's ``probe:``), or None when not probing."""
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
      spbe-lint init                       # write a commented spbe.yaml
      spbe-lint check                      # spbe.yaml in this folder
      spbe-lint check apps/ --format json  # every manifest under apps/
      spbe-lint rules explain HOST-004 --lang en
      spbe-lint audit pengajuan/ --dashboard audit.html  # every application
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_FORMAT
@_OUTPUT
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
@_SELECT
@_IGNORE
@_COLOR
@_AS_OF
@_DOCUMENTS
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Diskominfo's waiver file (default: the nearest spbe-waivers.yaml from "
    "the working folder up to the repository root; not with --isolated). Waived "
    "failures stay in every report, marked, and do not fail the run.",
)
@click.option(
    "--reviewer",
    is_flag=True,
    help="Reviewer mode: ignore every inline x-spbe-waive suppression in the "
    "manifests; only the waiver file counts. The report says so.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Hide the failures listed in FILE (spbe-lint baseline create): report only "
    "new ones, say how many were hidden and which entries are fixed.",
)
@click.option(
    "--sign",
    "sign_key",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="KEY",
    help="Sign the report with this Ed25519 private key (spbe-lint keygen): the "
    "JSON carries the signature, the HTML shows the key's fingerprint.",
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
    outputs: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    color: str,
    as_of: datetime.datetime | None,
    documents: str,
    waivers_file: Path | None,
    reviewer: bool,
    baseline_file: Path | None,
    sign_key: Path | None,
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
      spbe-lint check -o sarif=spbe.sarif -o junit=spbe.xml
      spbe-lint check --select HOST,SSO --lang en
      spbe-lint check submission/ --as-of 2026-06-30 --documents check
      spbe-lint check submission/ --reviewer --waivers spbe-waivers.yaml
      spbe-lint check --baseline spbe-baseline.json
    """
    from spbe_lint import app

    targets = _outputs(fmt, outputs)
    key = _signing_key(sign_key)
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
        waivers_file=waivers_file,
        reviewer=reviewer,
        baseline_file=baseline_file,
        probe=_probe_settings(probe_args, on=probe or bool(urls)),
        urls=urls,
    )
    report = app.probe_urls(options) if urls else app.check(options)
    for problem in report.problems:
        where = place(problem.path, problem.line, problem.column)
        line = f"{where}: error: {problem.message.get(report.lang)}"
        click.echo(escape_controls(line), err=True)  # file names can hold line breaks
    if key is not None:
        from spbe_lint import signing

        report = signing.sign(report, key)
    _emit(report, targets, color)
    return int(report.exit_status())


@cli.command("report")
@click.argument(
    "report_file",
    metavar="REPORT.json",
    type=click.Path(dir_okay=False, path_type=Path),
)
@_FORMAT
@_OUTPUT
@_COLOR
@_LANG
def report_command(
    report_file: Path,
    fmt: str,
    outputs: tuple[str, ...],
    color: str,
    lang: str | None,
) -> int:
    """Render a saved JSON report (check --format json) in any format, without
    checking again. Both languages travel in the report: --lang picks one.

    \b
    Exit status: 0 rendered; 2 the file is not a JSON report spbe-lint can read.

    \b
    Examples:
      spbe-lint report report.json --format sarif -o spbe.sarif
      spbe-lint report report.json --lang en -o junit=spbe.xml -o github=-
    """
    from spbe_lint import saved
    from spbe_lint.reporters import json_

    targets = _outputs(fmt, outputs)
    data = saved.read(report_file)
    report = json_.from_dict(data, lang=lang)
    if report.lang != data["settings"]["lang"]:
        # The signature covers the recorded language; another one is another text.
        report = replace(report, signature=None)
    _emit(report, targets, color)
    return 0


@cli.command()
@click.option(
    "-o",
    "--output",
    "prefix",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("spbe-lint"),
    show_default=True,
    metavar="PREFIX",
    help="Write PREFIX.key (private, readable by its owner only) and PREFIX.pub.",
)
@click.option("--force", is_flag=True, help="Replace existing key files.")
@_LANG
def keygen(prefix: Path, force: bool, lang: str | None) -> int:
    """Make an Ed25519 key pair for signing reports (check --sign).

    Keep the .key private; give the .pub to whoever verifies (spbe-lint verify
    --key), and tell them its fingerprint by another channel.

    \b
    Example:
      spbe-lint keygen -o diskominfo-2026
    """
    from spbe_lint import signing

    private, public, key_id = signing.write_pair(prefix, force=force)
    click.echo(f"{private.as_posix()}\n{public.as_posix()}\n{key_id}")
    return 0


@cli.command()
@click.argument(
    "report_file",
    metavar="REPORT.json",
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PUB",
    help="Check the report's signature with this public key.",
)
@click.option(
    "--inputs",
    "inputs_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="Check that the recorded inputs are in DIR with their sha256, check them "
    "again with the recorded rule pack, and report any difference in findings.",
)
@_RULES
@_LANG
def verify(
    report_file: Path,
    key_file: Path | None,
    inputs_dir: Path | None,
    rules_dir: Path | None,
    lang: str | None,
) -> int:
    """Verify a saved JSON report: its signature (--key) and that it matches the
    submitted manifests (--inputs).

    \b
    Exit status: 0 everything asked for holds; 1 it does not (a changed report,
    another key, a different file, different findings); 2 a file that cannot be
    used (not a report, not a key) or the wrong rule pack.

    \b
    Examples:
      spbe-lint verify report.json --key vendor.pub
      spbe-lint verify report.json --key vendor.pub --inputs submission/
    """
    from spbe_lint import saved
    from spbe_lint import verify as verifying

    if key_file is None and inputs_dir is None:
        raise click.UsageError("give --key PUB, --inputs DIR, or both")
    data = saved.read(report_file)
    language = lang or os.environ.get("SPBE_LINT_LANG") or data["settings"]["lang"]
    language = language if language in ("id", "en") else "id"
    outcomes = []
    if key_file is not None:
        outcomes.append(verifying.signature(data, key_file))
    if inputs_dir is not None:
        outcomes.append(verifying.inputs(data, inputs_dir, rules_dir))
    for outcome in outcomes:
        for line in outcome.lines:
            text = escape_controls(line.get(language))
            click.echo(text if outcome.ok else f"{report_file.as_posix()}: {text}")
    return 0 if all(o.ok for o in outcomes) else 1


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
    """List and explain the rules of the rule pack.

    \b
    Examples:
      spbe-lint rules list
      spbe-lint rules explain HOST-004 --lang en
    """


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
    """Print the manifest JSON Schema (Draft 2020-12), for editors and other tools:
    with `# yaml-language-server: $schema=spbe.schema.json` as the manifest's
    first line, VS Code (YAML extension) and other editors complete and validate
    spbe.yaml as it is typed.

    \b
    Example:
      spbe-lint schema -o spbe.schema.json
    """
    from spbe_lint import resources

    _write(resources.schema_text("manifest"), output)
    return 0


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("spbe.yaml"),
    show_default=True,
    help="Where to write the manifest.",
)
@click.option("--force", is_flag=True, help="Replace an existing manifest.")
@click.option("--title", help="Full name of the application (app.title).")
@click.option(
    "--name",
    help="Machine name (app.name): lower case, digits, dashes. Default: from --title.",
)
@click.option("--opd", help="Owning city agency, Perangkat Daerah (app.owner_opd).")
@click.option(
    "--url", help="Address of the application (endpoints.url; domain.fqdn from it)."
)
@click.option("--vendor", help="The contractor building it (vendor.name).")
@click.option(
    "--status",
    type=click.Choice(["planning", "development", "staging", "production", "retired"]),
    default="development",
    show_default=True,
    help="Lifecycle status (app.status): decides which obligations are due.",
)
@click.option(
    "--from-publiccode",
    "publiccode_file",
    type=click.Path(exists=True, path_type=Path),
    metavar="FILE",
    help="Seed the manifest from a publiccode.yml (or a folder holding one): "
    "name, description, licence, repository URL, maintenance contacts, platforms, "
    "release date. Options given win over it.",
)
@click.option(
    "--schema",
    "schema_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write the manifest JSON Schema to FILE and point the manifest's "
    "first line (# yaml-language-server: $schema=...) at it, for editors.",
)
@click.option(
    "--no-input",
    is_flag=True,
    help="Never ask (default: ask on a terminal for what options did not give).",
)
@_LANG
@_CONFIG
@_ISOLATED
@_RULES
def init(
    output: Path,
    force: bool,
    title: str | None,
    name: str | None,
    opd: str | None,
    url: str | None,
    vendor: str | None,
    status: str,
    publiccode_file: Path | None,
    schema_file: Path | None,
    no_input: bool,
    lang: str | None,
    config_file: Path | None,
    isolated: bool,
    rules_dir: Path | None,
) -> int:
    """Write a new, commented spbe.yaml: the fields you give filled in, every
    other field as a commented line to complete, each explained in Bahasa
    Indonesia with the rule and regulation behind it. On a terminal it asks for
    the application's name, OPD, URL and vendor; elsewhere give them as options.
    An existing file is never replaced without --force.

    \b
    Exit status: 0 written; 2 the file exists, an option or publiccode.yml is
    unusable.

    \b
    Examples:
      spbe-lint init
      spbe-lint init --no-input --title "Sistem Informasi Perizinan" \\
          --opd DPMPTSP --url https://sipelita.jambikota.go.id/ --vendor "PT Contoh"
      spbe-lint init --from-publiccode publiccode.yml --schema spbe.schema.json
    """
    from spbe_lint import initialise
    from spbe_lint import publiccode as pc

    settings = _init_settings(lang, config_file, isolated, rules_dir)
    language = settings.lang
    if output.exists() and not force and not output.is_dir():
        raise initialise.exists(output)  # before any question is asked
    imported = None
    if publiccode_file is not None:
        found = pc.find(publiccode_file)
        imported = pc.load(found, found.as_posix())
    answers = initialise.Answers(
        title=title, name=name, opd=opd, url=url, vendor=vendor, status=status
    )
    if not no_input and sys.stdin.isatty():
        answers = _ask(answers, imported, language)
    schema_ref = None
    if schema_file is not None:
        schema_ref = _relative(schema_file, output.parent)
    plan = initialise.plan(answers, settings.pack, imported, schema_ref=schema_ref)
    initialise.write(output, plan.text, force=force)
    if schema_file is not None:
        from spbe_lint import resources

        _write(resources.schema_text("manifest"), schema_file)
    _say_init(output, plan, imported, language)
    return 0


def _init_settings(
    lang: str | None, config_file: Path | None, isolated: bool, rules_dir: Path | None
) -> Any:
    from spbe_lint import app

    return app.resolve(_options(lang, config_file, isolated, rules_dir))


def _ask(answers: Any, imported: Any, lang: str) -> Any:
    """Ask on the terminal for the essential fields options did not give."""
    from spbe_lint import initialise
    from spbe_lint.i18n import LocalText
    from spbe_lint.publiccode import machine_name

    seeded = imported.values if imported is not None else {}

    def ask(text: LocalText, given: str | None, default: str | None, **kw: Any) -> Any:
        if given:
            return given
        return (
            click.prompt(
                text.get(lang), default=default or "", show_default=bool(default), **kw
            ).strip()
            or None
        )

    def check_url(value: str) -> str:
        problem = initialise.url_problem(value) if value.strip() else None
        if problem:
            raise click.BadParameter(problem.get(lang))
        return value

    title = ask(
        LocalText("Nama lengkap aplikasi", "Application title"),
        answers.title,
        seeded.get(("app", "title")),
    )
    name = ask(
        LocalText("Nama mesin (huruf kecil, angka, -)", "Machine name (a-z, 0-9, -)"),
        answers.name,
        seeded.get(("app", "name")) or (machine_name(title) if title else None),
    )
    opd = ask(LocalText("Perangkat Daerah pemilik", "Owning OPD"), answers.opd, None)
    url = ask(
        LocalText("Alamat aplikasi (URL)", "Application URL"),
        answers.url,
        None,
        value_proc=check_url,
    )
    vendor = ask(
        LocalText("Penyedia (kosongkan bila swakelola)", "Vendor (empty if in-house)"),
        answers.vendor,
        seeded.get(("vendor", "name")),
    )
    return initialise.Answers(title, name, opd, url, vendor, answers.status)


def _relative(target: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(target.absolute(), start.absolute())).as_posix()
    except ValueError:  # another drive on Windows
        return target.absolute().as_posix()


def _say_init(output: Path, plan: Any, imported: Any, lang: str) -> None:
    from spbe_lint.i18n import LocalText

    def say(text: LocalText) -> None:
        click.echo(escape_controls(text.get(lang)))

    def block(title: LocalText, lines: list[LocalText]) -> None:
        if lines:
            say(title)
            for line in lines:
                say(LocalText(f"  {line.id}", f"  {line.en}"))

    shown = output.as_posix()
    say(LocalText(f"{shown} ditulis.", f"{shown} written."))
    if imported is not None:
        taken = [LocalText(f"{a} -> {b}", f"{a} -> {b}") for a, b in imported.taken]
        where = imported.display
        block(LocalText(f"Diambil dari {where}:", f"Taken from {where}:"), taken)
        block(LocalText("Tidak diambil:", "Not taken:"), imported.skipped)
    flagged = [*(imported.flagged if imported is not None else []), *plan.notes]
    block(LocalText("Periksa:", "Check:"), flagged)
    say(
        LocalText(
            f"Berikutnya: lengkapi baris '# kunci:' di {shown}, lalu jalankan "
            f"`spbe-lint check {shown}`",
            f"Next: complete the '# key:' lines in {shown}, then run "
            f"`spbe-lint check {shown}`",
        )
    )


@cli.group("baseline")
def baseline_group() -> None:
    """Record the failures known today, so that check --baseline shows only new ones.

    \b
    Examples:
      spbe-lint baseline create
      spbe-lint check --baseline spbe-baseline.json
    """


@baseline_group.command("create")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("spbe-baseline.json"),
    show_default=True,
    help="Write the baseline to this file.",
)
@click.option(
    "--from",
    "from_report",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="REPORT.json",
    help="Take the failures from a saved JSON report instead of checking PATHS.",
)
@_AS_OF
@_DOCUMENTS
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Waiver file (default: the nearest spbe-waivers.yaml): waived failures are "
    "left out of the baseline.",
)
@_LANG
@_CONFIG
@_ISOLATED
@_RULES
def baseline_create(
    paths: tuple[Path, ...],
    output: Path,
    from_report: Path | None,
    as_of: datetime.datetime | None,
    documents: str,
    waivers_file: Path | None,
    lang: str | None,
    config_file: Path | None,
    isolated: bool,
    rules_dir: Path | None,
) -> int:
    """Write the fingerprints of today's failures (rule, manifest, JSON Pointer or
    endpoint; never a line number, so edits above a finding do not churn it).
    Waived failures are left out: their waiver decides.

    \b
    Exit status: 0 written; 2 a manifest or report could not be read (nothing
    is written).

    \b
    Examples:
      spbe-lint baseline create                      # spbe-baseline.json
      spbe-lint baseline create apps/ -o .spbe-baseline.json
      spbe-lint baseline create --from laporan.json
      spbe-lint check --baseline spbe-baseline.json  # only new failures
    """
    from spbe_lint import app, baseline

    if from_report is not None:
        if paths:
            raise click.UsageError("give PATHS or --from REPORT.json, not both")
        from spbe_lint import saved
        from spbe_lint.reporters import json_

        report = json_.from_dict(saved.read(from_report), lang=lang)
    else:
        report = app.check(
            app.RunOptions(
                paths=paths,
                config_file=config_file,
                isolated=isolated,
                lang=lang,
                rules_dir=rules_dir,
                cwd=Path.cwd(),
                as_of=as_of.date() if as_of else None,
                documents=documents,
                waivers_file=waivers_file,
            )
        )
    for problem in report.problems:
        where = place(problem.path, problem.line, problem.column)
        line = f"{where}: error: {problem.message.get(report.lang)}"
        click.echo(escape_controls(line), err=True)
    if report.problems:
        return int(ExitStatus.ERROR)
    _write(baseline.render(report), output)
    count = len(report.failures)
    click.echo(
        f"{output.as_posix()}: {count} known failure(s) written"
        if report.lang == "en"
        else f"{output.as_posix()}: {count} kegagalan yang diketahui ditulis",
        err=True,
    )
    return 0


@cli.command("diff")
@click.argument(
    "old", metavar="OLD.json", type=click.Path(dir_okay=False, path_type=Path)
)
@click.argument(
    "new", metavar="NEW.json", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "sarif"]),
    default="text",
    show_default=True,
    help="text and markdown for people, json for tools, sarif: NEW's SARIF with "
    "baselineState (new, unchanged, updated, absent for the fixed).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="error",
    show_default=True,
    help="Exit 1 when NEW brings a new, unwaived failure at or above this severity.",
)
@_LANG
def diff_command(
    old: Path,
    new: Path,
    fmt: str,
    output: Path | None,
    fail_on: str,
    lang: str | None,
) -> int:
    """Compare two saved JSON reports of the same application (check --format
    json): new, fixed and unchanged failures (matched by fingerprint, not line),
    changed declarations (hosting provider, SSO issuer...), and waivers added,
    renewed, expired or removed.

    \b
    Exit status: 0 NEW brings no new failure at --fail-on; 1 it does (or a file
    that could no longer be read); 2 a file is not a report, or the reports are
    of different applications (app.id).

    \b
    Examples:
      spbe-lint diff kiriman-1/laporan.json kiriman-2/laporan.json
      spbe-lint diff v1.json v2.json --format markdown -o perubahan.md
      spbe-lint diff v1.json v2.json --format sarif -o spbe.sarif
    """
    from spbe_lint import diff, saved
    from spbe_lint.reporters import diff as render
    from spbe_lint.reporters import json_

    old_data, new_data = saved.read(old), saved.read(new)
    language = lang or os.environ.get("SPBE_LINT_LANG") or new_data["settings"]["lang"]
    language = language if language in ("id", "en") else "id"
    try:
        result = diff.compare(
            json_.from_dict(old_data),
            json_.from_dict(new_data),
            old.as_posix(),
            new.as_posix(),
        )
    except SpbeError as exc:
        exc.lang = language
        raise
    threshold = Severity.parse(fail_on)
    _write(render.RENDERERS[fmt](result, language, threshold), output)
    failing = result.introduced(threshold) or result.new_problems
    return int(ExitStatus.FINDINGS if failing else ExitStatus.OK)


@cli.command("audit")
@click.argument(
    "inventory", required=False, type=click.Path(path_type=Path), metavar="INVENTORY"
)
@click.option(
    "--results",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("spbe-audit.jsonl"),
    show_default=True,
    help="The results file: one JSON line per application, written as each one "
    "finishes.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Keep the results file and skip the applications it already records with "
    "the same input hashes, rule-pack version and settings (the day judged on is "
    "the interrupted run's, unless --as-of is given).",
)
@click.option(
    "--from-results",
    "from_results",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Check nothing: summarise these results files (repeatable; shards of one "
    "audit, concatenated; the latest record of an application wins).",
)
@click.option(
    "--dashboard",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.html",
    help="Write the city-wide HTML dashboard here.",
)
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.csv",
    help="Write one CSV row per application here (for spreadsheets).",
)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write each application's own report into DIR (APP-ID.html...).",
)
@click.option(
    "--report-format",
    "report_formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Format of the per-application reports (repeatable; default html).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    help="Processes for the static checks (default: the number of CPUs).",
)
@click.option(
    "--shard",
    metavar="K/N",
    help="Audit only the K-th of N shards (by a stable hash of the application "
    "id), to spread one audit over N runners; summarise with --from-results.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="An application fails when a finding at or above this severity fails "
    "(default: error).",
)
@_SELECT
@_IGNORE
@_AS_OF
@_DOCUMENTS
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Diskominfo's waiver file (scoped to applications with app:), applied "
    "to every application.",
)
@click.option(
    "--probe",
    "probe",
    is_flag=True,
    help="Also probe each application's endpoints (or the inventory's URL), "
    "sharing one worker pool (--concurrency) and at most two connections per host.",
)
@_probe_options
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar (default: on a terminal, and not when CI is set).",
)
@_LANG
@_CONFIG
@_ISOLATED
@_RULES
def audit(
    inventory: Path | None,
    results: Path,
    resume: bool,
    from_results: tuple[Path, ...],
    dashboard: Path | None,
    csv_file: Path | None,
    reports_dir: Path | None,
    report_formats: tuple[str, ...],
    jobs: int | None,
    shard: str | None,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    as_of: datetime.datetime | None,
    documents: str,
    waivers_file: Path | None,
    probe: bool,
    progress: bool | None,
    lang: str | None,
    config_file: Path | None,
    isolated: bool,
    rules_dir: Path | None,
    **probe_args: object,
) -> int:
    """Audit a portfolio of applications: INVENTORY is a folder with one
    sub-folder per application (its spbe.yaml and documents) or a CSV file with
    the columns id, opd, manifest (a manifest or repository folder, relative to
    the CSV) and url.

    Results stream to --results as each application finishes; an interrupted
    run continues with --resume. A submission that cannot be read is recorded
    as broken and the run goes on. The dashboard and CSV are made from the
    results file, so shards audited apart are summarised together with
    --from-results.

    \b
    Exit status: 0 every application passes at --fail-on; 1 one fails or could
    not be read; 2 the inventory, a results file or an option cannot be used;
    3 an internal error (a bug) in at least one application.

    \b
    Examples:
      spbe-lint audit pengajuan/ --dashboard audit.html --csv audit.csv
      spbe-lint audit inventaris.csv --probe --concurrency 32 --reports laporan/
      spbe-lint audit inventaris.csv --resume          # after an interruption
      spbe-lint audit inventaris.csv --shard 2/8 --results shard-2.jsonl
      spbe-lint audit --from-results shard-*.jsonl --dashboard kota.html
    """
    from spbe_lint import app
    from spbe_lint.audit import journal

    probe_request = _probe_settings(probe_args, on=probe)
    if probe_request is not None:
        probe_request = replace(probe_request, progress=False)  # ours is per app
    if from_results:
        if inventory is not None or probe or resume or shard:
            raise click.UsageError(
                "--from-results summarises results files: give no INVENTORY, "
                "--probe, --resume or --shard with it"
            )
        language = _audit_language(lang, config_file, isolated)
        runs, records = journal.latest(from_results)
        outcome = None
    else:
        if inventory is None:
            raise click.UsageError("give an INVENTORY (a folder or a CSV file)")
        from spbe_lint.audit import runner

        options = runner.AuditOptions(
            inventory=inventory,
            results=results,
            run=app.RunOptions(
                config_file=config_file,
                isolated=isolated,
                lang=lang,
                fail_on=Severity.parse(fail_on) if fail_on else None,
                select=_split(select),
                ignore=_split(ignore),
                rules_dir=rules_dir,
                cwd=Path.cwd(),
                as_of=as_of.date() if as_of else None,
                documents=documents,
                waivers_file=waivers_file,
                probe=probe_request,
            ),
            resume=resume,
            reports_dir=reports_dir,
            report_formats=report_formats or (("html",) if reports_dir else ()),
            shard=_shard(shard),
            jobs=jobs or os.cpu_count() or 1,
        )
        show = progress if progress is not None else _interactive()
        with _AuditProgress(show) as advance:
            outcome = runner.audit(options, advance)
        language = outcome.lang
        runs, records = journal.latest([results])
    return _audit_outputs(runs, records, language, outcome, dashboard, csv_file)


def _audit_outputs(
    runs: list[Any],
    records: Any,
    lang: str,
    outcome: Any,
    dashboard: Path | None,
    csv_file: Path | None,
) -> int:
    """Summarise the latest records once, writing the CSV on the way."""
    from spbe_lint.audit import summary as summarising

    stream = _tee_csv(records, csv_file, lang)
    summary = summarising.summarise(runs, stream, lang)
    if dashboard is not None:
        from spbe_lint.audit import dashboard as html

        _write(html.render(summary, lang), dashboard)
    for row in summary.rows:
        if row.problem:
            click.echo(escape_controls(f"{row.app}: {row.problem}"), err=True)
    city = summary.city
    if lang == "en":
        line = (
            f"{city.applications} application(s): {city.ready} ready, "
            f"{city.not_ready} not ready, {city.broken} could not be read"
        )
    else:
        line = (
            f"{city.applications} aplikasi: {city.ready} siap, {city.not_ready} "
            f"belum siap, {city.broken} tidak dapat dibaca"
        )
    if outcome is not None:
        resumed = (
            f"; {outcome.resumed} already recorded"
            if lang == "en"
            else f"; {outcome.resumed} sudah tercatat"
        )
        line += (resumed if outcome.resumed else "") + f" ({outcome.seconds:.1f} s)"
    click.echo(line)
    if outcome is not None and outcome.errors:
        for error in outcome.errors:
            click.echo(
                f"spbe-lint: {error}. This is a bug; please report it.", err=True
            )
        return int(ExitStatus.INTERNAL)
    failing = city.broken or any(
        r.state == "checked" and r.exit == 1 for r in summary.rows
    )
    return int(ExitStatus.FINDINGS if failing else ExitStatus.OK)


def _tee_csv(records: Any, csv_file: Path | None, lang: str) -> Any:
    """The records, each also written as a CSV row on its way to the summary."""
    if csv_file is None:
        yield from records
        return
    from spbe_lint.audit import table

    try:
        csv_file.parent.mkdir(parents=True, exist_ok=True)
        stream = csv_file.open("w", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise click.FileError(str(csv_file), hint=exc.strerror) from None
    with stream:
        stream.write(table.header())
        for record in records:
            stream.write(table.line(record, lang))
            yield record


def _shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    k, sep, n = value.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter("use K/N with 1 <= K <= N (2/8)", param_hint="--shard")
    return int(k), int(n)


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _audit_language(lang: str | None, config_file: Path | None, isolated: bool) -> str:
    from spbe_lint import app

    return app.resolve(_options(lang, config_file, isolated, None)).lang


class _AuditProgress:
    """Progress on standard error: a bar with counts, rate and the current
    application redrawn in place on a terminal; asked for with --progress
    elsewhere (a CI log), one plain line every few seconds and at the end."""

    EVERY = 5.0  # seconds between lines when not on a terminal

    def __init__(self, show: bool) -> None:
        self.show = show
        self.terminal = sys.stderr.isatty()
        self.started = 0.0
        self.last = 0.0
        self.drawn = False

    def __enter__(self) -> Any:
        import time

        self.started = self.last = time.perf_counter()
        return self.advance if self.show else None

    def advance(self, done: int, total: int, current: str) -> None:
        import time

        now = time.perf_counter()
        if not self.terminal and done < total and now - self.last < self.EVERY:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-6)
        left = (total - done) / rate if rate else 0
        width = 24
        filled = int(width * done / total) if total else width
        line = (
            f"spbe-lint audit [{'#' * filled}{'-' * (width - filled)}] "
            f"{done}/{total} {rate:.1f}/s eta {left:.0f}s {escape_controls(current)[:40]}"
        )
        if self.terminal:
            sys.stderr.write("\r\x1b[K" + line)
            self.drawn = True
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()


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
        output.parent.mkdir(parents=True, exist_ok=True)  # reports/ in a fresh CI job
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror) from None


def _outputs(fmt: str, outputs: Sequence[str]) -> list[tuple[str, Path | None]]:
    """(format, path) pairs; None is standard output. ``FORMAT=PATH`` names a
    format only when FORMAT is one (a file may be called ``a=b.json``); a plain
    PATH takes --format's report off standard output."""
    targets: list[tuple[str, Path | None]] = []
    plain: list[str] = []
    for value in outputs:
        name, sep, path = value.partition("=")
        if sep and name in FORMATS:
            if not path:
                raise click.BadParameter(
                    f"no path after {name}=", param_hint="--output"
                )
            targets.append((name, None if path == "-" else Path(path)))
        else:
            plain.append(value)
    if len(plain) > 1:
        raise click.BadParameter(
            "give one plain PATH (for --format); name the format of the others: "
            "FORMAT=PATH",
            param_hint="--output",
        )
    main_target = Path(plain[0]) if plain and plain[0] != "-" else None
    if not any(path is None for _, path in targets) or plain:
        targets.insert(0, (fmt, main_target))
    seen = [str(path) for _, path in targets if path is not None]
    if len(seen) != len(set(seen)):
        raise click.BadParameter("two reports to one file", param_hint="--output")
    return targets


def _signing_key(path: Path | None) -> Any:
    """The private key, loaded before checking so a bad key fails fast."""
    if path is None:
        return None
    from spbe_lint import signing

    return signing.load_private(path)


def _emit(report: Any, targets: Sequence[tuple[str, Path | None]], color: str) -> None:
    """Render once per target: every report from the same evaluation."""
    from spbe_lint.reporters import REPORTERS, RenderOptions

    for fmt, path in targets:
        use_color = path is None and _want_color(color)
        _write(
            REPORTERS[fmt](report, RenderOptions(color=use_color)),
            path,
            color=use_color,
        )


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
