"""Name normalization: canonical surface forms, country names, curated aliases."""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from importlib import resources

__all__ = ["normalize_name", "name_key", "country", "curated_alias", "strip_titles", "HONORIFICS"]

LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
TRAILING_FUNCTION = re.compile(r"(?:\s+(?:to|of|and|for|in|on|at|the|by|with|from))+$", re.IGNORECASE)
POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
QUOTES = "\"'“”‘’«»()[]{}.,;:!?-–— \t\n"
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "cmdr", "col", "gen", "lt", "sgt", "capt",
              "maj", "adm", "rep", "sen", "gov", "pres", "rev", "st", "lord", "lady", "cpl", "pvt", "brig"}

# Names of countries as news writes them, beyond what pycountry lists.
COUNTRY_VARIANTS = {
    "us": "US", "u.s.": "US", "usa": "US", "u.s.a.": "US", "america": "US", "united states": "US",
    "united states of america": "US", "the states": "US",
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "united kingdom": "GB", "england": None,
    "russia": "RU", "iran": "IR", "syria": "SY", "south korea": "KR", "north korea": "KP", "vietnam": "VN",
    "laos": "LA", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "the netherlands": "NL",
    "holland": "NL", "czech republic": "CZ", "turkey": "TR", "ivory coast": "CI", "palestine": "PS", "taiwan": "TW",
    "soviet union": None, "ussr": None,
}


def normalize_name(text: str) -> str:
    """The canonical form of a surface name: no leading article, possessive or dangling function word.

    >>> normalize_name("the Middle East")
    'Middle East'
    >>> normalize_name("the Global Coalition to")
    'Global Coalition'
    >>> normalize_name("ISIS’")
    'ISIS'
    >>> normalize_name("NATO's")
    'NATO'
    """
    name = unicodedata.normalize("NFC", " ".join(text.split()))
    for _ in range(3):
        before = name
        name = name.strip(QUOTES.replace(".", "")).strip()
        name = POSSESSIVE.sub("", name)
        name = LEADING.sub("", name)
        name = TRAILING_FUNCTION.sub("", name)
        if name.endswith(".") and not re.search(r"(?:\b[A-Z]\.|\b(?:Inc|Co|Corp|Ltd|Jr|Sr|St)\.)$", name):
            name = name[:-1]
        if name == before:
            break
    return name


def name_key(name: str) -> str:
    """A comparison key: case, accents, dots and hyphens folded.

    >>> name_key("U.S.") == name_key("US")
    True
    """
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"[.’']", "", folded)
    return " ".join(re.sub(r"[-‐–—_]", " ", folded).split())


def strip_titles(name: str) -> tuple[str, list[str]]:
    """Split leading honorifics off a person's name: ("Jessica L. McNulty", ["Cmdr."]).

    >>> strip_titles("Cmdr. Jessica L. McNulty")
    ('Jessica L. McNulty', ['Cmdr.'])
    """
    words = name.split()
    titles = []
    while len(words) > 1 and words[0].rstrip(".").casefold() in HONORIFICS:
        titles.append(words.pop(0))
    return " ".join(words), titles


@functools.cache
def _countries() -> dict[str, tuple[str, str]]:
    import pycountry

    table: dict[str, tuple[str, str]] = {}
    for entry in pycountry.countries:
        canonical = getattr(entry, "common_name", None) or entry.name
        for variant in (entry.name, getattr(entry, "official_name", None), getattr(entry, "common_name", None)):
            if variant:
                table[name_key(variant)] = (entry.alpha_2, canonical)
    for variant, code in COUNTRY_VARIANTS.items():
        if code is None:
            table.pop(name_key(variant), None)
            continue
        table[name_key(variant)] = (code, table_name(code, table))
    return table


def table_name(code: str, table: dict[str, tuple[str, str]]) -> str:
    import pycountry

    entry = pycountry.countries.get(alpha_2=code)
    canonical = getattr(entry, "common_name", None) or entry.name
    return {"US": "United States", "GB": "United Kingdom"}.get(code, canonical)


def country(name: str) -> tuple[str, str] | None:
    """``(ISO 3166 alpha-2, canonical name)`` when ``name`` is certainly a country, else None.

    >>> country("U.S.")
    ('US', 'United States')
    >>> country("Britain")
    ('GB', 'United Kingdom')
    >>> country("Austin") is None
    True
    """
    return _countries().get(name_key(name))


@functools.cache
def _curated() -> dict[str, tuple[str, str]]:
    data = json.loads(resources.files("kgraph").joinpath("data/aliases.json").read_text(encoding="utf-8"))
    return alias_table(data)


def alias_table(data: dict) -> dict[str, tuple[str, str]]:
    """``{name_key: (canonical name, type)}`` from an alias file's ``groups``."""
    table = {}
    for group in data.get("groups", []):
        names = group["names"]
        for name in names:
            table[name_key(name)] = (names[0], group.get("type", "ORG"))
    return table


def curated_alias(name: str) -> tuple[str, str] | None:
    """``(canonical name, type)`` from the curated alias table, else None.

    >>> curated_alias("Pentagon")
    ('US Department of Defense', 'ORG')
    """
    return _curated().get(name_key(name))
