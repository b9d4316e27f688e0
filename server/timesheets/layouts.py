"""The column layouts of common time trackers' CSV exports, recognised from their headers,
and the names a hand-made file's columns may have (for a proposed mapping).

- Toggl Track, "Detailed" report: User (Member in newer exports), Email, Client, Project,
  Task, Description, Billable, Start date, Start time, End date, End time, Duration
  (HH:MM:SS), Tags, Amount.
- Harvest, "Detailed time" report: Date, Client, Project, Project Code, Task, Notes, Hours
  (decimal), Hours Rounded, Billable?, Invoiced?, Approved?, First Name, Last Name, Roles,
  Employee?, Billable Rate, Billable Amount, Cost Rate, Cost Amount, Currency, ...
- Clockify, "Detailed" report: Project, Client, Description, Task, User, Group, Email, Tags,
  Billable, Start Date, Start Time, End Date, End Time, Duration (h), Duration (decimal),
  Billable Rate (EUR), Billable Amount (EUR) (the currency in the rate's column name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from server.spreadsheets.columns import matches, normalise, propose

# The fields a column can fill. `person_2` is joined to `person` with a space (Harvest's first
# and last names); `duration` is H:MM[:SS] (or decimal hours), `hours` decimal hours.
FIELDS: Final = (
    "date",
    "person",
    "person_2",
    "project",
    "task",
    "description",
    "duration",
    "hours",
    "rate",
    "billable",
)


@dataclass(frozen=True, slots=True)
class Layout:
    name: str  # "toggl", "harvest", "clockify"
    title: str
    required: tuple[tuple[str, ...], ...]  # each group: one of these names must be a column
    aliases: dict[str, tuple[str, ...]]


LAYOUTS: Final = (
    Layout(
        name="clockify",
        title="Clockify (detailed report)",
        required=(("Duration (decimal)", "Duration (h)"), ("Start Date",), ("User",), ("Project",)),
        aliases={
            "date": ("Start Date",),
            "person": ("User",),
            "project": ("Project",),
            "task": ("Task",),
            "description": ("Description",),
            "hours": ("Duration (decimal)",),
            "duration": ("Duration (h)",),
            "billable": ("Billable",),
        },
    ),
    Layout(
        name="toggl",
        title="Toggl Track (detailed report)",
        required=(("User", "Member"), ("Start date",), ("Duration",), ("Project",)),
        aliases={
            "date": ("Start date",),
            "person": ("User", "Member"),
            "project": ("Project",),
            "task": ("Task",),
            "description": ("Description",),
            "duration": ("Duration",),
            "billable": ("Billable",),
        },
    ),
    Layout(
        name="harvest",
        title="Harvest (detailed time report)",
        required=(("Hours",), ("First Name",), ("Last Name",), ("Project",), ("Date",)),
        aliases={
            "date": ("Date",),
            "person": ("First Name",),
            "person_2": ("Last Name",),
            "project": ("Project",),
            "task": ("Task",),
            "description": ("Notes",),
            "hours": ("Hours",),
            "rate": ("Billable Rate",),
            "billable": ("Billable?",),
        },
    ),
)

# A hand-made file's likely names, in English and French.
MANUAL: Final[dict[str, tuple[str, ...]]] = {
    "date": ("date", "day", "jour", "start date", "date de debut"),
    "person": (
        "person",
        "user",
        "member",
        "employee",
        "name",
        "personne",
        "utilisateur",
        "collaborateur",
        "membre",
        "intervenant",
        "nom",
    ),
    "person_2": (),
    "project": ("project", "projet", "client project", "mission"),
    "task": ("task", "tache", "activity", "activite"),
    "description": ("description", "notes", "note", "comment", "commentaire", "libelle"),
    "duration": ("duration", "duree", "time", "temps"),
    "hours": ("hours", "heures", "hours decimal", "nombre d heures"),
    "rate": ("rate", "hourly rate", "billable rate", "taux", "taux horaire", "tarif"),
    "billable": ("billable", "facturable"),
}


def recognise(header: Sequence[str]) -> tuple[Layout | None, dict[str, str | None]]:
    """The tracker whose export `header` is, and the mapping it implies; else None and a
    mapping proposed from the column names."""
    for layout in LAYOUTS:
        if matches(header, layout.required):
            mapping = {name: None for name in FIELDS} | propose(header, layout.aliases)
            if layout.name == "clockify" and mapping["rate"] is None:
                # "Billable Rate (EUR)": the currency is part of the name.
                mapping["rate"] = next(
                    (c for c in header if normalise(c).startswith("billable rate")), None
                )
            return layout, mapping
    return None, {name: None for name in FIELDS} | propose(header, MANUAL)
