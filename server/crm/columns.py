"""The customer fields a CSV column can fill, and the column names CRMs export them under.

Names as HubSpot (companies), Salesforce (accounts, billing address) and Pipedrive
(organizations) write them in their English and French exports, plus our own export's (so a
file exported here comes back mapped). Matching ignores case, accents and punctuation
(server/spreadsheets/columns.py), so "Pays/Région" and "pays region" are one name.
"""

from __future__ import annotations

from typing import Final

# Field -> names, most specific first. The order of the fields matters: a column goes to the
# first field that names it.
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "external_id": (
        "external_id",
        "external id",
        "record id",  # HubSpot
        "id de fiche d informations",  # HubSpot, French
        "id de l enregistrement",
        "account id",  # Salesforce
        "id du compte",
        "organization id",  # Pipedrive
        "organization - id",
        "organisation - id",
        "company id",
        "id entreprise",
        "identifiant",
        "id externe",
        "id",
    ),
    "name": (
        "name",
        "company name",  # HubSpot
        "nom de l entreprise",
        "account name",  # Salesforce
        "nom du compte",
        "organization - name",  # Pipedrive
        "organisation - nom",
        "organization name",
        "nom de l organisation",
        "company",
        "entreprise",
        "societe",
        "raison sociale",
        "nom",
        "client",
        "customer",
    ),
    "email": (
        "email",
        "e-mail",
        "email address",
        "adresse e-mail",
        "adresse email",
        "courriel",
        "billing email",
        "e-mail de facturation",
        "organization - email",
        "organisation - e-mail",
    ),
    "vat_id": (
        "vat_id",
        "vat number",
        "vat id",
        "vat",
        "tax id",
        "numero de tva",
        "n tva",
        "tva intracommunautaire",
        "numero de tva intracommunautaire",
        "n tva intracommunautaire",
        "tva",
    ),
    "siren": ("siren", "siret", "numero siren", "numero siret", "n siren", "n siret"),
    "line1": (
        "line1",
        "street address",  # HubSpot
        "adresse",
        "adresse postale",
        "billing street",  # Salesforce
        "rue de facturation",
        "adresse de facturation",
        "organization - address",  # Pipedrive
        "organisation - adresse",
        "address",
        "street",
        "rue",
    ),
    "line2": (
        "line2",
        "street address 2",
        "adresse 2",
        "complement d adresse",
        "address 2",
        "address line 2",
    ),
    "postcode": (
        "postcode",
        "postal code",  # HubSpot
        "code postal",
        "billing zip postal code",  # Salesforce
        "code postal de facturation",
        "organization - zip postal code",  # Pipedrive
        "organisation - code postal",
        "zip",
        "zip code",
        "cp",
    ),
    "city": (
        "city",
        "ville",
        "billing city",
        "ville de facturation",
        "organization - city town village locality",
        "organisation - ville",
        "town",
        "commune",
    ),
    "country": (
        "country",
        "country region",  # HubSpot
        "pays region",
        "pays",
        "billing country",  # Salesforce
        "pays de facturation",
        "organization - country",  # Pipedrive
        "organisation - pays",
        "country code",
        "code pays",
    ),
}
FIELDS: Final = tuple(ALIASES)
# What a customer needs: its name. The rest may stay empty.
REQUIRED: Final = ("name",)
# Our export's columns, in order (the same names the import recognises first).
EXPORT_FIELDS: Final = (*FIELDS, "importance")
# Longest value of each field, as the customer API's models bound them.
LIMITS: Final = {
    "external_id": 100,
    "name": 200,
    "email": 320,
    "vat_id": 20,
    "siren": 20,
    "line1": 200,
    "line2": 200,
    "postcode": 20,
    "city": 200,
    "country": 100,  # a name here, two letters once read (countries.py)
}
