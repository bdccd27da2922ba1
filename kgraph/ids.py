"""The one place identifiers and IRIs are minted.

Every IRI is a configurable base, a kind, an ASCII slug for people to read and
a hash of the identity that makes it unique: never raw article text, so no
name can break a file in any format, and the same entity gets the same IRI on
every build.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["DEFAULT_BASE", "NS", "slug", "digest", "entity_id", "article_id", "fact_id", "iri"]

DEFAULT_BASE = "https://kgraph.example/id/"
NS = "https://kgraph.example/ns#"  # kgraph's own vocabulary, documented in kgraph/ontology.ttl


def slug(text: str, *, limit: int = 48) -> str:
    """A readable ASCII slug.

    >>> slug("Jens Stoltenberg")
    'jens-stoltenberg'
    >>> slug("Zürich </script>")
    'zurich-script'
    >>> slug("北京")
    'x'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].rstrip("-") or "x"


def digest(*parts: object, length: int = 10) -> str:
    """A short stable hash of the parts (sha1, hex).

    >>> digest("person", "jens stoltenberg")
    '7630fef8e0'
    """
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def entity_id(entity_type: str, key: str, name: str) -> str:
    """The graph node id of an entity: ``person/jens-stoltenberg-7630fef8e0``; ``key`` is its resolution key."""
    return f"{entity_type.lower()}/{slug(name)}-{digest(entity_type, key)}"


def article_id(article: str) -> str:
    """``article/000-13ec9c912da2c082-txt-1a2b...`` for an article id (a path or a JSON Lines id)."""
    return f"article/{slug(article)}-{digest('article', article)}"


def fact_id(kind: str, *identity: object) -> str:
    """Ids for facts and their parts: memberships, events, roles, evidence."""
    return f"{kind}/{digest(kind, *identity, length=16)}"


def iri(local_id: str, base: str = DEFAULT_BASE) -> str:
    """The full IRI of a local id under ``base``.

    >>> iri("person/jens-stoltenberg-7630fef8e0")
    'https://kgraph.example/id/person/jens-stoltenberg-7630fef8e0'
    """
    return base + local_id
