"""``spbe-lint init`` and ``spbe-lint schema``: start a manifest, and give editors
its JSON Schema. Click only (options, help and the terminal's questions); the
manifest is planned and written by ``initialise``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from spbe_lint.cli import options, writing
from spbe_lint.errors import SpbeError
from spbe_lint.i18n import escape_controls


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the schema to this file instead of standard output.",
)
@click.option(
    "--metadata",
    is_flag=True,
    help="Print the JSON Schema of a dataset's metadata file (data.datasets[].metadata,"
    " rule DATA-018) instead of the manifest's.",
)
def schema(output: Path | None, metadata: bool) -> int:
    """Print the manifest JSON Schema (Draft 2020-12), for editors and other tools:
    with `# yaml-language-server: $schema=spbe.schema.json` as the manifest's
    first line, VS Code (YAML extension) and other editors complete and validate
    spbe.yaml as it is typed. With --metadata, the schema a dataset's metadata
    file is checked against (Satu Data elements: judul, deskripsi, produsen_data,
    kontak, frekuensi, tanggal_pembaruan...).

    \b
    Examples:
      spbe-lint schema -o spbe.schema.json
      spbe-lint schema --metadata -o docs/data/metadata.schema.json
    """
    from spbe_lint import resources

    name = "dataset-metadata" if metadata else "manifest"
    writing.write(resources.schema_text(name), output)
    return 0


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("spbe.yaml"),
    show_default=True,
    help="Where to write the manifest.",
)
@click.option(
    "--force", is_flag=True, help="Replace an existing manifest (and --schema FILE)."
)
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
    "first line (# yaml-language-server: $schema=...) at it, for editors. An "
    "existing FILE is replaced only with --force.",
)
@click.option(
    "--no-input",
    is_flag=True,
    help="Never ask (default: ask on a terminal for what options did not give).",
)
@options.LANG
@options.CONFIG
@options.ISOLATED
@options.RULES
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
    An existing file (the manifest or the --schema FILE) is never replaced
    without --force.

    \b
    Exit status: 0 written; 2 a file exists, an option or publiccode.yml is
    unusable.

    \b
    Examples:
      spbe-lint init
      spbe-lint init --no-input --title "Sistem Informasi Perizinan" \\
          --opd DPMPTSP --url https://sipelita.jambikota.go.id/ --vendor "PT Contoh"
      spbe-lint init --from-publiccode publiccode.yml --schema spbe.schema.json
    """
    from spbe_lint import app, initialise
    from spbe_lint import publiccode as pc

    settings = app.resolve(
        options.settings_options(lang, config_file, isolated, rules_dir)
    )
    language = settings.lang
    if output.exists() and not force and not output.is_dir():
        raise initialise.exists(output)  # before any question is asked
    if schema_file is not None:  # nor the schema: nothing is half done
        from spbe_lint import writing as files

        try:
            files.check(schema_file, replace=force)
        except SpbeError as exc:
            exc.lang = language
            raise
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
        schema_ref = initialise.relative(schema_file, output.parent)
    plan = initialise.plan(answers, settings.pack, imported, schema_ref=schema_ref)
    initialise.write(output, plan.text, force=force)
    if schema_file is not None:
        from spbe_lint import resources

        writing.write(resources.schema_text("manifest"), schema_file, replace=force)
    for line in initialise.summary(output, plan, imported):
        click.echo(escape_controls(line.get(language)))
    return 0


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
