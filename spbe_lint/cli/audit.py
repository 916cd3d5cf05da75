"""``spbe-lint audit``: a portfolio of applications, or the summary of results
files. Click only: the flags become a frozen ``runner.AuditOptions``; the audit
package does the work (``runner``, ``journal``, ``summary``, ``table``,
``dashboard``, ``progress``)."""

from __future__ import annotations

import datetime
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from spbe_lint.cli import options, writing
from spbe_lint.findings import ExitStatus, Severity
from spbe_lint.i18n import escape_controls


@click.command("audit")
@click.argument(
    # More than one only after --from-results: a shell glob (shard-*.jsonl)
    # expands into several words, and all of them are results files then.
    "inventory",
    nargs=-1,
    type=click.Path(path_type=Path),
    metavar="INVENTORY",
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
    "the interrupted run's, unless --as-of is given). Without --resume (or "
    "--force) a results file that holds results is refused, never emptied.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Start again on a results file that already holds results (they are "
    "lost). Not with --resume.",
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
    "--previous",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE.jsonl",
    help="The results file of an earlier audit: the dashboard shows what changed "
    "since (applications improved, regressed, new or gone; each OPD's change in "
    "score).",
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
    type=click.Choice(options.FORMATS),
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
@options.SELECT
@options.IGNORE
@options.AS_OF
@options.DOCUMENTS
@options.SECRETS
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
@options.probe_options
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar (default: on a terminal, and not when CI is set).",
)
@options.LANG
@options.CONFIG
@options.ISOLATED
@options.RULES
def audit(
    inventory: tuple[Path, ...],
    results: Path,
    resume: bool,
    force: bool,
    from_results: tuple[Path, ...],
    dashboard: Path | None,
    previous: Path | None,
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
    secrets: str,
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
    run continues with --resume. A submission that cannot be read (its folder
    unreadable, a link leading outside the inventory's folder) is recorded as
    broken and the run goes on. The dashboard and CSV are made from the
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
      spbe-lint audit pengajuan/ --dashboard audit.html --previous 2026-06.jsonl
    """
    from spbe_lint import app
    from spbe_lint.audit import journal

    if previous is not None and dashboard is None:
        raise click.UsageError("--previous compares in the dashboard: give --dashboard")
    earlier = _previous(previous, lang, config_file, isolated)  # refused before work
    probe_request = options.probe_request(probe_args, on=probe)
    if probe_request is not None:
        probe_request = replace(probe_request, progress=False)  # ours is per app
    if from_results:
        if probe or resume or force or shard:
            raise click.UsageError(
                "--from-results summarises results files: give no "
                "--probe, --resume, --force or --shard with it"
            )
        for extra in inventory:  # --from-results shard-*.jsonl: the rest of the glob
            if not extra.is_file():
                raise click.UsageError(
                    f"--from-results: {extra} is not a results file (give no "
                    "INVENTORY with --from-results)"
                )
        settings = options.settings_options(lang, config_file, isolated, None)
        language = app.resolve(settings).lang
        runs, records = journal.latest((*from_results, *inventory))
        outcome = None
    else:
        if len(inventory) != 1:
            raise click.UsageError("give one INVENTORY (a folder or a CSV file)")
        if resume and force:
            raise click.UsageError(
                "--resume keeps the results file, --force starts it again: not both"
            )
        from spbe_lint.audit import progress as showing
        from spbe_lint.audit import runner

        run = runner.AuditOptions(
            inventory=inventory[0],
            results=results,
            run=app.RunOptions(
                config_file=config_file,
                isolated=isolated,
                lang=lang,
                fail_on=Severity.parse(fail_on) if fail_on else None,
                select=options.rule_ids(select),
                ignore=options.rule_ids(ignore),
                rules_dir=rules_dir,
                cwd=Path.cwd(),
                as_of=options.day(as_of),
                documents=documents,
                secrets=secrets,
                waivers_file=waivers_file,
                probe=probe_request,
            ),
            resume=resume,
            force=force,
            reports_dir=reports_dir,
            report_formats=report_formats or (("html",) if reports_dir else ()),
            shard=_shard(shard),
            jobs=jobs or os.cpu_count() or 1,
        )
        show = progress if progress is not None else showing.interactive()
        with showing.Progress(show) as advance:
            outcome = runner.audit(run, advance)
        language = outcome.lang
        runs, records = journal.latest([results])
    return _summarise(
        runs,
        records,
        language,
        outcome,
        dashboard,
        csv_file,
        earlier=(previous, earlier) if previous is not None else None,
        reports_dir=reports_dir,
    )


def _summarise(
    runs: list[Any],
    records: Any,
    lang: str,
    outcome: Any,
    dashboard: Path | None,
    csv_file: Path | None,
    *,
    earlier: tuple[Path, Any] | None = None,
    reports_dir: Path | None = None,
) -> int:
    """Summarise the latest records once, writing the CSV on the way."""
    from spbe_lint.audit import summary as summarising

    if csv_file is None:
        summary = summarising.summarise(runs, records, lang)
    else:
        from spbe_lint import writing as files
        from spbe_lint.audit import table

        # Streamed into a temporary file beside it: the old CSV stays whole
        # until the new one is complete.
        with files.atomic(csv_file, encoding="utf-8-sig", newline="") as stream:
            summary = summarising.summarise(
                runs, table.tee(records, stream, lang), lang
            )
    if dashboard is not None:
        from spbe_lint.audit import dashboard as html

        trend = None
        if earlier is not None:
            from spbe_lint.audit import trend as trends

            trend = trends.compare(earlier[1], summary, earlier[0].as_posix())
        links = _links(summary, dashboard, reports_dir)
        writing.write(html.render(summary, lang, trend=trend, links=links), dashboard)
    for row in summary.rows:
        if row.problem:
            click.echo(escape_controls(f"{row.app}: {row.problem}"), err=True)
    if outcome is None:
        click.echo(summarising.headline(summary, lang))
    else:
        click.echo(
            summarising.headline(
                summary, lang, resumed=outcome.resumed, seconds=outcome.seconds
            )
        )
    if outcome is not None and outcome.errors:
        for error in outcome.errors:
            click.echo(
                f"spbe-lint: {error}. This is a bug; please report it.", err=True
            )
        return int(ExitStatus.INTERNAL)
    return int(ExitStatus.FINDINGS if summarising.failing(summary) else ExitStatus.OK)


def _previous(
    previous: Path | None, lang: str | None, config_file: Path | None, isolated: bool
) -> Any:
    """The summary of the earlier audit (--previous), read before any work: a
    file that is not an audit's results is exit 2, one line."""
    if previous is None:
        return None
    from spbe_lint import app
    from spbe_lint.audit import trend

    settings = options.settings_options(lang, config_file, isolated, None)
    return trend.load([previous], app.resolve(settings).lang)


def _links(summary: Any, dashboard: Path, reports_dir: Path | None) -> dict[str, str]:
    """Each application's own HTML report, as a link relative to the dashboard:
    the one the audit recorded (--reports), else (summarising with
    --from-results) DIR/APP-ID.html when --reports DIR holds it."""
    from urllib.parse import quote

    from spbe_lint.audit.runner import safe_name

    base = dashboard.resolve().parent
    links = {}
    for row in summary.rows:
        recorded = row.reports.get("html")
        found = Path(recorded) if recorded else None
        if found is None and reports_dir is not None:
            found = reports_dir / f"{safe_name(row.app)}.html"
        if found is None or not found.is_file():
            continue
        relative = os.path.relpath(found.resolve(), base)
        links[row.app] = quote(Path(relative).as_posix())
    return links


def _shard(value: str | None) -> tuple[int, int] | None:
    """--shard K/N as (K, N)."""
    if value is None:
        return None
    k, sep, n = value.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter("use K/N with 1 <= K <= N (2/8)", param_hint="--shard")
    return int(k), int(n)
