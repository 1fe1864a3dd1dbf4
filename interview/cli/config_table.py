"""`flask --app app config table [--write]`: the README's configuration table.

The table is generated from the declared settings (interview/environment.py), so
the README documents exactly what the service reads; `--write` replaces the part
of README.md between the two marker comments, and a test checks that the two agree.
"""

from pathlib import Path

import click

from ..environment import SETTINGS, Setting

README = Path(__file__).resolve().parents[2] / "README.md"
START = "<!-- config-table:start -->"
END = "<!-- config-table:end -->"


def markdown_table(settings: tuple[Setting, ...] = SETTINGS) -> str:
    """The Markdown table of `settings`: variable, meaning, default."""
    lines = ["| variable | meaning | default |", "| --- | --- | --- |"]
    for item in settings:
        variables = ", ".join(f"`{name}`" for name in item.name.split(", "))
        lines.append(f"| {variables} | {item.description} | {item.default_text} |")
    return "\n".join(lines) + "\n"


def readme_table(readme: str) -> str:
    """The table between the markers of `readme`."""
    start, end = _marked_span(readme)
    return readme[start:end].strip("\n") + "\n"


def with_table(readme: str, table: str) -> str:
    """`readme` with `table` between its markers."""
    start, end = _marked_span(readme)
    return f"{readme[:start]}\n\n{table}\n{readme[end:]}"


def _marked_span(readme: str) -> tuple[int, int]:
    start = readme.find(START)
    end = readme.find(END)
    if start < 0 or end < start:
        raise click.ClickException(f"README.md has no {START} ... {END} section")
    return start + len(START), end


@click.command("table")
@click.option("--write", is_flag=True, help="Replace the table in README.md.")
def table_command(write: bool) -> None:
    """Print the configuration table of the README, or rewrite it there with --write."""
    table = markdown_table()
    if not write:
        click.echo(table, nl=False)
        return
    README.write_text(with_table(README.read_text(), table))
    click.echo(f"wrote the configuration table to {README}", err=True)
