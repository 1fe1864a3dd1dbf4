"""`flask --app app config table`: the README's configuration table, generated from the settings."""

from click.testing import CliRunner

from interview.cli.config_table import (
    END,
    README,
    START,
    markdown_table,
    readme_table,
    table_command,
    with_table,
)
from interview.environment import Setting

REGENERATE = "flask --app app config table --write"


def test_the_readme_table_is_the_generated_one():
    assert readme_table(README.read_text()) == markdown_table(), (
        f"README.md's configuration table differs from the settings: run `{REGENERATE}`"
    )


def test_the_command_prints_the_table():
    result = CliRunner().invoke(table_command, [])
    assert result.exit_code == 0, result.output
    assert result.output == markdown_table()


def test_a_row_names_the_variable_its_meaning_and_default():
    settings = (
        Setting("INTERVIEW_X", "a `thing`", "`3`"),
        Setting("PORT, HOST", "where it listens", "`8000`, `0.0.0.0`", read_by="gunicorn.conf.py"),
    )
    assert markdown_table(settings).splitlines() == [
        "| variable | meaning | default |",
        "| --- | --- | --- |",
        "| `INTERVIEW_X` | a `thing` | `3` |",
        "| `PORT`, `HOST` | where it listens | `8000`, `0.0.0.0` |",
    ]


def test_writing_replaces_only_the_marked_table():
    readme = f"# Title\n\n{START}\n\n| old |\n\n{END}\n\nAfter.\n"
    table = "| variable |\n| --- |\n"
    written = with_table(readme, table)
    assert written == f"# Title\n\n{START}\n\n{table}\n{END}\n\nAfter.\n"
    assert readme_table(written) == table
    assert with_table(written, table) == written
