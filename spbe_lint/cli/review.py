"""The reviewer's commands: ``report`` (render a saved report), ``baseline``,
``diff``, ``verify`` and ``keygen``. Click only; the work is in ``saved``,
``baseline``, ``diff``, ``verify`` and ``signing``."""

from __future__ import annotations

import datetime
import os
from dataclasses import replace
from pathlib import Path

import click

from spbe_lint.cli import options, writing
from spbe_lint.errors import SpbeError
from spbe_lint.findings import ExitStatus, Severity
from spbe_lint.i18n import escape_controls


def _report_language(lang: str | None, recorded: str) -> str:
    """--lang, else SPBE_LINT_LANG, else the language a saved report recorded."""
    language = lang or os.environ.get("SPBE_LINT_LANG") or recorded
    return language if language in ("id", "en") else "id"


@click.command("report")
@click.argument(
    "report_file",
    metavar="REPORT.json",
    type=click.Path(dir_okay=False, path_type=Path),
)
@options.FORMAT
@options.OUTPUT
@click.option(
    "--key",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PUB",
    help="Verify the report's signature with this public key first: only then "
    "do the reports show it as verified. Without --key a signed report says its "
    "signature was not verified; with a key that does not verify it, it is marked "
    "as not to be trusted and shows no verdict of its own.",
)
@options.COLOR
@options.SHOW
@options.LANG
def report_command(
    report_file: Path,
    fmt: str,
    outputs: tuple[str, ...],
    key_file: Path | None,
    color: str,
    show: frozenset[str],
    lang: str | None,
) -> int:
    """Render a saved JSON report (check --format json) in any format, without
    checking again. Both languages travel in the report: --lang picks one.

    \b
    Exit status: 0 rendered; 1 rendered, but the signature checked with --key
    does not hold (changed after signing, another key, not signed); 2 the file
    is not a JSON report spbe-lint can read, or repeats a JSON key.

    \b
    Examples:
      spbe-lint report report.json --format sarif -o spbe.sarif
      spbe-lint report report.json --lang en -o junit=spbe.xml -o github=-
      spbe-lint report laporan.json --key vendor.pub -o html=laporan.html
    """
    from spbe_lint import saved, signing
    from spbe_lint.reporters import json_

    targets = writing.targets(fmt, outputs)
    key = signing.load_public(key_file) if key_file is not None else None
    data = saved.read(report_file)  # bounded, duplicate JSON keys refused
    report, problem = signing.examine(json_.from_dict(data, lang=lang), data, key)
    if problem is not None:
        shown = escape_controls(problem.get(report.lang))
        click.echo(f"{report_file.as_posix()}: {shown}", err=True)
    recorded = data["settings"]["lang"]
    for target in targets:
        shown_report = report
        if target[0] == "json" and report.lang != recorded:
            # The signature covers the recorded language's JSON; another
            # language is another JSON text, which it would not verify.
            shown_report = replace(report, signature=None)
        writing.emit(shown_report, [target], color, show=show)
    return int(ExitStatus.FINDINGS if problem is not None else ExitStatus.OK)


@click.command()
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
@options.LANG
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


@click.command()
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
@options.RULES
@options.LANG
def verify(
    report_file: Path,
    key_file: Path | None,
    inputs_dir: Path | None,
    rules_dir: Path | None,
    lang: str | None,
) -> int:
    """Verify a saved JSON report: its signature (--key) and that it matches the
    submitted manifests (--inputs). Each recorded input must be a regular file
    inside DIR (a link leading out, a FIFO or a device is a difference, never
    read).

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
    data = saved.read(report_file)  # bounded, duplicate JSON keys refused
    language = _report_language(lang, data["settings"]["lang"])
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


@click.group("baseline")
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
@click.option("--force", is_flag=True, help="Replace an existing baseline file.")
@click.option(
    "--from",
    "from_report",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="REPORT.json",
    help="Take the failures from a saved JSON report instead of checking PATHS.",
)
@options.AS_OF
@options.DOCUMENTS
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Waiver file (default: the nearest spbe-waivers.yaml): waived failures are "
    "left out of the baseline.",
)
@options.LANG
@options.CONFIG
@options.ISOLATED
@options.RULES
def baseline_create(
    paths: tuple[Path, ...],
    output: Path,
    force: bool,
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
    Waived failures are left out: their waiver decides. An existing baseline
    is never replaced without --force.

    \b
    Exit status: 0 written; 2 a manifest or report could not be read, or the
    baseline file exists (nothing is written).

    \b
    Examples:
      spbe-lint baseline create                      # spbe-baseline.json
      spbe-lint baseline create apps/ -o .spbe-baseline.json
      spbe-lint baseline create --from laporan.json
      spbe-lint check --baseline spbe-baseline.json  # only new failures
    """
    from spbe_lint import app, baseline
    from spbe_lint import writing as files

    files.check(output, replace=force)  # before anything is checked
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
                as_of=options.day(as_of),
                documents=documents,
                waivers_file=waivers_file,
            )
        )
    writing.problems(report)
    if report.problems:
        return int(ExitStatus.ERROR)
    writing.write(baseline.render(report), output, replace=force)
    count = len(report.failures)
    click.echo(
        f"{output.as_posix()}: {count} known failure(s) written"
        if report.lang == "en"
        else f"{output.as_posix()}: {count} kegagalan yang diketahui ditulis",
        err=True,
    )
    return 0


@click.command("diff")
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
@options.LANG
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
    language = _report_language(lang, new_data["settings"]["lang"])
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
    writing.write(render.RENDERERS[fmt](result, language, threshold), output)
    failing = result.introduced(threshold) or result.new_problems
    return int(ExitStatus.FINDINGS if failing else ExitStatus.OK)
