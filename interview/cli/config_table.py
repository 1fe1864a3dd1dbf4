"""`flask --app app config table [--write]`: the configuration table of docs/configuration.md.

The table is generated from the declared settings (interview/environment.py), so
the docs list exactly what the service reads; `--write` replaces the part of
docs/configuration.md between the two marker comments, and a test checks that the
two agree.
"""

from pathlib import Path

import click

from ..environment import SETTINGS, Setting

CONFIGURATION_PAGE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
START = "<!-- config-table:start -->"
END = "<!-- config-table:end -->"


def markdown_table(settings: tuple[Setting, ...] = SETTINGS) -> str:
    """The Markdown table of `settings`: variable, meaning, default."""
    lines = ["| variable | meaning | default |", "| --- | --- | --- |"]
    for item in settings:
        variables = ", ".join(f"`{name}`" for name in item.name.split(", "))
        lines.append(f"| {variables} | {item.description} | {item.default_text} |")
    return "\n".join(lines) + "\n"


def marked_table(page: str) -> str:
    """The table between the markers of `page`."""
    start, end = _marked_span(page)
    return page[start:end].strip("\n") + "\n"


def with_table(page: str, table: str) -> str:
    """`page` with `table` between its markers."""
    start, end = _marked_span(page)
    return f"{page[:start]}\n\n{table}\n{page[end:]}"


def _marked_span(page: str) -> tuple[int, int]:
    start = page.find(START)
    end = page.find(END)
    if start < 0 or end < start:
        raise click.ClickException(f"{CONFIGURATION_PAGE.name} has no {START} ... {END} section")
    return start + len(START), end


@click.command("table")
@click.option("--write", is_flag=True, help="Replace the table in docs/configuration.md.")
def table_command(write: bool) -> None:
    """Print the configuration table, or rewrite it in docs/configuration.md with --write."""
    table = markdown_table()
    if not write:
        click.echo(table, nl=False)
        return
    CONFIGURATION_PAGE.write_text(with_table(CONFIGURATION_PAGE.read_text(), table))
    click.echo(f"wrote the configuration table to {CONFIGURATION_PAGE}", err=True)
