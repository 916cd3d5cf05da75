"""``spbe-lint check`` and ``spbe-lint probe``: judge manifests, and the deployed
application they declare. Click only: the flags become a frozen
``app.RunOptions``; ``app`` does the rest."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from spbe_lint.cli import options, writing
from spbe_lint.findings import Severity


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@options.FORMAT
@options.OUTPUT
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
@options.SELECT
@options.IGNORE
@options.COLOR
@options.SHOW
@options.AS_OF
@options.DOCUMENTS
@options.SECRETS
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
    "manifests; only the waiver file counts. The report says so. Nothing inside "
    "the submission (the PATHS, or this folder) is discovered: no "
    "spbe-waivers.yaml or .spbe-lint.yaml of the vendor's; name one with "
    "--waivers/--config, or keep Diskominfo's above the submission.",
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
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Processes that read and judge manifests in a text, concise or github "
    "run (0: one per CPU, from 48 manifests on; 1: this process alone). The "
    "output is the same either way.",
)
@options.probe_options
@options.LANG
@options.CONFIG
@options.ISOLATED
@options.RULES
def check(
    paths: tuple[Path, ...],
    fmt: str,
    outputs: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    color: str,
    show: frozenset[str],
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
    secrets: str = "scan",
    jobs: int = 0,
    **probe_args: object,
) -> int:
    """Check manifests: PATHS are files or folders (searched for spbe.yaml and
    .spbe.yaml); without PATHS, the manifest in the working folder.

    Nothing outside the folder given (a file's own folder) is read: a manifest
    or document that is a link leading out, a link loop, a FIFO or a device is
    refused and named, and the rest is still checked. Folders are searched 32
    levels deep; one that cannot be read is reported.

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
      spbe-lint check --secrets skip          # the manifest's pre-commit hook
    """
    from spbe_lint import app

    targets = writing.targets(fmt, outputs)
    key = None
    if sign_key is not None:  # loaded before checking, so a bad key fails fast
        from spbe_lint import signing

        key = signing.load_private(sign_key)
    run = app.RunOptions(
        paths=paths,
        config_file=config_file,
        isolated=isolated,
        lang=lang,
        fail_on=Severity.parse(fail_on) if fail_on else None,
        exit_zero=exit_zero,
        select=options.rule_ids(select),
        ignore=options.rule_ids(ignore),
        rules_dir=rules_dir,
        cwd=Path.cwd(),
        as_of=options.day(as_of),
        documents=documents,
        secrets=secrets,
        waivers_file=waivers_file,
        reviewer=reviewer,
        baseline_file=baseline_file,
        probe=options.probe_request(probe_args, on=probe or bool(urls)),
        urls=urls,
        jobs=jobs,
    )
    from spbe_lint import streaming

    if streaming.eligible(run, [fmt for fmt, _ in targets], signed=key is not None):
        status = writing.stream(run, targets, color, show)  # memory that does not grow
        if status is not None:
            return status
    report = app.probe_urls(run) if urls else app.check(run)
    writing.problems(report)
    if any(fmt == "html" for fmt, _ in targets):  # the report that groups them
        writing.shared_ids(report)
    if key is not None:
        from spbe_lint import signing

        report = signing.sign(report, key)
    writing.emit(report, targets, color, show=show)
    return int(report.exit_status())


@click.command("probe")
@click.argument("urls", nargs=-1)
@click.pass_context
def probe_command(ctx: click.Context, urls: tuple[str, ...], **args: object) -> int:
    """Probe the deployed application: URLS, or without URLS the endpoints the
    manifest in this folder declares (the same as check --probe), with the
    manifest's findings in the same report.

    Only city hosts and the configured SSO host are contacted, at addresses the
    SSRF policy admits; GET, HEAD and OPTIONS only; no proxy from the
    environment. A URL or --resolve/--connect-to address the policy refuses (an
    IP address, a port not allowed, loopback, link-local, metadata, private
    outside the data-centre ranges) is a usage error: one line, exit 2, no
    report. A host outside the city domain is not contacted and fails PRB-001
    (HOST-004): the application is not under the city domain.

    \b
    Exit status: 0 nothing failed at or above --fail-on; 1 something did; 2 a
    usage error (a refused target among them), configuration or input error.

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


# probe takes check's options (not PATHS, --probe or --documents): one definition.
# Nor --jobs: a probe run is never streamed, so it would be accepted and ignored.
for _param in check.params:
    if _param.name not in ("paths", "probe", "documents", "jobs"):
        probe_command.params.append(_param)
