"""Word lists the relation patterns share."""
from __future__ import annotations

from spacy.tokens import Token

from ..names import HONORIFICS

ROLE_WORDS = {
    "spokesperson", "spokesman", "spokeswoman", "secretary", "secretary-general", "minister", "president",
    "vice-president", "chief", "director", "general", "commander", "ambassador", "chairman", "chairwoman", "chair",
    "ceo", "executive", "head", "leader", "official", "officer", "adviser", "advisor", "envoy", "governor", "mayor",
    "senator", "representative", "premier", "chancellor", "deputy", "founder", "co-founder", "editor", "analyst",
    "correspondent", "reporter", "manager", "partner", "aide", "counsel", "attorney", "lawyer", "professor",
    "researcher", "scientist", "economist", "strategist", "coordinator", "administrator", "commissioner", "judge",
    "justice", "prosecutor", "lieutenant", "colonel", "captain", "admiral", "major", "sergeant", "king", "queen",
    "prince", "emir", "sheikh", "cleric", "member", "chairperson", "press", "staff", "diplomat", "negotiator",
    "inspector", "superintendent", "president-elect", "treasurer", "auditor", "vice", "prime", "foreign",
    "defense", "defence", "spy", "owner", "employee", "engineer", "pilot", "soldier", "worker", "coach", "player",
    "anchor", "columnist", "producer", "publisher", "boss", "cmdr", "col", "gen", "lt", "sgt", "capt", "adm",
}
ROLE_MODIFIERS = {"acting", "former", "then", "interim", "deputy", "assistant", "senior", "chief", "top", "new",
                  "outgoing", "incoming", "associate", "principal", "general", "vice", "executive", "managing"}
# Words inside a title between its role words: "chief financial officer", "chief technology officer"
TITLE_QUALIFIERS = {"financial", "finance", "operating", "operations", "technology", "technical", "information",
                    "marketing", "investment", "commercial", "legal", "digital", "data", "security", "medical",
                    "scientific", "science", "strategy", "strategic", "product", "people", "compliance", "risk",
                    "communications", "sustainability", "revenue", "customer", "human", "resources", "accounting",
                    "content", "creative", "innovation", "economic", "political", "military", "national", "business",
                    "production", "research", "sales", "design", "engineering", "manufacturing", "purchasing",
                    "development", "trading", "oncology"}
# Role words that name a position only before another one: "defense minister", "prime minister", "press secretary"
# ("lead its defense business" gives no role)
QUALIFYING_ROLE_WORDS = {"defense", "defence", "foreign", "prime", "vice", "press"}
PLACE_PREPOSITIONS = {"to", "in", "into", "from", "at", "across", "throughout", "inside", "within", "toward",
                      "towards", "near", "around", "out", "over", "on", "onto", "outside"}
# A place's own noun, the "of" after which names it: "the city of Kharkiv", "the port of Odesa"
PLACE_OF_NOUNS = {"city", "town", "village", "port", "province", "island", "district"}
LIVE_VERBS = {"live", "reside"}
# Where an organization is: "Amazon, based in Seattle", "which is headquartered in", "the Seattle-based company"
BASED_WORDS = {"based", "headquartered"}
# What someone does at a place that says nothing of where they live: "Tim Cook visited a factory in Shenzhen"
VISIT_VERBS = {"visit", "meet", "tour", "attend", "arrive", "travel", "fly", "land"}
# ... nor where one plays, scores, wins or performs: "Mohamed Salah scored in London" (CoNLL04 train: one such pair,
# "Kennedy won in Los Angeles", not Live_In)
PERFORM_VERBS = {"score", "play", "win", "beat", "lose", "draw", "compete", "race", "perform"}
# Verbs whose object, after one of these prepositions, is a place: where one lives, and where one travels to
PLACE_VERB_PREPOSITIONS = {**dict.fromkeys(LIVE_VERBS, ("in", "near")), "travel": ("to",), "fly": ("to", "into"),
                           "arrive": ("in",)}
KILL_VERBS = {"kill", "assassinate", "murder", "shoot", "slay", "execute", "stab", "strangle", "behead", "slaughter"}
REPORTING_VERBS = {"say", "tell", "add", "stress", "clarify", "note", "state", "announce", "claim", "report",
                   "explain", "argue", "insist", "write", "ask", "reply", "warn", "suggest", "confirm"}
# Verbs of being or posture: "the United States stands shoulder-to-shoulder with allies ... from Afghanistan"
# places nothing; "remain" stays out of this list ("ISIS remains in Iraq" is an action there).
STATIVE_VERBS = {"be", "stand", "sit", "lie", "seem", "appear", "look", "sound", "feel", "become"}


def is_role_word(token: Token) -> bool:
    """A word that names a position: "spokesperson", "Secretary-General", "Cmdr."."""
    word = token.lower_.rstrip(".")
    return word in ROLE_WORDS or word in HONORIFICS or any(part in ROLE_WORDS for part in word.split("-"))


AGENT_SUFFIXES = ("ist", "ian", "or", "er", "ant", "ent", "man", "woman", "person", "ee", "eer")
NOT_ROLES = {"headquarters", "center", "centre", "border", "quarter", "corner", "number", "power", "order", "water",
             "matter", "letter", "paper", "chapter", "parent", "government", "department", "agreement", "statement",
             "event", "element", "moment", "percent", "comment", "report", "tower", "harbor", "harbour", "cluster",
             "theater", "theatre", "computer", "monitor", "sector", "factor", "floor", "door", "error", "interior"}


def is_role_noun(token: Token) -> bool:
    """A word that can head a role: a known title, or an agent noun ("analyst", "spokesman", "negotiator")."""
    if is_role_word(token):
        return True
    word = token.lower_
    return token.pos_ == "NOUN" and word not in NOT_ROLES and word.endswith(AGENT_SUFFIXES)
