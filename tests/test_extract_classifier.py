"""The relation classifier's pair features: what it reads of each mention and of the pair."""
from __future__ import annotations

import numpy as np

from kgraph.extract import extract_article, pattern_relations
from kgraph.extract.classifier import LABELS, RelationModel, classified_relations, classify_pairs, pair_features
from kgraph.ingest import make_article


def context(nlp, text):
    article = make_article("t", text)
    ctx, _found = pattern_relations(article, nlp(article.clean), nlp)
    return ctx


def mention(ctx, text):
    return next(i for i, m in enumerate(ctx.mentions) if m.span.text == text)


def test_an_organization_named_after_a_place_of_the_sentence_says_so(nlp):
    ctx = context(nlp, "The University of Texas opened a new campus in Texas last year.")
    org, place = mention(ctx, "University of Texas"), mention(ctx, "Texas")
    features = pair_features(ctx, org, place)
    assert "socontains|ORG>PLACE" in features
    assert "oscontains|PLACE>ORG" in pair_features(ctx, place, org)  # the same fact, read from the place
    # the words of each name, not only its last one: "University" tells an organization's kind
    assert {"sw=university|ORG>PLACE", "sw=of|ORG>PLACE", "sw=texas|ORG>PLACE",
            "sfirst=university|ORG>PLACE"} <= set(features)


def test_a_nationality_adjective_in_an_organization_names_its_country(nlp):
    ctx = context(nlp, "A Chinese Foreign Ministry spokesman said China would talk to Vietnam.")
    ministry = mention(ctx, "Chinese Foreign Ministry")
    assert "sodemonym|ORG>PLACE" in pair_features(ctx, ministry, mention(ctx, "China"))
    assert not any("demonym" in f for f in pair_features(ctx, ministry, mention(ctx, "Vietnam")))


def test_the_shipped_model_was_trained_on_these_features():
    # A model trained before a feature existed would silently ignore it: the shipped one knows them.
    index = RelationModel.load().index
    assert {"socontains|ORG>PLACE", "sodemonym|ORG>PLACE", "sw=university|ORG>PLACE"} <= index.keys()


def test_each_relation_can_have_its_own_threshold(nlp):
    ctx = context(nlp, "The University of Texas opened a new campus in Texas last year.")
    chances = {"none": 0.45, "based_in": 0.35}  # what every pair scores, whatever its features
    model = RelationModel(labels=LABELS, index={}, weights=np.zeros((0, len(LABELS)), dtype=np.float32),
                          bias=np.log([chances.get(label, 0.05) for label in LABELS]).astype(np.float32), threshold=0.4)
    assert classify_pairs(ctx, {}, model) == []  # 0.35 is under one threshold of 0.4 for all
    model.threshold = np.array([0.3 if label == "based_in" else 0.4 for label in LABELS])
    found = classify_pairs(ctx, {}, model)
    assert [(ctx.mentions[s].span.text, ctx.mentions[o].span.text, label) for s, o, label, _p in found] == \
        [("University of Texas", "Texas", "based_in")]
    assert abs(found[0][3] - 0.35) < 1e-5


def test_a_pair_with_a_pronoun_goes_to_the_pronoun_model_and_its_threshold(nlp):
    # "He" has no antecedent here: only the pronoun model decides its pair; the names' pair stays the name model's.
    ctx = context(nlp, "Ann Lee joined Acme Corp. in 1990. He is the chief executive of Borland Inc.").with_pronouns()
    pairs = {(ctx.mentions[s].span.text, ctx.mentions[o].span.text)
             for s, o, _label, _p in classify_pairs(ctx, {}, _works_for_everyone(), _works_for_everyone())}
    assert {("Ann Lee", "Acme Corp."), ("He", "Borland Inc.")} <= pairs
    unsure = _works_for_everyone()
    unsure.threshold = 0.8  # the pronoun model's own threshold, over its 0.7
    pairs = {(ctx.mentions[s].span.text, ctx.mentions[o].span.text)
             for s, o, _label, _p in classify_pairs(ctx, {}, _works_for_everyone(), unsure)}
    assert ("Ann Lee", "Acme Corp.") in pairs and not any(s == "He" for s, _o in pairs)


def test_the_shipped_pronoun_model_asks_more_of_a_pronoun_relation():
    from kgraph.extract.classifier import PRONOUN_MODEL

    names, pronouns = RelationModel.load(), RelationModel.load(PRONOUN_MODEL)
    assert np.all(np.asarray(pronouns.threshold) > np.asarray(names.threshold))


def _works_for_everyone() -> RelationModel:
    """A model that relates every person to every organization of a sentence, whatever its features."""
    chances = {"none": 0.2, "works_for": 0.7}
    return RelationModel(labels=LABELS, index={}, weights=np.zeros((0, len(LABELS)), dtype=np.float32),
                         bias=np.log([chances.get(label, 0.02) for label in LABELS]).astype(np.float32), threshold=0.4)


def roles(nlp, text):
    article = make_article("t", text)
    ctx, found = pattern_relations(article, nlp(article.clean), nlp)
    return {(r.subject.text, r.object.text): r.role
            for r in classified_relations(ctx.with_pronouns(), found, model=_works_for_everyone())
            if r.relation == "works_for" and r.object is not None}


def test_a_role_is_the_one_that_names_the_organization(nlp):
    # the role next to the organization, not the first one after the person
    assert roles(nlp, "Ahmed Naseer is an economist and the CEO of Acme Holdings.")[("Ahmed Naseer", "Acme Holdings")] \
        == "CEO"
    # the whole run of coordinated roles
    assert roles(nlp, "Dennis Gay is the president and chief executive officer of Basic Research.")[
        ("Dennis Gay", "Basic Research")] == "president and chief executive officer"


def test_a_role_in_apposition_to_a_person_named_after_the_organization(nlp):
    found = roles(nlp, "Acme Corp. is led by Dennis Gay, president and chief executive officer.")
    assert found[("Dennis Gay", "Acme Corp.")] == "president and chief executive officer"
    found = roles(nlp, "In August, the CEO of Acme Corp., Andrew Messick, announced a deal.")
    assert found[("Andrew Messick", "Acme Corp.")] == "CEO"


def test_a_possessive_stays_with_the_name_model(nlp):
    # "his NATO counterparts" is no job at NATO: possessives read like the names they stand for, as trained.
    text = ("Secretary of Defense Lloyd Austin spoke about the mission with his NATO counterparts during a meeting "
            "with defense ministers on February 18th.")
    ctx = context(nlp, text).with_pronouns()
    pairs = {(ctx.mentions[s].span.text, ctx.mentions[o].span.text)
             for s, o, _label, _p in classify_pairs(ctx, {}, _works_for_everyone(), _nobody())}
    assert ("his", "NATO") in pairs  # the name model, which relates everyone here, decided it


def _nobody() -> RelationModel:
    return RelationModel(labels=LABELS, index={}, weights=np.zeros((0, len(LABELS)), dtype=np.float32),
                         bias=np.log([0.9 if label == "none" else 0.02 for label in LABELS]).astype(np.float32),
                         threshold=0.4)


def test_what_an_organization_does_at_a_place_is_not_where_it_is_based(nlp):
    """"NATO will deploy advisers to Baghdad" is an action at Baghdad (the classifier said NATO is based there,
    0.85, in the sample graph); where a pattern says "based in" too, both stand."""
    result = extract_article(make_article("a", "NATO will deploy advisers to Baghdad, Iraq, and to security "
                                               "institutions outside the capital for the first time."), nlp)
    facts = {(r.relation, r.subject.text, r.object.text) for r in result.relations if r.object is not None}
    assert ("action", "NATO", "Baghdad") in facts and ("based_in", "NATO", "Baghdad") not in facts
    both = extract_article(make_article("b", "Siemens, based in Munich, said it would cut 3,000 jobs in Munich."), nlp)
    facts = {(r.relation, r.subject.text, r.object.text) for r in both.relations if r.object is not None}
    assert {("action", "Siemens", "Munich"), ("based_in", "Siemens", "Munich")} <= facts


def test_a_title_keeps_the_words_inside_it_and_a_qualifier_alone_is_no_role(nlp):
    """"its chief financial officer" was role "chief"; "lead its defense, space and security business" role "defense"."""
    assert roles(nlp, "Maria Ferraro is the chief financial officer of Siemens Energy.")[
        ("Maria Ferraro", "Siemens Energy")] == "chief financial officer"
    text = ("Boeing Co said on Thursday that Steve Parker would lead its defense, space and security business. "
            "Parker had been the unit's chief operating officer.")
    result = extract_article(make_article("a", text), nlp)
    found = {r.role for r in result.relations if r.relation == "works_for" and r.object is not None}
    assert "defense" not in found and "chief" not in found
    # a title's field before it: "its production chief" was role "chief"
    result = extract_article(make_article("d", "BMW AG said on Wednesday its production chief Milan Nedeljkovic would "
                                               "succeed Oliver Zipse as chief executive."), nlp)
    assert "production chief" in {r.role for r in result.relations if r.relation == "works_for"
                                  and r.subject.text == "Milan Nedeljkovic"}
    # a prince's title is who he is, the minister's post what he holds
    result = extract_article(make_article("b", "Saudi Sports Minister Prince Abdulaziz bin Turki al-Faisal thanked "
                                               "the federation."), nlp)
    assert {r.role for r in result.relations if r.relation == "works_for"} == {"Saudi Sports Minister"}
    # the post, not whose post it is
    result = extract_article(make_article("c", "New York City Mayor Eric Adams on Friday named Jessica Tisch as the "
                                               "city's police commissioner."), nlp)
    assert {r.role for r in result.relations if r.relation == "works_for" and r.subject.text == "Jessica Tisch"} \
        == {"police commissioner"}


def test_an_appointment_names_the_role_and_the_organization_that_appoints(nlp):
    """"Siemens Energy on Monday appointed Maria Ferraro as chief financial officer": the classifier, which saw six
    such sentences in its training data, found nothing (0.41 with "its")."""
    for text in ("Siemens Energy on Monday appointed Maria Ferraro as chief financial officer, the company said.",
                 "Siemens Energy appointed Maria Ferraro as its chief financial officer."):
        result = extract_article(make_article("a", text), nlp)
        found = {(result.entities[r.subject_entity].name, result.entities[r.object_entity].name, r.role)
                 for r in result.relations if r.relation == "works_for" and r.object is not None}
        assert found == {("Maria Ferraro", "Siemens Energy", "chief financial officer")}
    # a hire is a job at the company that hires, beside the post the person held before
    result = extract_article(make_article("c", "OpenAI has hired Fidji Simo, the chief executive of Instacart, to run "
                                               "its applications business, the company said."), nlp)
    found = {(result.entities[r.subject_entity].name, result.entities[r.object_entity].name)
             for r in result.relations if r.relation == "works_for" and r.object is not None}
    assert {("Fidji Simo", "OpenAI"), ("Fidji Simo", "Instacart")} <= found
    # the organization the role names, not the one that announces it
    article = make_article("b", "Knight-Ridder said it has named Larry Jinks publisher of the San Jose Mercury News.")
    _ctx, found = pattern_relations(article, nlp(article.clean), nlp)
    appointed = [(r.subject.text, r.object.text, r.role) for r in found if r.extractor == "role:appointed"]
    assert appointed == [("Larry Jinks", "San Jose Mercury News", "publisher")]


def test_a_place_at_the_end_of_an_organization_name_is_no_home(nlp):
    """"Toyota North America chief executive Tetsuo Ogawa": the recognizer cuts North America out of the
    company's name, and the classifier had him living there."""
    result = extract_article(make_article("a", "Toyota North America chief executive Tetsuo Ogawa said the plant "
                                               "would open next year."), nlp)
    assert not [r for r in result.relations if r.relation == "lives_in"]
    assert [(r.subject.text, r.object.text) for r in result.relations if r.relation == "works_for" and r.object] \
        == [("Tetsuo Ogawa", "Toyota")]


def test_the_places_an_action_names_are_not_bases(nlp):
    """"open an office in Munich, its third in Germany" left OpenAI based in Germany (0.80), "an office in Nairobi,
    Kenya" Microsoft based in Kenya: a place written right after the place of an action is where the action is."""
    for text, place in (("OpenAI said on Wednesday it would open an office in Munich, its third in Germany.", "Germany"),
                        ("Microsoft Corp said on Monday it would open an engineering office in Nairobi, Kenya.", "Kenya")):
        result = extract_article(make_article("a", text), nlp)
        assert [r for r in result.relations if r.relation == "action"]
        assert not [r for r in result.relations if r.relation == "based_in" and r.object.text == place]
    # where a company is headquartered is no action of it
    result = extract_article(make_article("b", "Headquartered in Taizhou City of Zhejiang Province, Jonway Group has "
                                               "been investing nationwide."), nlp)
    assert not [r for r in result.relations if r.relation == "action"]


def test_a_unit_s_base_is_not_its_parent_s(nlp):
    """"The company's North American unit, based in Plano, Texas" had Toyota based in Plano (0.97) and Texas."""
    text = ("Toyota Motor Corp will invest $10 billion in its U.S. factories, the Japanese automaker said on Wednesday. "
            "The company's North American unit, based in Plano, Texas, will add 2,000 jobs.")
    result = extract_article(make_article("a", text), nlp)
    assert not [r for r in result.relations if r.relation == "based_in" and r.object.text in ("Plano", "Texas")]
    kept = extract_article(make_article("b", "Siemens, based in Munich, said its unit would add 2,000 jobs."), nlp)
    assert [r.object.text for r in kept.relations if r.relation == "based_in"] == ["Munich"]


def test_a_place_that_backs_an_organization_is_not_its_base(nlp):
    """"The Iran-backed group said ..." had Hezbollah based in Iran (0.97)."""
    text = ("Hezbollah fired dozens of rockets at northern Israel on Sunday, the Israeli military said. The Iran-backed "
            "group said the attack targeted a military base near Safed.")
    result = extract_article(make_article("a", text), nlp)
    assert not [r for r in result.relations if r.relation == "based_in" and r.object.text == "Iran"]


def test_an_action_at_a_company_s_site_is_at_the_site_s_place(nlp):
    """"Pfizer would cut 500 jobs at its research site in Groton, Connecticut" was no action, and left Pfizer based
    in Groton (0.81); "The European planemaker, headquartered in Leiden" is Airbus."""
    result = extract_article(make_article("a", "Pfizer Inc said it would cut 500 jobs at its research site in Groton, "
                                               "Connecticut, as part of a cost-cutting plan."), nlp)
    assert [(r.predicate, r.object.text) for r in result.relations if r.relation == "action"] == [
        ("cut job in", "Groton, Connecticut")]
    assert not [r for r in result.relations if r.relation == "based_in"]
    text = ("Airbus SE said on Thursday it would hire 1,000 workers. The European planemaker, headquartered in Leiden, "
            "Netherlands, builds most of its jets in Toulouse.")
    airbus = extract_article(make_article("b", text), nlp)
    assert ("Airbus SE", "Leiden") in {(airbus.entities[r.subject_entity].name, r.object.text)
                                       for r in airbus.relations if r.relation == "based_in"}


def test_someone_who_lives_in_a_place_lives_there_in_the_graph(nlp):
    """CoNLL04 train marks 1 of the 5 "lives in" it says, so the classifier gave "Jane Doe lives in Paris." 0.48,
    under the graph's bar: the pattern's relation stands (SURE_PATTERNS), at the pattern's confidence."""
    from kgraph.graph import build_graph, reaches_graph

    for text, person, place in (("Jane Doe lives in Paris.", "Jane Doe", "Paris"),
                                ("Copland, who was born in Brooklyn, lives in upstate New York.", "Copland", "New York"),
                                # the clause on the noun in apposition: the classifier gave it 0.68
                                ("Zhao, a Canadian citizen who lives in Dubai, pleaded guilty.", "Zhao", "Dubai")):
        result = extract_article(make_article("a", text), nlp)
        lives = [r for r in result.relations
                 if r.relation == "lives_in" and (r.subject.text, r.object.text) == (person, place)]
        assert [r.extractor for r in lives] == ["static:lives-in"] and reaches_graph(lives[0]), text
    graph = build_graph([extract_article(make_article("a", "Jane Doe lives in Paris."), nlp)])
    assert [(graph.nodes[u]["name"], graph.nodes[v]["name"]) for u, v, d in graph.edges(data=True)
            if d["relation"] == "lives_in"] == [("Jane Doe", "Paris")]


def test_where_someone_says_something_is_not_where_they_live(nlp):
    """"Lloyd Austin said in Bahrain": the classifier had him living there (0.84)."""
    text = "The United States will send more warships to the Red Sea, Defense Secretary Lloyd Austin said in Bahrain."
    result = extract_article(make_article("a", text), nlp)
    assert not [r for r in result.relations if r.relation == "lives_in" and r.object.text == "Bahrain"]
    assert [(r.subject.text, r.object.text) for r in result.relations if r.relation == "action"] == [
        ("United States", "Red Sea")]


def test_a_role_another_organization_owns_is_not_the_pairs(nlp):
    """"Gary Steele, Splunk's chief executive, will join Cisco's executive leadership team": Splunk's chief
    executive, not Cisco's (the pair of Steele and Cisco had taken the run between them)."""
    text = ("SAN JOSE, California - Cisco Systems Inc said on Thursday it would buy Splunk Inc for $28 billion in cash.\n\n"
            "Cisco chief executive Chuck Robbins said the deal would make the San Jose-based company one of the largest "
            "software firms in the world. Splunk, which is based in San Francisco, sells software that analyses "
            "security data.\n\nGary Steele, Splunk's chief executive, will join Cisco's executive leadership team.")
    result = extract_article(make_article("a", text), nlp)
    roles = {(result.entities[r.subject_entity].name, result.entities[r.object_entity].name): r.role
             for r in result.relations if r.relation == "works_for" and r.object is not None}
    assert roles[("Gary Steele", "Splunk")] == "chief executive"
    assert roles[("Chuck Robbins", "Cisco")] == "chief executive"
    assert roles.get(("Gary Steele", "Cisco")) != "chief executive"


def test_an_organization_cited_as_the_source_is_no_one_s_employer(nlp):
    """"..., according to the Pentagon": the Pentagon says so; the Iraqi minister named before does not work for it
    (the classifier gave that pair 0.75 in the sample articles). Someone named inside the phrase still does."""
    text = "Austin spoke by phone with Iraqi Defense Minister Juma Inad Saadoun on March 4, according to the Pentagon."
    result = extract_article(make_article("a", text), nlp)
    assert not [r for r in result.relations if r.relation == "works_for" and r.object.text == "Pentagon"]
    text = "Troops will leave Iraq by June, according to Pentagon spokesman John Kirby."
    result = extract_article(make_article("b", text), nlp)
    assert [(r.subject.text, r.object.text) for r in result.relations if r.relation == "works_for"] == [
        ("John Kirby", "Pentagon")]


def test_an_organization_in_another_person_s_apposition_is_that_person_s(nlp):
    """"Boeing named Kelly Ortberg, a former head of Rockwell Collins, as its chief executive, replacing Dave
    Calhoun": Rockwell Collins is what the apposition says of Ortberg; the classifier gave Calhoun to it (0.93)."""
    text = ("Boeing Co on Thursday named Kelly Ortberg, a former head of Rockwell Collins, as its chief executive, "
            "replacing Dave Calhoun, who is stepping down after a turbulent five years.")
    result = extract_article(make_article("a", text), nlp)
    jobs = {(r.subject.text, r.object.text) for r in result.relations if r.relation == "works_for"}
    assert {("Kelly Ortberg", "Rockwell Collins"), ("Kelly Ortberg", "Boeing Co")} <= jobs
    assert not {job for job in jobs if job[1] == "Rockwell Collins" and job[0] != "Kelly Ortberg"}
    # nor is "a former head" of Rockwell Collins anyone's role at Boeing
    roles = {(r.subject.text, r.object.text): r.role for r in result.relations if r.relation == "works_for"}
    assert roles[("Kelly Ortberg", "Rockwell Collins")] == "former head"
    assert "former head" not in {role for (_, org), role in roles.items() if org == "Boeing Co"}


def test_where_someone_visits_or_meets_is_not_where_they_live(nlp):
    """The classifier learnt Live_In from CoNLL04, which has one such sentence: it had Tim Cook living in Shenzhen
    (0.83), Putin and Xi in Beijing and Salah, who scored there, in London. Where someone lives, said so, stays."""
    for text in ("Tim Cook, Apple's CEO, visited a factory in Shenzhen.",
                 "Russian President Vladimir Putin met Chinese leader Xi Jinping in Beijing.",
                 "Real Madrid manager Carlo Ancelotti praised his side. Liverpool striker Mohamed Salah scored in "
                 "London."):
        result = extract_article(make_article("a", text), nlp)
        assert not [r for r in result.relations if r.relation == "lives_in"], text
    result = extract_article(make_article("b", "Novak Djokovic, who lives in Monte Carlo, met fans in Paris."), nlp)
    assert [(r.subject.text, r.object.text) for r in result.relations if r.relation == "lives_in"] == [
        ("Novak Djokovic", "Monte Carlo")]


def test_an_organization_led_headed_or_chaired_by_someone_employs_them_in_that_role(nlp):
    """"The Christian Democratic Appeal, led by Henri Bontenbal,": a pattern the classifier, which saw one such
    sentence in CoNLL04 train, learns from; "the coup was led by" names no organization."""
    cases = (("The Christian Democratic Appeal, led by Henri Bontenbal, won the most seats in the election.",
              ("Henri Bontenbal", "Christian Democratic Appeal", "leader")),
             ("There is a study conducted by the Mediterranean Foundation headed by Juan Novara.",
              ("Juan Novara", "Mediterranean Foundation", "head")))
    for text, expected in cases:
        result = extract_article(make_article("a", text), nlp)
        assert [(r.subject.text, r.object.text, r.role) for r in result.relations if r.relation == "works_for"] == [
            expected], text
        assert any(r.extractor == "role:led-by" for r in pattern_relations(make_article("a", text),
                                                                             nlp(text), nlp)[1]), text
    result = extract_article(make_article("b", "The coup was led by Gen. Samuel K. Doe."), nlp)
    assert not [r for r in result.relations if r.relation == "works_for" and r.object is not None]
