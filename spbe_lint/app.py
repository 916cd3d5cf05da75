"""Composition root: turn run options into a Report. No click below this line."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from spbe_lint import (
    __version__,
    config,
    discovery,
    engine,
    identity,
    review,
    rulepack,
    source,
    startup,
)
from spbe_lint.errors import InputError, SpbeError, UsageError
from spbe_lint.evidence.settings import EvidenceSettings
from spbe_lint.findings import (
    Finding,
    InputFile,
    InputProblem,
    Report,
    Review,
    Severity,
    number_occurrences,
)
from spbe_lint.i18n import DEFAULT_LANGUAGE, LocalText
from spbe_lint.rule import Rule


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs, parsed once at the edge (the CLI)."""

    paths: tuple[Path, ...] = ()
    config_file: Path | None = None
    isolated: bool = False  # ignore any configuration file
    lang: str | None = None
    fail_on: Severity | None = None
    exit_zero: bool = False
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    rules_dir: Path | None = None
    cwd: Path = Path()
    as_of: datetime.date | None = None  # judge as of this day (default: today)
    documents: str = "auto"  # check | manual | auto (see engine.evaluate)
    secrets: str = "scan"  # scan the repository's files for secrets, or skip them
    # Settings given as a whole instead of a configuration file (spbe-lint verify
    # re-evaluates with what a report recorded).
    config: config.Config | None = None
    # The review workflow (spbe_lint.review): Diskominfo's waiver file (default:
    # the nearest spbe-waivers.yaml, unless isolated), reviewer mode (inline
    # x-spbe-waive entries ignored), and a baseline of known failures.
    waivers_file: Path | None = None
    reviewer: bool = False
    baseline_file: Path | None = None
    probe: Any = None  # probes.settings.ProbeRequest: also probe the deployed app
    urls: tuple[str, ...] = ()  # spbe-lint probe URL...: these instead of manifests
    jobs: int = 1  # processes judging a streamed run (0: one per CPU; workers)


@dataclass(frozen=True)
class Settings:
    """Options, configuration file and defaults, merged (options win)."""

    lang: str
    fail_on: Severity
    exit_zero: bool
    pack: rulepack.RulePack
    rules: tuple[Rule, ...]  # the rules in force
    config: config.Config


def resolve(options: RunOptions) -> Settings:
    conf = _load_config(options)
    lang = options.lang or conf.lang or os.environ.get("SPBE_LINT_LANG")
    lang = lang if lang in ("id", "en") else DEFAULT_LANGUAGE
    try:
        rules_dir = options.rules_dir or conf.rules
        pack = rulepack.load_pack(rules_dir, profile_overrides=conf.profile)
        _check_rule_ids(conf, pack, options)
    except SpbeError as exc:
        exc.lang = exc.lang or lang  # the configuration's language, now known
        raise
    select = options.select if options.select is not None else conf.select
    ignore = options.ignore if options.ignore is not None else conf.ignore
    rules = rulepack.configure(
        pack.rules, select=select, ignore=ignore, severity=conf.severity
    )
    return Settings(
        lang=lang,
        fail_on=options.fail_on or conf.fail_on or Severity.ERROR,
        exit_zero=options.exit_zero,
        pack=pack,
        rules=rules,
        config=conf,
    )


def check(options: RunOptions) -> Report:
    """Check every manifest the options name; one unreadable file never stops the run.

    Each manifest's findings and its input go to a spool (spbe_lint.spool) as
    it is checked: a long run's report reads them back from a temporary file
    when it is rendered, so memory does not grow with the count."""
    from spbe_lint import spool

    settings = resolve(options)
    as_of = options.as_of or today()
    plan = review_plan(options, settings)
    inputs = spool.Inputs()
    findings = spool.Findings()
    problems: list[InputProblem] = []
    probed: list[str] = []
    for outcome, found in each_manifest(options, settings, plan, as_of, probed):
        if isinstance(outcome, InputProblem):
            problems.append(outcome)
        else:
            inputs.add(outcome)
            findings.add(found)
    inputs.flush()
    return spooled(
        settings, options, plan, as_of, inputs, findings, problems, tuple(probed)
    )


def spooled(
    settings: Settings,
    options: RunOptions,
    plan: review.Plan,
    as_of: datetime.date,
    inputs: Any,
    found: Any,
    problems: Sequence[InputProblem],
    endpoints: tuple[str, ...] = (),
) -> Report:
    """``assemble`` over spooled inputs and findings (spool.Inputs and
    spool.Findings): the same report, read back from the spool when rendered
    if the run was long. Waivers and the baseline are applied a part at a time
    (review.Pass) and the findings they leave spooled again."""
    from spbe_lint import spool

    waiver_rules: tuple[Rule, ...] = ()
    done = None
    if plan.active:
        final = spool.Findings()
        passing = review.Pass(
            plan,
            inputs=inputs.read(),
            unreadable=[p.path for p in problems],
            rules=settings.rules,
            as_of=as_of,
        )
        for part in spool.parts(found.ordered()):
            final.add(passing.part(part))
        closing, waiver_rules, done = passing.close()
        final.add(closing)
        found = final
    return _report(
        settings,
        options,
        as_of,
        inputs.sequence(),
        found.sequence(),
        problems,
        waiver_rules,
        done,
        endpoints,
    )


def each_manifest(
    options: RunOptions,
    settings: Settings,
    plan: review.Plan,
    as_of: datetime.date,
    probed: list[str],
    displays: list[str] | None = None,
) -> Iterator[tuple[InputFile | InputProblem, list[Finding]]]:
    """Each manifest the options name, checked one at a time (and probed when the
    run probes; the URLs go to *probed*): what the report says about the file and
    its findings, or the problem that kept it from being read. Nothing is kept
    here between manifests, so a caller may write results as they come
    (spbe_lint.streaming); *displays* is given every manifest's display path,
    in order, before the first is checked."""
    if options.probe is not None:
        preflight(settings, probe_options(options, settings))
    targets, problems = discovery.find(options.paths, options.cwd)
    if displays is not None:
        displays.extend(t.display for t in targets)
    for problem in problems:
        yield problem, []
    for target in targets:
        loaded = load_manifest(target.path, target.display)
        if isinstance(loaded, InputProblem):
            yield loaded, []
            continue
        document, info = loaded
        findings = evaluate_manifest(
            document, settings, options, plan, as_of, target.path
        )
        if options.probe is not None:
            findings.extend(
                _probe_manifest(document, settings, options, probed, target.path.parent)
            )
        # The first manifest has imported what judging needs: from here on the
        # collector runs as usual (a no-op unless spbe_lint.startup held it).
        startup.release()
        yield info, findings
    startup.release()  # no manifest at all


def review_plan(options: RunOptions, settings: Settings) -> review.Plan:
    """The waiver file and baseline of this run, read before any manifest."""
    try:
        return review.prepare(
            waivers_file=options.waivers_file,
            baseline_file=options.baseline_file,
            reviewer=options.reviewer,
            discover=not options.isolated and options.config is None,
            cwd=options.cwd,
            pack_rules=settings.pack.rules,
            paths=options.paths,
        )
    except SpbeError as exc:
        exc.lang = exc.lang or settings.lang
        raise


def load_manifest(
    path: Path, display: str
) -> tuple[source.Document, InputFile] | InputProblem:
    """The parsed manifest and what the report says about the file, or the
    problem that kept it from being read (never an exception)."""
    try:
        document = source.load(path, display)
    except InputError as exc:
        digest = exc.file.sha256 if exc.file else None
        return InputProblem(display, exc.message, exc.line, exc.column, digest)
    info = replace(
        document.file,
        identity=identity.of(document.data),
        declarations=identity.declarations(document.data),
    )
    return document, info


def evaluate_manifest(
    document: source.Document,
    settings: Settings,
    options: RunOptions,
    plan: review.Plan,
    as_of: datetime.date,
    path: Path,
) -> list[Finding]:
    """The static findings on one manifest (endpoint rules left to the probe
    when the run probes); its inline waivers join *plan*."""
    plan.read_inline(document)
    return engine.evaluate(
        document,
        settings.rules,
        settings.pack.profile,
        as_of=as_of,
        folder=path.parent,
        documents_mode=options.documents,
        probed=options.probe is not None,
        evidence=EvidenceSettings(secrets=options.secrets, reviewer=options.reviewer),
    )


def assemble(
    settings: Settings,
    options: RunOptions,
    plan: review.Plan,
    as_of: datetime.date,
    inputs: Sequence[InputFile],
    findings: Sequence[Finding],
    problems: Sequence[InputProblem],
    endpoints: tuple[str, ...] = (),
) -> Report:
    """The report of a run: waivers and baseline applied to its findings."""
    reviewed, waiver_rules, done = review.finish(
        plan,
        number_occurrences(findings),
        inputs=inputs,
        unreadable=[p.path for p in problems],
        rules=settings.rules,
        as_of=as_of,
    )
    if plan.active:  # waivers may add findings (a bad waiver's): numbered again
        reviewed = tuple(number_occurrences(reviewed))
    return _report(
        settings,
        options,
        as_of,
        tuple(inputs),
        tuple(reviewed),
        problems,
        waiver_rules,
        done,
        endpoints,
    )


def _report(
    settings: Settings,
    options: RunOptions,
    as_of: datetime.date,
    inputs: Sequence[InputFile],
    findings: Sequence[Finding],
    problems: Sequence[InputProblem],
    waiver_rules: tuple[Rule, ...],
    done: Review | None,
    endpoints: tuple[str, ...],
) -> Report:
    """The Report of a whole run, its findings reviewed (held or spooled)."""
    return Report(
        tool_version=__version__,
        pack=settings.pack.info,
        lang=settings.lang,
        fail_on=settings.fail_on,
        inputs=inputs,
        findings=findings,
        problems=tuple(problems),
        rules=settings.rules + waiver_rules,
        exit_zero=settings.exit_zero,
        as_of=as_of,
        documents=options.documents,
        generated_at=timestamp(),
        review=done,
        endpoints=endpoints,
    )


def today() -> datetime.date:
    """The default evaluation day: today, or the day of SOURCE_DATE_EPOCH when set
    (reproducible runs: the same inputs give the same report on any day)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.date.today()


def timestamp() -> str:
    """Now in UTC, or SOURCE_DATE_EPOCH (reproducible builds) so outputs can be
    compared byte for byte."""
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = (
        datetime.fromtimestamp(int(epoch), UTC)
        if epoch.isdigit()
        else datetime.now(UTC).replace(microsecond=0)
    )
    return moment.isoformat().replace("+00:00", "Z")


def _probe_manifest(
    document: source.Document,
    settings: Settings,
    options: RunOptions,
    probed: list[str],
    folder: Path,
) -> list[Any]:
    from spbe_lint.probes import run

    endpoints, declared = run.endpoints_from(document, settings.pack.profile)
    probed.extend(e.url for e in endpoints)
    return run.probe(
        endpoints,
        settings.rules,
        settings.pack.profile,
        probe_options(options, settings),
        where=document.path,
        declared=declared,
        manifest=document.data if isinstance(document.data, dict) else None,
        folder=folder,
    )


def probe_options(options: RunOptions, settings: Settings) -> Any:
    """The probe's options: the command line over the configuration file."""
    from spbe_lint.probes.settings import options as probe_options

    try:
        return probe_options(options.probe, settings.config)
    except SpbeError as exc:
        exc.lang = exc.lang or settings.lang
        raise


def preflight(settings: Settings, chosen: Any, urls: Sequence[str] = ()) -> None:
    """Refuse, as a usage error, what the operator asked the probe to contact
    and the address policy refuses (probes.preflight): never a finding."""
    from spbe_lint.probes import preflight as checking

    try:
        checking.check(settings.pack.profile, chosen, urls)
    except SpbeError as exc:
        exc.lang = exc.lang or settings.lang
        raise


def probe_urls(options: RunOptions) -> Report:
    """``spbe-lint probe URL...``: the endpoint rules on these URLs, no manifest."""
    from spbe_lint.probes import run
    from spbe_lint.probes.facts import Endpoint

    settings = resolve(options)
    chosen = probe_options(options, settings)
    preflight(settings, chosen, options.urls)
    findings = run.probe(
        [Endpoint(url) for url in options.urls],
        settings.rules,
        settings.pack.profile,
        chosen,
        where=options.urls[0] if options.urls else "(probe)",
    )
    return Report(
        tool_version=__version__,
        pack=settings.pack.info,
        lang=settings.lang,
        fail_on=settings.fail_on,
        inputs=(),
        findings=tuple(number_occurrences(findings)),
        rules=tuple(r for r in settings.rules if r.target == "endpoint"),
        exit_zero=settings.exit_zero,
        as_of=options.as_of or today(),
        endpoints=options.urls,
        generated_at=timestamp(),
    )


def _load_config(options: RunOptions) -> config.Config:
    if options.config is not None:
        return options.config
    if options.isolated:
        return config.Config()
    path = options.config_file
    if path is None and options.reviewer:  # never the submission's own settings
        roots = review.submission(options.paths, options.cwd)
        path = review.discover_outside(
            config.CONFIG_NAME, options.cwd.absolute(), roots
        )
    elif path is None:
        path = config.discover(options.cwd.absolute())
    if path is None:
        return config.Config()
    return config.load(path, discovery.display_path(path, options.cwd))


def _check_rule_ids(
    conf: config.Config, pack: rulepack.RulePack, options: RunOptions
) -> None:
    """Unknown rule ids are an error, never silently ignored; so is ignoring a
    rule that is always in force."""
    for key in ("select", "ignore"):
        for index, selector in enumerate(getattr(conf, key)):
            problem = _selector_problem(pack, selector, ignoring=key == "ignore")
            if problem:
                raise conf.error_at((key, index), problem)
        for selector in getattr(options, key) or ():
            problem = _selector_problem(pack, selector, ignoring=key == "ignore")
            if problem:
                raise UsageError(problem)
    for rule_id in conf.severity:
        if pack.get(rule_id) is None:
            raise conf.error_at(
                ("severity", rule_id), _unknown_rule(rule_id, pack), anchor="key"
            )


def _selector_problem(
    pack: rulepack.RulePack, selector: str, *, ignoring: bool
) -> LocalText | None:
    if rulepack.unknown_selectors(pack.rules, [selector]):
        return _unknown_rule(selector, pack)
    rule = pack.get(selector)
    if ignoring and rule is not None and rule.always:
        return _cannot_ignore(selector)
    return None


def _cannot_ignore(rule_id: str) -> LocalText:
    return LocalText(
        f"aturan {rule_id} tidak dapat diabaikan: berkas yang tidak dapat dibaca "
        "tidak boleh tampak bersih",
        f"rule {rule_id} cannot be ignored: a file that cannot be read must never "
        "look clean",
    )


def _unknown_rule(selector: str, pack: rulepack.RulePack) -> LocalText:
    return LocalText(
        f"aturan tidak dikenal '{selector}' di paket {pack.name}; "
        "lihat: spbe-lint rules list",
        f"unknown rule '{selector}' in pack {pack.name}; see: spbe-lint rules list",
    )


def explainable(pack: rulepack.RulePack, rule_id: str) -> Rule:
    """The rule *rule_id*, or a UsageError suggesting the closest ids."""
    import difflib

    rule = pack.get(rule_id.upper())
    if rule is not None:
        return rule
    close = difflib.get_close_matches(rule_id.upper(), [r.id for r in pack.rules], n=3)
    hint = f" ({', '.join(close)}?)" if close else ""
    raise UsageError(
        LocalText(
            f"aturan '{rule_id}' tidak ada{hint}; lihat: spbe-lint rules list",
            f"no rule '{rule_id}'{hint}; see: spbe-lint rules list",
        )
    )
