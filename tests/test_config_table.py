"""`flask --app app config table`: the configuration page's table, generated from the settings."""

from click.testing import CliRunner

from interview.cli.config_table import (
    CONFIGURATION_PAGE,
    END,
    START,
    markdown_table,
    marked_table,
    table_command,
    with_table,
)
from interview.environment import Setting

REGENERATE = "flask --app app config table --write"


def test_the_configuration_page_table_is_the_generated_one():
    assert marked_table(CONFIGURATION_PAGE.read_text()) == markdown_table(), (
        f"docs/configuration.md's table differs from the settings: run `{REGENERATE}`"
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
    page = f"# Title\n\n{START}\n\n| old |\n\n{END}\n\nAfter.\n"
    table = "| variable |\n| --- |\n"
    written = with_table(page, table)
    assert written == f"# Title\n\n{START}\n\n{table}\n{END}\n\nAfter.\n"
    assert marked_table(written) == table
    assert with_table(written, table) == written
