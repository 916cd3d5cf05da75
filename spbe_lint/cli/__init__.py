"""The command line: the ``spbe-lint`` group, ``main`` and the exit statuses.

Exit statuses (findings.ExitStatus): 0 nothing failed at or above --fail-on,
1 something did, 2 usage/configuration/rule-pack/input error, 3 a bug. Errors
become exit statuses here, in ``main``, and nowhere else.

Each command lives in a module of its own (``cli.check``, ``cli.audit``,
``cli.review``, ``cli.manifest``, ``cli.rules``): only click, options and help,
handing a frozen options object to the library. The group imports a command's
module only when the command is run or listed, so the pre-commit path
(``spbe-lint check``) loads ``cli.check`` and the shared ``cli.options`` alone.
The group and ``main`` live in this ``__init__`` for the same reason: one module
fewer on every run.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping, Sequence

import click

from spbe_lint import __version__, classcode
from spbe_lint.cli import helptext
from spbe_lint.cli.options import FORMATS
from spbe_lint.errors import SpbeError
from spbe_lint.findings import ExitStatus

__all__ = ["FORMATS", "cli", "main"]

# Command name -> (module in spbe_lint.cli, attribute): the one list of commands.
_REGISTRY: dict[str, tuple[str, str]] = {
    "audit": ("audit", "audit"),
    "baseline": ("review", "baseline_group"),
    "check": ("check", "check"),
    "diff": ("review", "diff_command"),
    "init": ("manifest", "init"),
    "keygen": ("review", "keygen"),
    "probe": ("check", "probe_command"),
    "report": ("review", "report_command"),
    "rules": ("rules", "rules"),
    "scan": ("scan", "scan"),
    "schema": ("manifest", "schema"),
    "verify": ("review", "verify"),
}


class _Commands(MutableMapping[str, click.Command]):
    """The group's commands: the registry above, each imported on first use.

    Click reads ``Group.commands`` as a mapping (``get`` to run one, iteration to
    list them), so a lazy mapping keeps click's own lookup, help and errors."""

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, attribute = _REGISTRY[name]  # KeyError: no such command
            found = importlib.import_module(f"{__name__}.{module}")
            self._loaded[name] = getattr(found, attribute)
        command = self._loaded[name]
        helptext.localise(command, helptext.LANGUAGE[0])
        return command

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(_REGISTRY), **self._loaded})

    def __len__(self) -> int:
        return len({**dict.fromkeys(_REGISTRY), **self._loaded})


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "-V", "--version", prog_name="spbe-lint")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    help="Language for the command that follows (its own --lang wins): messages, "
    "--help and usage errors. Default: the configuration, then SPBE_LINT_LANG, then id.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, lang: str | None) -> None:
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
    if lang:  # the default of every command's --lang, subcommands included
        ctx.default_map = _lang_defaults(lang)


def _lang_defaults(lang: str) -> dict[str, object]:
    """click default_map giving each command (and each of a group's commands,
    such as rules list) the language chosen before the command."""
    nested = {
        name: {"lang": lang} for name in ("list", "explain", "coverage", "create")
    }
    return {name: {"lang": lang, **nested} for name in _REGISTRY}


cli.commands = _Commands()


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
    helptext.LANGUAGE[0] = "en" if _language(args) == "en" else "id"
    helptext.use_language(helptext.LANGUAGE[0])
    helptext.localise(cli, helptext.LANGUAGE[0])
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
            import traceback

            traceback.print_exc()
        click.echo(
            f"spbe-lint: internal error ({type(exc).__name__}: {exc}). This is a bug; "
            "rerun with --debug and report the output.",
            err=True,
        )
        status = ExitStatus.INTERNAL
    sys.exit(int(status or 0))


# Commands after which the process may end without the interpreter's teardown:
# everything they write is written whole (spbe_lint.writing: temporary file,
# fsync, rename) or to standard output and error, flushed below, and they leave
# no thread, child process or temporary file behind.
_QUICK_EXIT = frozenset({"check"})


def entry() -> None:
    """The ``spbe-lint`` console script: ``main``, then, after ``check``, end the
    process as soon as its output is flushed. Freeing every module and object
    one by one at exit is a tenth of a pre-commit run and serves nothing."""
    try:
        main()
    except SystemExit as exc:
        status = (
            exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        )
        if _command(sys.argv[1:]) not in _QUICK_EXIT:
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            raise exc from None  # a closed pipe: let the interpreter say so
        classcode.save()  # what atexit would have done
        os._exit(status)


def _command(args: Sequence[str]) -> str | None:
    """The command named on the command line (the first word not an option)."""
    return next((a for a in args if not a.startswith("-")), None)
