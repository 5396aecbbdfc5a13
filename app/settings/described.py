"""The settings described from their declarations: the README's configuration table
(`downloads-api settings` prints it, `--readme` rewrites it in place) and, for
`downloads-api check`, the values that differ from their defaults, secrets hidden."""

from __future__ import annotations

from pathlib import Path

from app.settings import Settings, every_variable
from app.sources.variables import fields_read_from

# Around the table in README.md: what lies between them is generated.
START = "<!-- settings: start (generated: `downloads-api settings --readme README.md`) -->"
END = "<!-- settings: end -->"


def markdown_table() -> str:
    """One row per variable, in `Settings`' order, as the README shows them."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    rows += [
        f"| `{variable.name}` | {variable.help} | {variable.described_default} |"
        for variable in every_variable()
    ]
    return "\n".join(rows) + "\n"


def with_table(text: str) -> str:
    """`text` (the README) with the table between START and END generated afresh."""
    before, start, rest = text.partition(START + "\n")
    _, end, after = rest.partition(END + "\n")
    if not (start and end):
        raise ValueError(f"no table between {START!r} and {END!r}")
    return f"{before}{START}\n\n{markdown_table()}\n{END}\n{after}"


def rewrite(readme: Path) -> bool:
    """Regenerate the table in `readme`; whether anything changed."""
    text = readme.read_text(encoding="utf-8")
    fresh = with_table(text)
    if fresh != text:
        readme.write_text(fresh, encoding="utf-8")
    return fresh != text


def changed(settings: Settings) -> dict[str, str]:
    """Each setting that differs from its default, by name, in the table's order: its value
    as an operator writes it, with passwords in URLs and secrets shown as `***`."""
    own = settings.source_settings
    values = {v.name: getattr(settings, name) for name, v in fields_read_from(Settings).items()}
    values |= {v.name: getattr(own, name) for name, v in fields_read_from(own).items()}
    return {
        variable.name: variable.shown(values[variable.name])
        for variable in every_variable()
        if variable.name in values and values[variable.name] != variable.default
    }
