"""``spbe-lint scan [FILES]``: committed secrets (SEC-012) in a repository, without
a manifest. Click only: the flags become a frozen ``scan.ScanOptions``; the
``spbe_lint.scan`` module does the rest."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from spbe_lint.cli import options, writing
from spbe_lint.findings import Severity


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
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
    help="Exit 0 even when secrets are found (a file that cannot be named still "
    "exits 2).",
)
@options.COLOR
@options.AS_OF
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Diskominfo's waiver file (default: the nearest spbe-waivers.yaml). A "
    "waiver for SEC-012 scoped by path (and pointer /secret) covers the secrets of "
    "those files.",
)
@click.option(
    "--reviewer",
    is_flag=True,
    help="Reviewer mode: the vendor's .secrets.baseline and 'pragma: allowlist "
    "secret' comments are not honoured; only the waiver file counts.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Hide the secrets listed in FILE (spbe-lint baseline create): report only "
    "new ones.",
)
@options.LANG
@options.CONFIG
@options.ISOLATED
@options.RULES
def scan(
    files: tuple[Path, ...],
    fmt: str,
    outputs: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    color: str,
    as_of: datetime.datetime | None,
    waivers_file: Path | None,
    reviewer: bool,
    baseline_file: Path | None,
    lang: str | None,
    config_file: Path | None,
    isolated: bool,
    rules_dir: Path | None,
) -> int:
    """Scan FILES for committed secrets (SEC-012) with detect-secrets; without
    FILES, the repository in the working folder: its tracked files (git ls-files),
    never untracked or ignored ones; a folder that is not a git repository is
    walked. A FOLDER among FILES stands for its files.

    Each secret is reported at its file and line with its kind (AWS key, private
    key, Laravel APP_KEY, password, JWT, high-entropy string...), never its
    value. Secrets listed in .secrets.baseline (detect-secrets' format) are
    accepted unless audited as real (is_secret: true); lock files, images,
    minified code and files over 2 MiB are skipped, and counted. Symbolic links
    are never followed.

    \b
    Exit status: 0 no secret; 1 a secret (at or above --fail-on); 2 a usage or
    configuration error, or a named file that is missing or outside the folder;
    3 an internal error (a bug).

    \b
    Examples:
      spbe-lint scan                         # the repository's tracked files
      spbe-lint scan .env config/ src/app.py
      spbe-lint scan -o sarif=secrets.sarif --exit-zero
      spbe-lint scan --reviewer --waivers spbe-waivers.yaml
    """
    from spbe_lint import app
    from spbe_lint import scan as scanning

    targets = writing.targets(fmt, outputs)
    run = app.RunOptions(
        config_file=config_file,
        isolated=isolated,
        lang=lang,
        fail_on=Severity.parse(fail_on) if fail_on else None,
        exit_zero=exit_zero,
        rules_dir=rules_dir,
        cwd=Path.cwd(),
        as_of=options.day(as_of),
        waivers_file=waivers_file,
        reviewer=reviewer,
        baseline_file=baseline_file,
    )
    report = scanning.scan(
        scanning.ScanOptions(run=run, files=tuple(str(f) for f in files))
    )
    writing.problems(report)
    writing.emit(report, targets, color)
    return int(report.exit_status())
