"""Entities of single articles -> entities of the corpus.

Two article entities are one corpus entity when they share a country code, a
curated alias, or a type and a full name; a lone surname joins the one person
of the corpus who bears it, and stays apart when several do. Homographs of
different types ("Austin" the city, "Lloyd Austin" the man) never merge.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import ids
from .names import curated_alias, name_key
from .types import ArticleExtraction

__all__ = ["Entity", "Resolution", "resolve"]

TYPE_ORDER = {"PERSON": 0, "ORG": 1, "PLACE": 2}


@dataclass
class Entity:
    """One real-world entity of the corpus: a node of the graph."""

    id: str
    name: str
    type: str
    aliases: list[str]
    mentions: int
    articles: list[str]
    key: str | None = None  # an external key when one is certain: "iso3166:US"


@dataclass
class Resolution:
    entities: dict[str, Entity]
    # (article id, index of the entity in that article) -> corpus entity id
    members: dict[tuple[str, int], str] = field(default_factory=dict)


def _resolution_key(entity_type: str, name: str, key: str | None) -> str:
    if key:
        return key
    curated = curated_alias(name)
    if curated:
        return f"alias:{name_key(curated[0])}"
    if " " in name_key(name):
        return f"name:{name_key(name)}"  # a full name is one entity whatever one article's tagger called it
    return f"{entity_type}:{name_key(name)}"


def resolve(extractions: Iterable[ArticleExtraction]) -> Resolution:
    """Merge the entities of every article into corpus entities with stable ids."""
    extractions = list(extractions)
    local: list[tuple[str, int, str]] = []  # (article id, local index, resolution key)
    for extraction in extractions:
        for index, entity in enumerate(extraction.entities):
            local.append((extraction.article.id, index, _resolution_key(entity.type, entity.name, entity.key)))
    entity_of = {(a, i): extraction.entities[i] for extraction in extractions
                 for a, i in [(extraction.article.id, j) for j in range(len(extraction.entities))]}
    surnames = _surname_owners(key for a, i, key in local if entity_of[(a, i)].type == "PERSON")
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for article, index, key in local:
        groups[_surname_key(key, surnames)].append((article, index))

    resolution = Resolution(entities={})
    for key in sorted(groups):
        members = groups[key]
        parts = [entity_of[m] for m in members]
        entity = _merge(key, parts, sorted({a for a, _ in members}))
        resolution.entities[entity.id] = entity
        for member in members:
            resolution.members[member] = entity.id
    return resolution


def _surname_owners(person_keys: Iterable[str]) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = defaultdict(set)
    for key in person_keys:
        kind, _, name = key.partition(":")
        words = name.split()
        if kind == "name" and len(words) > 1:
            owners[words[-1]].add(key)
    return owners


def _surname_key(key: str, surnames: dict[str, set[str]]) -> str:
    """A lone surname (a PERSON, or a surname the tagger called ORG) joins the only person of that name."""
    kind, _, name = key.partition(":")
    if kind in ("PERSON", "ORG") and " " not in name and len(surnames.get(name, ())) == 1:
        return next(iter(surnames[name]))
    return key


def _merge(key: str, parts: list, articles: list[str]) -> Entity:
    votes: Counter[str] = Counter()
    names: Counter[str] = Counter()
    for part in parts:
        votes[part.type] += part.mentions
        names[part.name] += part.mentions
    if any(p.type == "PERSON" and " " in p.name for p in parts):
        votes["PERSON"] += sum(votes.values())  # a full personal name outweighs stray tags
    entity_type = "PERSON" if key.startswith("PERSON:") else sorted(votes.items(), key=lambda kv: (-kv[1], TYPE_ORDER[kv[0]]))[0][0]
    external = next((p.key for p in parts if p.key), None)
    if key.startswith("alias:"):
        name = curated_alias(parts[0].name)[0] if curated_alias(parts[0].name) else parts[0].name
    elif entity_type == "PERSON":
        name = sorted(names, key=lambda n: (-len(n.split()), -names[n], n))[0]
    else:
        name = sorted(names, key=lambda n: (-names[n], -len(n), n))[0]
    aliases = set(names) | {alias for p in parts for alias in p.aliases}
    aliases.discard(name)
    return Entity(id=ids.entity_id(entity_type, key, name), name=name, type=entity_type,
                  aliases=sorted(aliases), mentions=sum(p.mentions for p in parts), articles=articles, key=external)
