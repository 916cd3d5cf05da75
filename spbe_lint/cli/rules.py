"""``spbe-lint rules``: list, cover and explain the rules of the rule pack.
Click only; the texts come from ``reporters.rules`` and ``reporters.coverage``."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from spbe_lint.cli import options


@click.group()
def rules() -> None:
    """List and explain the rules of the rule pack.

    \b
    Examples:
      spbe-lint rules list
      spbe-lint rules explain HOST-004 --lang en
    """


# rules list and rules coverage print the same two ways.
_TEXT_OR_JSON = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    help="Output format.",
)


@rules.command("list")
@_TEXT_OR_JSON
@options.LANG
@options.CONFIG
@options.ISOLATED
@options.RULES
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

    settings = app.resolve(
        options.settings_options(lang, config_file, isolated, rules_dir)
    )
    shown = rulepack.configure(settings.pack.rules, severity=settings.config.severity)
    if fmt == "json":
        click.echo(docs.render_list_json(shown, settings.pack), nl=False)
    else:
        click.echo(docs.render_list(shown, settings.lang), nl=False)
    return 0


@rules.command("coverage")
@_TEXT_OR_JSON
@options.LANG
@options.CONFIG
@options.ISOLATED
@options.RULES
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

    settings = app.resolve(
        options.settings_options(lang, config_file, isolated, rules_dir)
    )
    if fmt == "json":
        click.echo(coverage.render_json(settings.pack.rules, settings.pack), nl=False)
    else:
        text = coverage.render_text(settings.pack.rules, settings.pack, settings.lang)
        click.echo(text, nl=False)
    return 0


@rules.command("explain")
@click.argument("rule_id", metavar="ID")
@options.LANG
@options.CONFIG
@options.ISOLATED
@options.RULES
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

    settings = app.resolve(
        options.settings_options(lang, config_file, isolated, rules_dir)
    )
    rule = app.explainable(settings.pack, rule_id)
    (rule,) = rulepack.configure([rule], severity=settings.config.severity)
    width = shutil.get_terminal_size((80, 24)).columns
    click.echo(docs.render_explain(rule, settings.lang, width), nl=False)
    return 0
