"""Which columns a list shows: ``?cols=status,carrier`` (or ``cols`` repeated), kept in the address.

Like django-tables2's ``exclude``/``sequence`` and NetBox's table configuration, a list declares its
columns once (``Columns``), the page shows the chosen ones and the CSV export follows them. The choice
lives in the address rather than in a per-user setting (NetBox's way), so a link or a saved view
carries it.

* A list's columns keep the list's own order: the choice says which, not where (the templates are
  written by hand, cell by cell).
* A ``required`` column (the one that links to the row) is always shown: without it a row means nothing.
* No ``cols`` in the address: the columns marked ``default`` show, and the CSV has every column.
* With ``cols``: the CSV has the CSV columns of the chosen columns (``csv`` names their headers), and
  always the ones no column names (the ids and the fields only the CSV has), which join the file
  to other data.
* A name that is not one of the list's columns is left out and said beside the picker; an export
  asked for one is refused in plain words (a file missing a column would read as complete).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse

PARAM = "cols"


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    csv: tuple[str, ...] = ()  # headers of the CSV columns that hold this column's data
    required: bool = False
    default: bool = True


@dataclass
class Chosen:
    """What the address asked for: the keys shown (in the list's order), and what could not be read."""

    keys: list[str]
    explicit: bool
    errors: list[str] = field(default_factory=list)


class Columns:
    def __init__(self, *choices: Choice):
        self.choices = choices
        self.by_key = {choice.key: choice for choice in choices}
        if len(self.by_key) != len(choices):
            raise ImproperlyConfigured("Two columns of one list have the same key.")

    def read(self, query) -> Chosen:
        asked = [part.strip() for value in query.getlist(PARAM) for part in value.split(",")]
        asked = [key for key in asked if key]
        unknown = [key for key in dict.fromkeys(asked) if key not in self.by_key]
        errors = [f"“{_shorten(key)}” is not a column of this list." for key in unknown[:5]]
        if len(unknown) > 5:
            errors.append(f"… and {len(unknown) - 5} more names that are not columns of this list.")
        known = {key for key in asked if key in self.by_key}
        if not known:  # nothing readable asked: as if none were
            return Chosen([c.key for c in self.choices if c.default or c.required], explicit=False, errors=errors)
        return Chosen([c.key for c in self.choices if c.key in known or c.required], explicit=True, errors=errors)

    def csv_columns(self, all_columns: list, chosen: Chosen) -> list:
        """The export's columns for this choice (every one of them when the address chose none)."""
        if not chosen.explicit:
            return list(all_columns)
        named = {header for choice in self.choices for header in choice.csv}
        kept = {header for key in chosen.keys for header in self.by_key[key].csv}
        return [column for column in all_columns if column.header not in named or column.header in kept]

    def context(self, chosen: Chosen) -> dict:
        shown = set(chosen.keys)
        return {
            "shown": shown,
            "shown_count": len(shown),
            "column_choices": [(choice, choice.key in shown) for choice in self.choices],
            "column_errors": chosen.errors,
        }


def export(request, filterset, table: Columns, all_columns: list, stem: str, **kwargs):
    """The list's CSV (``command_center.lists.export_csv``) with the columns the address chose."""
    from command_center.lists import export_csv

    chosen = table.read(request.GET)
    if chosen.errors:
        body = "This export was not made: the columns asked for (cols) are not all this list's.\n" + "\n".join(
            chosen.errors
        )
        body += f"\nIts columns: {', '.join(choice.key for choice in table.choices)}.\n"
        return HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")
    return export_csv(request, filterset, table.csv_columns(all_columns, chosen), stem, **kwargs)


def _shorten(value: str) -> str:
    value = value.replace("\x00", "")
    return value if len(value) <= 40 else value[:39] + "…"
