"""Name normalization: canonical surface forms, country names, curated aliases."""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from importlib import resources

__all__ = ["normalize_name", "name_key", "country", "curated_alias", "alias_table", "strip_titles", "is_acronym",
           "place_qualifier", "qualifier_countries", "demonym_countries", "without_legal_form",
           "acronym_definitions", "spells", "AP_STATES", "HONORIFICS", "LEGAL_FORM_WORDS", "US_STATES", "us_state"]

LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
TRAILING_FUNCTION = re.compile(r"(?:\s+(?:to|of|and|for|in|on|at|the|by|with|from))+$", re.IGNORECASE)
POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
UNCLOSED_BRACKET = re.compile(r"\s*\([^)]*$")
ABBREVIATION_END = re.compile(r"(?:\b[A-Z]\.|\b(?:Inc|Co|Corp|Ltd|Jr|Sr|St)\.)$")
DOTS_AND_QUOTES = re.compile(r"[.’']")
DASHES = re.compile(r"[-‐–—_]")
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
    "georgia": None,  # the country or the US state: never a guessed link
}

# The Associated Press abbreviations of US states ("Tampa, Fla."); the postal codes ("Tampa, FL") come from pycountry.
AP_STATES = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia", "Ill.": "Illinois",
    "Ind.": "Indiana", "Kan.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana", "Md.": "Maryland",
    "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota", "Miss.": "Mississippi", "Mo.": "Missouri",
    "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada", "N.H.": "New Hampshire", "N.J.": "New Jersey",
    "N.M.": "New Mexico", "N.Y.": "New York", "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma",
    "Ore.": "Oregon", "Pa.": "Pennsylvania", "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota",
    "Tenn.": "Tennessee", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington", "W.Va.": "West Virginia",
    "Wis.": "Wisconsin", "Wyo.": "Wyoming"}

US_STATES = {  # as a news dateline or address writes them in full
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma",
    "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
    "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
}


def us_state(name: str) -> str | None:
    """The US state ``name`` writes, in full or as AP style abbreviates it, else None: one test for every
    "Austin, Texas" / "Fresno, Calif." reading.

    >>> us_state("Texas"), us_state("Calif."), us_state("Paris")
    ('Texas', 'California', None)
    """
    return name if name in US_STATES else AP_STATES.get(name)


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
    >>> normalize_name("Islamic State (ISIS")
    'Islamic State'
    """
    name = unicodedata.normalize("NFC", " ".join(text.split()))
    for _ in range(3):
        before = name
        name = name.strip(QUOTES.replace(".", "")).strip()
        name = POSSESSIVE.sub("", name)
        name = LEADING.sub("", name)
        name = TRAILING_FUNCTION.sub("", name)
        name = UNCLOSED_BRACKET.sub("", name) or name  # "Islamic State (ISIS": an unclosed bracket is not the name
        if name.endswith(".") and not ABBREVIATION_END.search(name):
            name = name[:-1]
        if name == before:
            break
    return name


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A comparison key: case, accents, dots and hyphens folded.

    >>> name_key("U.S.") == name_key("US")
    True
    """
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = DOTS_AND_QUOTES.sub("", folded)
    return " ".join(DASHES.sub(" ", folded).split())


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
        for variant in (entry.name, getattr(entry, "official_name", None), getattr(entry, "common_name", None)):
            if variant:
                table[name_key(variant)] = (entry.alpha_2, _canonical_country(entry))
    for variant, code in COUNTRY_VARIANTS.items():
        if code is None:
            table.pop(name_key(variant), None)
            continue
        table[name_key(variant)] = (code, _canonical_country(pycountry.countries.get(alpha_2=code)))
    return table


def _canonical_country(entry) -> str:
    """pycountry's everyday name when it has one ("Iran"), else its name ("United States")."""
    return getattr(entry, "common_name", None) or entry.name


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


def is_acronym(name: str) -> bool:
    """A short all-capitals name, as texts define them in brackets: "ISIS", "WHO", "U.N." (not "who").

    >>> is_acronym("ISIS"), is_acronym("U.N."), is_acronym("who"), is_acronym("Iraq")
    (True, True, False, False)
    """
    letters = name.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()


QUALIFIER_KINDS = {"State", "Province", "Territory", "Country", "Nation", "Land", "Autonomous community",
                   "Two-tier county", "County", "Prefecture"}


@functools.cache
def _subdivision_countries() -> dict[str, tuple[str, ...]]:
    """``{name key: the countries with a state, province or county of that name}``, in pycountry's order."""
    import pycountry

    found: dict[str, list[str]] = {}
    for subdivision in pycountry.subdivisions:
        if subdivision.type in QUALIFIER_KINDS:
            codes = found.setdefault(name_key(re.sub(r"\s*\[.*\]$", "", subdivision.name)), [])
            if subdivision.country_code not in codes:
                codes.append(subdivision.country_code)
    return {key: tuple(codes) for key, codes in found.items()}


@functools.cache
def _qualifiers() -> dict[str, str]:
    """Names that, after a comma, say which place of a shared name is meant: ``{name key: qualifier}`` for
    states, provinces and counties (pycountry's subdivisions) and D.C.; :func:`qualifier_countries` says where."""
    table = {key: key for key in _subdivision_countries()}
    for variant in ("D.C.", "DC", "District of Columbia"):
        table[name_key(variant)] = "district of columbia"
    return table


def qualifier_countries(qualifier: str) -> frozenset[str]:
    """Every country a qualifier may lie in: a state or province of several countries names them all.

    >>> sorted(qualifier_countries("maryland")), sorted(qualifier_countries("FR")), sorted(qualifier_countries("state"))
    (['LR', 'US'], ['FR'], [])
    """
    if len(qualifier) == 2 and qualifier.isupper():
        return frozenset({qualifier})
    if qualifier == "district of columbia":
        return frozenset({"US"})
    return frozenset(_subdivision_countries().get(qualifier, ()))


def place_qualifier(following: str) -> str | None:
    """Which place the text right after a place name points to: ", Texas" -> "texas", " state" -> "state".

    >>> place_qualifier(", Texas, on Monday"), place_qualifier(", D.C., where"), place_qualifier(" state's governor")
    ('texas', 'district of columbia', 'state')
    >>> place_qualifier(", France")
    'FR'
    >>> place_qualifier(" said") is None, place_qualifier(", Iraq's foreign minister") is None
    (True, True)
    >>> place_qualifier(", Spain and Turkey") is None, place_qualifier(", Spain, Italy and Greece") is None
    (True, True)
    """
    if re.match(r"\s+[Ss]tate\b", following):
        return "state"
    match = re.match(r",\s*((?:[A-Z][\w.]*)(?:\s+[A-Z][\w.]*)?)(?!\w|['’]s\b|\s+(?:and|or)\b|,\s*\w+\s+(?:and|or)\b)",
                     following)
    if not match:
        return None  # "Fuad Hussein, Iraq's foreign minister", "Denmark, Spain and Turkey": no qualifier
    words = match.group(1).split()
    for size in (len(words), 1):
        candidate = normalize_name(" ".join(words[:size]))
        if name_key(candidate) in _qualifiers():
            return _qualifiers()[name_key(candidate)]
        found = country(candidate)
        if found:
            return found[0]
    return None


@functools.cache
def _demonyms() -> tuple[re.Pattern, dict[str, str]]:
    data = json.loads(resources.files("kgraph").joinpath("data/demonyms.json").read_text(encoding="utf-8"))
    table = data["demonyms"]
    names = sorted(table, key=len, reverse=True)
    # the lookahead for a first letter lets the regex engine skip to the places a demonym can start: the same
    # matches, in half the time of trying every alternative at every position of the text
    first_letters = "".join(sorted({re.escape(n[0]) for n in names}))
    return re.compile(rf"\b(?=[{first_letters}])(" + "|".join(re.escape(n) for n in names) + r")\b"), table


def demonym_countries(text: str) -> set[str]:
    """The countries a text's nationality adjectives name (``kgraph/data/demonyms.json``).

    >>> sorted(demonym_countries("a Norwegian politician for the Liberal Party, born to British parents"))
    ['GB', 'NO']
    """
    pattern, table = _demonyms()
    return {table[match] for match in pattern.findall(text)}


# The legal forms that end a company's name, as words ("Nestle SA", "Airbus SE", "Siemens AG"), which the
# recognizer sometimes reads apart from the name; LEGAL_FORM strips them (and a few more spellings) for resolution.
LEGAL_FORM_WORDS = frozenset({"sa", "s.a", "ag", "se", "plc", "inc", "corp", "ltd", "llc", "gmbh", "nv", "n.v",
                              "spa", "asa", "oyj"})
LEGAL_FORM = re.compile(r",?\s+(?:inc|incorporated|corp|corporation|co|ltd|limited|llc|l\.l\.c|plc|gmbh|ag|s\.?a|"
                        r"n\.?v|b\.?v|s\.?p\.?a|pty(?:\s+ltd)?|lp|llp)\.?$", re.IGNORECASE)


def without_legal_form(name: str) -> str:
    """An organization's name without its legal form: "Analog Devices, Inc." -> "Analog Devices".

    >>> without_legal_form("Analog Devices, Inc."), without_legal_form("Southwest Airlines Co.")
    ('Analog Devices', 'Southwest Airlines')
    >>> without_legal_form("Inc.")
    'Inc.'
    """
    stripped = LEGAL_FORM.sub("", name).strip()
    return stripped if stripped and any(c.isalpha() for c in stripped) else name


NAME_JOINERS = {"of", "for", "to", "and", "the", "on", "in", "de", "la", "du", "des", "&"}
DEFINED_ACRONYM_WORDS = 8  # the most words of a name DEFINED_ACRONYM reads before its bracket
DEFINED_ACRONYM = re.compile(r"((?:[\w&'’.-]+[ \t]+){1,%d})\((?:the[ \t]+)?([A-Z][A-Z.&]{1,9})\)"
                             % DEFINED_ACRONYM_WORDS)
NOT_IN_A_NAME = re.compile(r"[^\w&'’. \t-]")  # what the words and spaces of DEFINED_ACRONYM never hold


def spells(acronym: str, words: list[str]) -> bool:
    """Whether the acronym's letters appear in order in the name's words, starting with its first letter.

    >>> spells("ISIS", ["Islamic", "State"]), spells("ICC", ["International", "Cricket", "Council"])
    (True, True)
    >>> spells("AP", ["Reuters"])
    False
    """
    letters = acronym.replace(".", "").replace("&", "").casefold()
    text = "".join(words).casefold()
    if not text.startswith(letters[0]):
        return False
    position = 0
    for letter in letters:
        position = text.find(letter, position) + 1
        if position == 0:
            return False
    return True


def acronym_definitions(text: str) -> list[tuple[str, str]]:
    """``(acronym, name)`` for every "Name (ACRONYM)" a text defines, when the acronym spells the name.

    A definition is words and spaces, then the bracket, so each stretch of such characters that ends in "(",
    up to the next ")", holds at most one, and no definition crosses two stretches: only those stretches are
    searched, six times as fast as the whole text, with the same definitions in the same order. Of a stretch,
    only its last :data:`DEFINED_ACRONYM_WORDS` words can be in a definition, so the search starts there.

    >>> acronym_definitions("Press Group Speaks\\nThe Committee to Protect Journalists (CPJ) said; reporters (AP) and "
    ...                     "the World Health Organization (WHO).")
    [('CPJ', 'Committee to Protect Journalists'), ('WHO', 'World Health Organization')]
    >>> text = "In Geneva, the World Health Organization (WHO), (the) Red Cross (RC) and Doctors Abroad ((DA) met."
    >>> acronym_definitions(text) == _definitions_in(text) == [('WHO', 'World Health Organization'), ('RC', 'Red Cross')]
    True
    """
    found = []
    opening = text.find("(")
    while opening >= 0:
        closing, following = text.find(")", opening), text.find("(", opening + 1)
        if closing < 0:
            break
        if following < 0 or following > closing:  # else no acronym follows this bracket: the next one is nearer
            start = _start_of_name_characters(text, opening)
            earlier_words = text[start:opening].rsplit(None, DEFINED_ACRONYM_WORDS)
            if len(earlier_words) > DEFINED_ACRONYM_WORDS:
                start += len(earlier_words[0])  # words before the last few, which no definition reaches
            found += _definitions_in(text[start:closing + 1])
        opening = following
    return found


def _start_of_name_characters(text: str, end: int) -> int:
    """Where the run of characters :data:`DEFINED_ACRONYM` names are made of that ends at ``end`` starts.

    Searched backwards in the reversed text, a window at a time: one search in C, not a regex match per character.

    >>> _start_of_name_characters("said, the World Health Organization (WHO)", 36)
    5
    """
    size = 64
    while True:
        low = max(0, end - size)
        other = NOT_IN_A_NAME.search(text[low:end][::-1])
        if other:
            return end - other.start()
        if low == 0:
            return 0
        size *= 4


def _definitions_in(text: str) -> list[tuple[str, str]]:
    """The definitions :data:`DEFINED_ACRONYM` finds anywhere in ``text``: what :func:`acronym_definitions` gives."""
    found = []
    for match in DEFINED_ACRONYM.finditer(text):
        words, acronym = match.group(1).split(), match.group(2).rstrip(".")
        if not is_acronym(acronym):
            continue
        for start in range(len(words)):
            name = words[start:]
            if (name[0][:1].isupper() and all(w[:1].isupper() or w.casefold() in NAME_JOINERS for w in name)
                    and name[-1].casefold() not in NAME_JOINERS and spells(acronym, name)):
                found.append((acronym, normalize_name(" ".join(name))))
                break
    return found
