"""Organization-action-place (kgraph.extract.actions): who does what where, through pronouns and nested objects."""
from __future__ import annotations

from kgraph.extract import extract_article
from kgraph.ingest import make_article


def actions(text: str, nlp) -> set[tuple[str, str, str, str]]:
    """(actor as written, actor's entity, place, predicate) of each action relation the text gives."""
    result = extract_article(make_article("a", text), nlp)
    return {(r.subject.text, result.entities[r.subject_entity].name, r.object.text, r.predicate)
            for r in result.relations if r.relation == "action"}


def test_the_us_sends_troops_to_iraq(nlp):
    assert actions("The US will send more troops to Iraq.", nlp) == {("US", "United States", "Iraq", "send troop to")}


def test_the_us_sends_warships_to_the_red_sea(nlp):
    """The parser reads this "to" as a dative ("send it to her"), not a preposition: still the place it goes to."""
    assert actions("The US will send more warships to the Red Sea.", nlp) == {
        ("US", "United States", "Red Sea", "send warship to")}
    assert {(actor, place) for actor, _, place, _ in actions("Egypt will send aid to Gaza.", nlp)} == {("Egypt", "Gaza")}


def test_an_action_stated_with_a_pronoun_is_its_antecedents(nlp):
    """"as it shifts production to India": the evidence is the pronoun, the fact is Siemens's."""
    assert actions("Siemens to cut 3,000 jobs as it shifts production to India", nlp) == {
        ("it", "Siemens", "India", "shift production to")}


def test_a_pronoun_after_a_verb_of_saying_is_the_speaker_not_the_nearest_name(nlp):
    """"Siemens AG, based in Munich, said it would...": "it" is Siemens AG, though Munich is nearer."""
    found = actions("Siemens AG, the German engineering group based in Munich, said on Tuesday it would cut 3,000 "
                    "jobs and move part of its turbine production to Pune, India.", nlp)
    assert {(actor, entity, place) for actor, entity, place, _ in found} == {("Siemens AG", "Siemens AG", "Pune")}


def test_the_place_can_hang_off_the_noun_after_of(nlp):
    """"move part of its production to Pune": the place is where the production goes."""
    found = actions("NATO will move part of its training mission to Baghdad.", nlp)
    assert {(actor, place) for actor, _, place, _ in found} == {("NATO", "Baghdad")}


def test_the_place_attacked_or_taken_is_the_object_of_the_verb(nlp):
    """"Hamas attacked Israel", "Israel struck the city of Rafah": the place is what is attacked, with no
    preposition; "the city of" makes Rafah a place (the recognizer: a person). A comparison names no target."""
    assert actions("Hamas attacked Israel on October 7.", nlp) == {("Hamas", "Hamas", "Israel", "attack")}
    assert actions("Israel struck the city of Rafah on Tuesday.", nlp) == {("Israel", "Israel", "Rafah", "strike")}
    assert actions("ISIS seized a territory as big as the United Kingdom.", nlp) == set()


def test_those_who_act_for_an_organization_or_a_country_make_its_action(nlp):
    """"NATO defence ministers agreed to send ...", "U.S. forces struck ...": the ministers and the forces act for
    NATO and the United States. Engineers do not act for their company."""
    assert {(entity, place) for _, entity, place, _ in actions(
        "NATO defence ministers agreed on Thursday to send more air defence systems to Ukraine.", nlp)} == {
        ("NATO", "Ukraine")}
    assert {(entity, place) for _, entity, place, _ in actions("U.S. forces struck targets in Yemen on Saturday.",
                                                               nlp)} == {("United States", "Yemen")}
    assert actions("Apple engineers travelled to China last week.", nlp) == set()


def test_the_place_of_the_site_an_investment_goes_into(nlp):
    """"Invest $11 billion in U.S. Steel's plants in Pennsylvania and Indiana": the places of the plants, whether the
    parser hangs "in" on the verb or on the sum."""
    found = actions("Nippon Steel said it would invest $11 billion in U.S. Steel's plants in Pennsylvania and "
                    "Indiana by 2028.", nlp)
    assert {(entity, place) for _, entity, place, _ in found} == {("Nippon Steel", "Pennsylvania"),
                                                                  ("Nippon Steel", "Indiana")}
