"""Pure resolution, linking and recasing functions: no model needed."""

from __future__ import annotations

import re

import pytest

from redact.io.paths import deidentify_path
from redact.recase import recase, recase_line
from redact.resolve import (
    AddressParts,
    WordSense,
    cut_around_web_forms,
    cut_glued_words,
    cut_quantities,
    drop_eponyms,
    drop_methods,
    drop_offices,
    drop_placeholders,
    drop_repeated_word_names,
    expand_to_tokens,
    extend_names,
    is_credential_glued,
    join_address_parts,
    merge,
    propagate,
    split_at_breaks,
    split_people,
    take_age_alternatives,
    take_compass_points,
    take_name_affixes,
    trim_closing_punctuation,
    trim_lower_case_edges,
    trim_person_edges,
)
from redact.spans import Span


def test_expand_to_tokens_grows_fragments_to_whole_words():
    text = "call Mari at 555"
    assert expand_to_tokens(text, [Span(5, 7, "PERSON")]) == [Span(5, 9, "PERSON")]


@pytest.mark.parametrize("text, part, label, whole", [
    ("Harold Finch-Baptiste called", "Baptiste", "PERSON", "Finch-Baptiste"),  # either half of a
    ("Harold Finch-Baptiste called", "Finch", "PERSON", "Finch-Baptiste"),     # hyphenated name
    ("a three-year-old boy", "three", "AGE", "three"),                        # an age keeps its unit out
    ("born 2023-05-01 here", "05", "DATE", "05"),                             # digits are not joined
])
def test_expand_to_tokens_joins_hyphenated_words_both_ways(text, part, label, whole):
    start = text.index(part)
    grown = expand_to_tokens(text, [Span(start, start + len(part), label)])[0]
    assert text[grown.start:grown.end] == whole


@pytest.mark.parametrize("spans, expected", [
    # same label, separated by one space: one identifier
    ([Span(0, 5, "PERSON"), Span(6, 11, "PERSON")], [(0, 11, "PERSON")]),
    # overlap: the stronger label wins and the span is the union
    ([Span(0, 8, "ID", 0.4), Span(4, 11, "PHONE", 0.9)], [(0, 11, "PHONE")]),
    # different labels side by side stay apart
    ([Span(0, 5, "PERSON"), Span(6, 11, "LOCATION")], [(0, 5, "PERSON"), (6, 11, "LOCATION")]),
])
def test_merge(spans, expected):
    text = "Maria Lopez called"
    assert [(s.start, s.end, s.label) for s in merge(spans, text)] == expected


def test_propagate_finds_later_mentions_and_parts():
    text = "Maria Lopez came. Later maria said Lopez would call. I hope so."
    spans = propagate(text, [Span(0, 11, "PERSON")], is_name_part=lambda w: True,
                      is_everyday_word=lambda w: w.lower() == "hope")
    found = {text[s.start:s.end] for s in spans}
    assert {"Maria Lopez", "maria", "Lopez"} <= found
    assert "hope" not in found


def test_propagate_finds_an_organisation_named_again_by_its_rare_first_word():
    text = "Went to Bridgeway House and Peer Services. Bridgeway's weekend; Peer support; bridgeway."
    orgs = [Span(8, 23, "ORGANIZATION"), Span(28, 41, "ORGANIZATION")]
    spans = propagate(text, orgs, is_name_part=lambda w: True, is_everyday_word=lambda w: False,
                      is_common_word=lambda w: w in {"peer", "house", "services"})
    found = {(s.start, text[s.start:s.end]) for s in spans}
    assert (text.index("Bridgeway's"), "Bridgeway") in found  # in its name's case only
    assert not {v for _, v in found} & {"bridgeway", "Peer", "House"}


def test_propagate_leaves_a_contraction_alone():
    text = "Don called. I don't know; Don's car; DON'T"
    spans = propagate(text, [Span(0, 3, "PERSON")], is_name_part=lambda w: True, is_everyday_word=lambda w: False)
    assert {text[s.start:s.end + 2] for s in spans} == {"Don c", "Don's"}


def test_extend_names_takes_a_rare_neighbour_only():
    text = "Asked Anjali Raman to call"
    spans = [Span(13, 18, "PERSON")]
    grown = extend_names(text, spans, can_extend=lambda w: w == "Anjali")
    assert [(s.start, s.end) for s in grown] == [(6, 18)]
    assert extend_names(text, spans, can_extend=lambda w: False) == spans


@pytest.mark.parametrize("text, found, grown", [
    ("Nia Hardwick AM: Do universities seek advice?", "Nia", "Nia Hardwick"),
    ("[00:01:02] Nia Hardwick: hi", "Nia", "Nia Hardwick"),
    ("CHIEF COMPLAINT: Cough.", "CHIEF", "CHIEF"),              # a heading: no given name first
    ("Nia Hardwick is here: yes", "Nia", "Nia"),                # lower case first: no label
    ("so Nia Hardwick AM: hi", "Nia", "Nia"),                   # not at its line's start
])
def test_a_given_name_opening_a_speakers_label_takes_the_label(text, found, grown):
    start = text.index(found)
    spans = extend_names(text, [Span(start, start + len(found), "PERSON")], can_extend=lambda w: False,
                         is_given_name=lambda w: w.lower() == "nia")
    assert [text[s.start:s.end] for s in spans] == [grown]


@pytest.mark.parametrize("text, place, grown", [
    ("colleges in south-east Leeds merged", "Leeds", "south-east Leeds"),
    ("She moved to North Dakota.", "Dakota", "North Dakota"),
    ("a fresh start in Leeds", "Leeds", "Leeds"),                    # no compass point: unchanged
    ("heading south, Leeds first", "Leeds", "Leeds"),                # not beside the place
])
def test_a_compass_point_before_a_place_is_part_of_it(text, place, grown):
    start = text.index(place)
    spans = take_compass_points(text, [Span(start, start + len(place), "LOCATION")], COMPASS)
    assert [text[s.start:s.end] for s in spans] == [grown]
    assert take_compass_points(text, [Span(start, start + len(place), "PERSON")], COMPASS)[0].start == start


AFFIXES = WordSense(is_name_type_word={"station", "central", "inc", "rd", "drive"}.__contains__,
                    is_name_lead_word={"lake", "mount"}.__contains__)


@pytest.mark.parametrize("text, name, label, grown", [
    ("meet at ashgrove central later", "ashgrove", "ORGANIZATION", "ashgrove central"),
    ("the opinions of Harbor Panel, Inc. as stated", "Harbor Panel", "ORGANIZATION", "Harbor Panel, Inc."),
    ("a boat ride on lake Winmere today", "Winmere", "PERSON", "lake Winmere"),
    ("take the train to Ashgrove Station then walk", "Ashgrove", "PERSON", "Ashgrove Station"),
    ("the first song by The Lanterns was", "Lanterns", "ORGANIZATION", "The Lanterns"),
    # A person before an everyday word is not a place; "The" opening a sentence leads nothing.
    ("ask Dee drive home", "Dee", "PERSON", "Dee"),
    ("We came home. The Lanterns played", "Lanterns", "ORGANIZATION", "Lanterns"),
    ("seen by The Lanterns", "Lanterns", "PERSON", "Lanterns"),
    ("the Ashgrove rd crossing", "Ashgrove", "DATE", "Ashgrove"),
])
def test_a_word_that_says_what_a_place_is_goes_with_it(text, name, label, grown):
    start = text.index(name)
    spans = take_name_affixes(text, [Span(start, start + len(name), label)], AFFIXES)
    assert [text[s.start:s.end] for s in spans] == [grown]


@pytest.mark.parametrize("text, region", [
    ("colleges across north Wales and beyond", "north Wales"),
    ("THE SOUTH-EAST WALES FORUM", "SOUTH-EAST WALES"),
    ("the regions of south Wales", "south Wales"),
    ("we went north to Wales", None),                                # not one name
    ("the north Leeds office", None),                                # a town is found by detection
])
def test_a_compass_point_before_a_country_names_a_region(text, region):
    found = [text[s.start:s.end] for s in take_compass_points(text, [], COMPASS)]
    assert found == ([region] if region else [])


@pytest.mark.parametrize("text, age, ages", [
    ("when he was about 18 or 19 with voices", "18", ["18", "19"]),
    ("when a child is 14, 15, 16, 17, so what", "14", ["14", "15", "16", "17"]),
    ("we were twenty and twenty-five.", "twenty", ["twenty", "twenty-five"]),
    ("She is 45, 3 kids and a dog.", "45", ["45"]),                  # a count of something else
    ("He's 19 or 20 minutes late.", "19", ["19"]),
    ("I'm 34 and 5 months along.", "34", ["34"]),
    ("was 40 or so.", "40", ["40"]),
    ("was 40 or 400.", "40", ["40"]),                                # not a person's age
])
def test_numbers_coordinated_with_an_age_are_ages(text, age, ages):
    start = text.index(age)
    words = WordSense(is_age_number=lambda w: w.isdigit() and int(w) <= 120 or w in ("twenty", "twenty-five"))
    spans = take_age_alternatives(text, [Span(start, start + len(age), "AGE")], words.is_age_number)
    assert [text[s.start:s.end] for s in spans] == ages
    assert take_age_alternatives(text, [Span(start, start + len(age), "DATE")], words.is_age_number) == [
        Span(start, start + len(age), "DATE")]


EPONYMS = WordSense(is_eponym_head={"catheter", "valve", "disease", "brace"}.__contains__,
                    is_eponym_condition={"disease"}.__contains__,
                    is_clinical_term={"osteotomy", "osteopathy", "colonoscopy"}.__contains__,
                    is_form_of_address={"dr"}.__contains__,
                    names_a_condition={"okafor"}.__contains__, is_exam_finding={"positive", "negative"}.__contains__,
                    is_given_name={"Will", "Maria"}.__contains__)


@pytest.mark.parametrize("text, name, label, kept", [
    ("Foley catheter placed.", "Foley", "PERSON", False),
    ("A Passy-Muir valve was fitted.", "Passy-Muir", "PERSON", False),
    ("Known Parkinson's disease.", "Parkinson", "PERSON", False),
    ("A modified Okafor osteotomy was done.", "Okafor", "PERSON", False),     # a procedure's clinical term
    ("She works at Okafor Osteopathy now.", "Okafor", "ORGANIZATION", True),  # a firm may be named so
    ("SEEN BY DR. OKAFOR COLONOSCOPY TOMORROW", "OKAFOR", "PERSON", True),    # a person addressed or
    ("SEEN BY OKAFOR COLONOSCOPY TOMORROW", "OKAFOR", "PERSON", True),        # seen by is one
    ("Flushed Maria's catheter twice.", "Maria", "PERSON", True),             # a person's catheter is theirs
    ("Maria came in; catheter care done.", "Maria", "PERSON", True),
    ("Tested for Lyme disease in the spring.", "Lyme", "LOCATION", False),      # a place names a disease
    ("A Denver catheter was placed.", "Denver", "LOCATION", False),
    ("Moved to Denver; catheter care done.", "Denver", "LOCATION", True),
    ("A Okafor tunnel catheter was placed.", "Okafor", "PERSON", False),       # one noun between
    ("A OKAFOR TUNNEL CATHETER WAS PLACED.", "OKAFOR", "PERSON", False),
    ("Dr. Okafor tunnel catheter placed.", "Okafor", "PERSON", True),          # addressed
    ("Gave Okafor Tylenol catheter care.", "Okafor", "PERSON", True),          # a capitalised word between
    ("the catheter", "catheter", "ORGANIZATION", False),                       # the thing's word alone
    ("She has a positive Okafor's sign.", "Okafor", "PERSON", False),          # after an exam's finding
    ("Negative Okafor bilaterally.", "Negative Okafor", "PERSON", False),
    ("The feedback is positive. Okafor agreed.", "Okafor", "PERSON", True),   # not across a sentence
    # a name that names a condition on its own, in the possessive
    ("My brother has Okafor's, and he copes.", "Okafor", "PERSON", False),
    ("Her Okafor’s tremor got worse.", "Okafor", "PERSON", False),
    ("Dr. Okafor's office called.", "Okafor", "PERSON", True),                # a person addressed so
    ("She volunteers at Okafor's Foundation.", "Okafor", "ORGANIZATION", True),  # a name of its own
    ("She met Okafor at noon.", "Okafor", "PERSON", True),                   # no possessive
    ("KNOWN OKAFOR'S DISEASE, HTN.", "OKAFOR", "PERSON", False),            # in capitals
    ("HX OF OKAFOR'S, HTN.", "OKAFOR", "PERSON", False),
    # a word the document writes before a device names the device alone too
    ("The Okafor was flushed, then the Okafor catheter was changed.", "Okafor", "PERSON", False),
    ("Tolerated the Okafor for an hour. OKAFOR VALVE ON.", "Okafor", "ORGANIZATION", False),
    ("Dr. Okafor agreed; the Okafor catheter was changed.", "Okafor", "PERSON", True),   # addressed
    ("Back from Denver; the Denver catheter is in.", "Denver", "LOCATION", True),      # a place stays one
    ("Call Will today. Will brace the door first.", "Will", "PERSON", True),          # a given name stays one
])
def test_a_name_before_a_device_or_condition_is_an_eponym(text, name, label, kept):
    start = text.index(name)
    spans = drop_eponyms(text, [Span(start, start + len(name), label)], EPONYMS)
    assert bool(spans) == kept
    assert drop_eponyms(text, [Span(start, start + len(name), label)], EPONYMS, is_rule=lambda s: True)


MEASURES = WordSense(is_measure={"g", "gm", "kg", "mcg", "min", "ml"}.__contains__)


@pytest.mark.parametrize("text, found, left", [
    ("VANCO 1 GM Q12 AND SPIRIVA", "VANCO 1 GM Q12", ["VANCO", "Q12"]),
    ("PROPOFOL 20 MCG/KG/MIN", "MCG/KG/MIN", []),         # its number stands before the span
    ("EBL 1500 ML.", "ML", []),
    ("Mary Ellen 2 Smith", "Mary Ellen 2 Smith", ["Mary Ellen 2 Smith"]),   # a number alone is no dose
    ("4/8/2026\tG. Okafor\tGroup", "G. Okafor", ["G. Okafor"]),      # a date's cell, then an initial
    ("2 G. Okafor joined", "G. Okafor", ["G. Okafor"]),
    ("ASPIRIN 81 GM AND PLAVIX", "ASPIRIN 81 GM AND PLAVIX", ["ASPIRIN", "AND PLAVIX"]),
])
def test_a_dose_or_a_reading_is_part_of_no_name(text, found, left):
    start = text.index(found)
    spans = cut_quantities(text, [Span(start, start + len(found), "PERSON")], MEASURES)
    assert [text[s.start:s.end] for s in spans] == left
    assert cut_quantities(text, [Span(start, start + len(found), "AGE")], MEASURES) == [
        Span(start, start + len(found), "AGE")]


def test_recase_keeps_offsets_and_only_caseless_lines():
    text = "Group note, 3/14\nI GOT A CALL FROM REZIN ABOUT MY CASE.\n"
    view = recase(text, is_caseless=lambda line: line.isupper(), is_proper=lambda w: w == "rezin")
    assert len(view) == len(text)
    assert "I got a call from Rezin about my case." in view
    assert view.startswith("Group note, 3/14\n")  # a line with case is read as written
    assert recase("Nothing to do here.", lambda line: False, lambda w: False) is None
    assert recase_line("marcus has the car", lambda w: w == "marcus") == "Marcus has the car"
    # A dot after one letter is shorthand, not a sentence end; a dot and a space is.
    assert recase_line("TYLENOL P.R.N, THEN E.G. REST", lambda w: False) == "Tylenol p.r.n, then e.g. Rest"
    # A short title's own full stop ends no sentence: the title and the name after it are capitalised.
    is_title = {"dr", "mrs"}.__contains__
    assert recase_line("BY DR. LONG AND MRS. WHITE", lambda w: False, is_title) == "By Dr. Long and Mrs. White"
    assert recase_line("seen by dr long", lambda w: False, is_title) == "Seen by dr long"  # no stop: no sign


@pytest.mark.parametrize("rel, expected", [
    ("notes/jsmith_intake.txt", "notes/0007_x_intake.txt"),
    ("clients/Maria Lopez/2026-03-14 group.md", "clients/x x/0007_x-x-x group.md"),
])
def test_output_paths_drop_names_and_numbers(rel, expected):
    from pathlib import PurePosixPath

    is_name = {"jsmith", "maria", "lopez"}.__contains__
    assert deidentify_path(PurePosixPath(rel), 7, is_name).as_posix() == expected


def test_spans_keep_lines_columns_and_sentence_punctuation():
    text = ("Name: Ana\nDOB: 3/4/1990. Site www.example.org. Lives on 12 Oak St. now\tJo Ann\tx, "
            "Li W. and Sunday, May 3,")

    def span(value: str, extra: int) -> Span:
        start = text.index(value)
        return Span(start, start + len(value) + extra, "X", 1.0, "test")

    def split(value: str, extra: int) -> list[str]:
        return [text[s.start:s.end] for s in split_at_breaks(text, [span(value, extra)])]

    def trimmed(value: str, extra: int) -> list[str]:
        return [text[s.start:s.end] for s in trim_closing_punctuation(text, [span(value, extra)])]

    assert split("Ana", 5) == ["Ana", "DOB:"]  # split at the line break, each piece judged alone
    assert split("Jo Ann", 2) == ["Jo Ann", "x"]
    assert split_at_breaks(text, [span("\t", 0)]) == []  # nothing left to redact
    assert trimmed("3/4/1990", 1) == ["3/4/1990"]
    assert trimmed("www.example.org", 1) == ["www.example.org"]
    assert trimmed("12 Oak St", 1) == ["12 Oak St."]  # an abbreviation keeps its full stop
    assert trimmed("Li W", 1) == ["Li W."]  # and so does an initial
    assert trimmed("Sunday, May 3", 1) == ["Sunday, May 3"]  # inner punctuation stays


def test_two_people_joined_by_a_conjunction_are_two_spans():
    text = "Gloria and Frank talked; Ana & Li left; Oak and Elm Clinic"
    people = split_people(text, [Span(0, 16, "PERSON", 0.9, "ner"), Span(25, 33, "PERSON", 0.9, "ner"),
                                 Span(40, 58, "ORGANIZATION", 0.9, "ner")])
    assert [text[s.start:s.end] for s in people] == ["Gloria", "Frank", "Ana", "Li", "Oak and Elm Clinic"]


def test_two_places_or_two_organisations_joined_by_and_the_are_two_spans():
    text = "Paris and Milan; Harbor Trust and the Elm Street Clinic; Oak and Elm Clinic"
    found = [text[m.start():m.end()] for m in re.finditer(r"[^;]+", text)]
    spans = [Span(text.index(v), text.index(v) + len(v), label)
             for v, label in zip([f.strip() for f in found], ["LOCATION", "ORGANIZATION", "ORGANIZATION"])]
    pieces = [text[s.start:s.end] for s in split_people(text, spans)]
    assert pieces == ["Paris", "Milan", "Harbor Trust", "Elm Street Clinic", "Oak and Elm Clinic"]


def test_titles_greetings_and_credentials_stay_outside_a_name():
    non_names = {"hi", "dr", "madam", "chair", "am", "lcsw", "thanks", "will"}.__contains__
    text = "Hi Rosa; Dr Amal Haddad AM; Madam Chair; Lena Ortiz LCSW; Dana Am; Mary Will; R-O-S-A. Thanks"
    spans = [Span(m, m + len(v), "PERSON", 0.9, "ner") for v in text.split("; ") for m in [text.index(v)]]
    kept = trim_person_edges(text, spans, lambda w: non_names(w.lower()))
    # A form of address alone goes; a credential goes only in capitals ("Am" may be a name), a
    # greeting after a full stop whatever its case (the next sentence's).
    assert [text[s.start:s.end] for s in kept] == ["Rosa", "Amal Haddad", "Lena Ortiz", "Dana Am", "Mary Will",
                                                   "R-O-S-A."]


def test_a_place_or_organisation_made_only_of_forms_of_address_goes():
    text = "Officer Ayala; Dr Clinic; Dr"
    spans = [Span(0, 7, "ORGANIZATION"), Span(15, 24, "ORGANIZATION"), Span(26, 28, "LOCATION")]
    kept = trim_person_edges(text, spans, lambda w: w.lower() in {"officer", "dr"})
    # Only the whole span is judged: an organisation keeps a title inside its name.
    assert [text[s.start:s.end] for s in kept] == ["Dr Clinic"]


LOWER_EDGES = WordSense(is_common_word={"budget", "government", "lucky", "light", "clinic", "will", "de"}.__contains__,
                        is_known_name={"will", "su"}.__contains__, is_facility_word={"clinic"}.__contains__,
                        is_name_particle={"de"}.__contains__, is_foreign_word={"compartió", "su", "hijo"}.__contains__)


@pytest.mark.parametrize("text, found, label, kept", [
    ("the RCMP budget rose", "RCMP budget", "ORGANIZATION", "RCMP"),
    ("the Quebec government", "Quebec government", "LOCATION", "Quebec"),
    ("so lucky Brantley won", "lucky Brantley", "PERSON", "Brantley"),
    ("the Rosewood clinic", "Rosewood clinic", "ORGANIZATION", "Rosewood clinic"),  # says what it is
    ("ask Mary will", "Mary will", "PERSON", "Mary will"),                          # a name list knows it
    ("met de Wit", "de Wit", "PERSON", "de Wit"),                                   # a particle
    ("at harbor light", "harbor light", "ORGANIZATION", "harbor light"),            # no capital: a chat
    ("María compartió que", "María compartió", "PERSON", "María"),                  # a bilingual note
    ("vino con su hijo Mateo", "su hijo Mateo", "PERSON", "Mateo"),                # though a list knows "su"
])
def test_everyday_lower_case_words_at_the_edges_of_a_name_go(text, found, label, kept):
    start = text.index(found)
    spans = trim_lower_case_edges(text, [Span(start, start + len(found), label)], LOWER_EDGES)
    assert [text[s.start:s.end] for s in spans] == [kept]


def test_a_listed_name_is_kept_whole_even_when_it_is_a_role_word():
    text = "the group helped"
    listed = Span(4, 9, "PERSON", 1.0, "roster")
    assert trim_person_edges(text, [listed], lambda w: True, lambda s: s.source == "roster") == [listed]


OFFICES = {"minister", "premier", "secretary", "chair", "chancellor"}.__contains__
MODIFIERS = {"deputy", "prime", "interim", "clinical", "certified"}.__contains__


def GIVEN(word: str) -> bool:
    return word.lower() in {"jane", "chuck", "justin", "ruth"}


COMPASS = WordSense(is_compass_point={"north", "south", "east", "west", "south-east"}.__contains__,
                    is_country={"wales", "france"}.__contains__)
OFFICE_WORDS = WordSense(is_office=OFFICES, is_office_modifier=MODIFIERS, is_given_name=GIVEN,
                         is_job={"specialist", "manager"}.__contains__,
                         is_common_word={"case", "peer", "family", "small", "business", "export", "promotion",
                                         "international", "trade", "health", "justice"}.__contains__)


@pytest.mark.parametrize("text, found, kept", [
    # an office is no identifier, and neither are the pieces other candidates found inside it
    ("the Deputy Prime Minister spoke", [("Deputy Prime Minister", "ORGANIZATION"), ("Prime", "PERSON")], []),
    # what stands before the office (a state, a company) stays
    ("the WA Premier spoke", [("WA Premier", "ORGANIZATION")], ["WA"]),
    ("the Interim Acme Chair spoke", [("Interim Acme Chair", "ORGANIZATION"), ("Acme", "ORGANIZATION")],
     ["Acme", "Acme"]),
    # "of" after the office: the portfolio runs on past the span that held the office word
    ("the Minister of Public Safety and Border Services spoke",
     [("Minister of Public Safety", "ORGANIZATION"), ("Public Safety and Border Services", "ORGANIZATION")], []),
    # the office before a name is cut off, with what other candidates found inside it
    ("Deputy Secretary Jane Ortiz spoke", [("Deputy Secretary Jane Ortiz", "PERSON"), ("Deputy", "ORGANIZATION")],
     ["Jane Ortiz"]),
    ("Acme Chair Jane Doe spoke", [("Acme Chair Jane Doe", "ORGANIZATION")], ["Acme", "Jane Doe"]),
    # a given name before the office word makes it a surname
    ("Ruth Chancellor spoke", [("Ruth Chancellor", "PERSON")], ["Ruth Chancellor"]),
    # an organisation whose word after the office is no given name stays whole
    ("the Premier League", [("Premier League", "ORGANIZATION")], ["Premier League"]),
    # other labels are never touched
    ("Secretary 4410", [("Secretary 4410", "ID")], ["Secretary 4410"]),
    # before a job written as a title stands its field, part of it; an employer another
    # candidate found there stays, and a job in lower case is a word like any other
    ("the Peer Specialist and Case Manager Ruth Okafor", [("Peer Specialist", "ORGANIZATION"),
                                                          ("Case Manager Ruth Okafor", "PERSON")], ["Ruth Okafor"]),
    ("the YWCA Specialist Ruth Okafor", [("YWCA Specialist Ruth Okafor", "PERSON"), ("YWCA", "ORGANIZATION")],
     ["YWCA", "Ruth Okafor", "YWCA"]),
    ("the YWCA specialist", [("YWCA specialist", "ORGANIZATION")], ["YWCA specialist"]),
    # the field is everyday words: a name before it stays
    ("Ann OkaforFamily Specialist", [("Ann OkaforFamily Specialist", "PERSON")], ["Ann OkaforFamily"]),
    # jobs in the plural are an office when a modifier leads them, otherwise a firm's name
    ("two Certified Peer Specialists came", [("Certified Peer Specialists", "ORGANIZATION")], []),
    ("at Affiliated Family Specialists", [("Affiliated Family Specialists", "ORGANIZATION")],
     ["Affiliated Family Specialists"]),
    # what is left of an office whose word went elsewhere is no name either
    ("two Certified staff and the Clinical lead", [("Certified", "ORGANIZATION"), ("Clinical", "PERSON")], []),
    # a portfolio found without its office word is part of the office; a place a mayor is of, or a
    # name after the portfolio, is not
    ("Ms. Ng (Minister of Small Business, Export Promotion and International Trade): Thanks",
     [("Small Business", "ORGANIZATION"), ("Export Promotion and International Trade", "ORGANIZATION")], []),
    ("the Minister of Health, Okafor, spoke", [("Okafor", "PERSON")], ["Okafor"]),
    ("the Minister of Health, Jane Ortiz, spoke", [("Jane Ortiz", "PERSON")], ["Jane Ortiz"]),
    ("the Chair of Dunmore Trade spoke", [("Dunmore Trade", "ORGANIZATION")], ["Dunmore Trade"]),
    # a portfolio an office is for
    ("The Minister for Justice has asked for a report", [("Justice", "PERSON")], []),
    ("the Minister for Health, Okafor, spoke", [("Okafor", "PERSON")], ["Okafor"]),
])
def test_an_office_is_neither_a_person_nor_an_organisation(text, found, kept):
    spans = [Span(text.index(v), text.index(v) + len(v), label, 0.9, "ner") for v, label in found]
    out = drop_offices(text, spans, OFFICE_WORDS)
    assert [text[s.start:s.end] for s in out] == kept


METHOD_WORDS = WordSense(is_method={"therapy", "program", "plan"}.__contains__,
                         is_unit={"clinic", "department", "services"}.__contains__,
                         is_vocabulary={"podiatry", "medical", "general", "outpatient", "peer",
                                        "support"}.__contains__,
                         is_ordinary={"acceptance", "and", "commitment", "intensive", "outpatient", "the",
                                      "for", "action", "podiatry", "medical", "general", "hope",
                                      "police", "peer", "support"}.__contains__)


@pytest.mark.parametrize("text, found, kept", [
    # a therapy or a kind of program made of ordinary words goes, with the pieces inside it
    ("we tried Acceptance and Commitment Therapy", [("Acceptance and Commitment Therapy", "PERSON"),
                                                    ("Acceptance", "PERSON")], []),
    ("the Intensive Outpatient Program", [("Intensive Outpatient Program", "ORGANIZATION")], []),
    # a rare word or a name in it keeps it; so does a method that is not the head
    ("at Okafor Therapy", [("Okafor Therapy", "ORGANIZATION")], ["Okafor Therapy"]),
    ("the Centre for Action Plan", [("Centre for Action Plan", "ORGANIZATION")], ["Centre for Action Plan"]),
    # a part of a hospital named by the domain's vocabulary is a kind; an ordinary word that is no
    # clinical term, or a town, makes it one place
    ("seen in the Podiatry Clinic", [("Podiatry Clinic", "ORGANIZATION")], []),
    ("the General Medical Department", [("General Medical Department", "PERSON")], []),
    ("at Hope Clinic", [("Hope Clinic", "ORGANIZATION")], ["Hope Clinic"]),
    # a piece of such a title found alone goes with it; a name's piece beside one does not
    ("INTAKE - Peer Support Services\n", [("Support", "ORGANIZATION")], []),
    ("Okafor Peer Support Services", [("Okafor", "PERSON")], ["Okafor"]),
    ("the Dunmore Police Department", [("Dunmore Police Department", "ORGANIZATION")],
     ["Dunmore Police Department"]),
    # other labels are never touched
    ("Intensive Outpatient Program", [("Intensive Outpatient Program", "LOCATION")], ["Intensive Outpatient Program"]),
])
def test_a_method_named_in_capitals_is_no_organisation(text, found, kept):
    spans = [Span(text.index(v), text.index(v) + len(v), label, 0.9, "ner") for v, label in found]
    assert [text[s.start:s.end] for s in drop_methods(text, spans, METHOD_WORDS)] == kept


@pytest.mark.parametrize("text, found, kept", [
    # a placeholder already replaces a name: a person of letter runs, a place of one and its kind
    ("seen by Dr. XYZ at ABCD General Hospital", [("XYZ", "PERSON"), ("ABCD General Hospital", "ORGANIZATION")],
     []),
    ("lives on Xyz Street", [("Xyz Street", "LOCATION")], []),
    # a letter run that is a name's own word stays; so do short runs ("ST") and other labels
    ("watch ABC News", [("ABC News", "ORGANIZATION")], ["ABC News"]),
    ("at ST MARY HOSPITAL", [("ST MARY HOSPITAL", "ORGANIZATION")], ["ST MARY HOSPITAL"]),
    ("code ABC", [("ABC", "ID")], ["ABC"]),
    # a number counting up stands in for one withheld; other numbers are identifiers
    ("MRN 123456, zip 12345, MRN 482913", [("123456", "ID"), ("12345", "ZIP"), ("482913", "ID")], ["482913"]),
])
def test_a_placeholder_is_no_identifier(text, found, kept):
    words = WordSense(is_facility_word={"hospital"}.__contains__, is_name_type_word={"street"}.__contains__)
    spans = [Span(text.index(v), text.index(v) + len(v), label, 0.9, "ner") for v, label in found]
    assert [text[s.start:s.end] for s in drop_placeholders(text, spans, words)] == kept


def test_an_office_found_by_a_rule_is_kept():
    text = "Prime Minister"
    listed = Span(0, len(text), "PERSON", 1.0, "roster")
    assert drop_offices(text, [listed], OFFICE_WORDS, lambda s: s.source == "roster") == [listed]


KNOWN = {"jane", "ruth", "okafor", "donald", "bruce", "president"}.__contains__


@pytest.mark.parametrize("text, found, kept", [
    # a signature's title glued to the name: every span across the glue ends there
    ("Jane OkaforMarriage & Family Therapist", [("Jane OkaforMarriage & Family Therapist", "ORGANIZATION"),
                                                ("OkaforMarriage", "PERSON")], ["Jane Okafor", "Okafor"]),
    ("Ruth OkaforI think so", [("Ruth OkaforI", "PERSON")], ["Ruth Okafor"]),
    # an office that a surname list also holds
    ("Jane OkaforPresident of the board", [("Jane OkaforPresident", "PERSON")], ["Jane Okafor"]),
    # a name glued to a name, a word before no given name, a capital inside a name: no cut
    ("Jane OkaforBruce", [("Jane OkaforBruce", "PERSON")], ["Jane OkaforBruce"]),
    ("Lower HumberBlack Creek", [("Lower HumberBlack Creek", "LOCATION")], ["Lower HumberBlack Creek"]),
    ("Ruth MacDonald left", [("Ruth MacDonald", "PERSON")], ["Ruth MacDonald"]),
])
def test_a_word_glued_to_a_full_name_is_not_part_of_it(text, found, kept):
    spans = [Span(text.index(v), text.index(v) + len(v), label, 0.9, "ner") for v, label in found]
    words = WordSense(is_given_name=lambda w: w.lower() in {"jane", "ruth"}, is_known_name=lambda w: KNOWN(w.lower()),
                      is_office={"president"}.__contains__)
    out = cut_glued_words(text, spans, words)
    assert [text[s.start:s.end] for s in out] == kept
    # and growing to whole words does not glue them back
    assert [text[s.start:s.end] for s in expand_to_tokens(text, out)] == kept


@pytest.mark.parametrize("text, found, kept", [
    # a credential run into the profile's next word: the span ends before it, or goes
    ("(Jane Okafor LPCPsychotherapist)", [("Jane Okafor LPCPsychotherapist", "PERSON")], ["Jane Okafor"]),
    ("(Jane Okafor, NCCBilingual Counselor)", [("Jane Okafor", "PERSON"), ("NCCBilingual", "PERSON")],
     ["Jane Okafor"]),
    ("(LMHCAttorney & Licensed Counselor)", [("LMHCAttorney & Licensed Counselor", "ORGANIZATION")], []),
    # a plural credential, and capitals run into a name, stay as found
    ("Two LCSWs came", [("LCSWs", "ORGANIZATION")], ["LCSWs"]),
    ("met DJOkafor", [("DJOkafor", "PERSON")], ["DJOkafor"]),
])
def test_a_credential_glued_to_a_word_starts_the_profile(text, found, kept):
    spans = [Span(text.index(v), text.index(v) + len(v), label, 0.9, "ner") for v, label in found]
    words = WordSense(is_credential={"lpc", "ncc", "lmhc", "lcs", "dj"}.__contains__,
                      is_ordinary={"bilingual", "attorney", "ws"}.__contains__, is_job={"psychotherapist"}.__contains__)
    assert [text[s.start:s.end] for s in cut_glued_words(text, spans, words)] == kept
    assert is_credential_glued("NCCBilingual", words) and not is_credential_glued("DJOkafor", words)


def test_a_name_candidate_with_a_word_twice_in_a_row_is_no_name():
    text = "filler filler mail; Ha Ha Hotel; Ana Ana; 12 12; Dana Ortiz"
    found = [("filler filler mail", "ORGANIZATION"), ("Ha Ha Hotel", "ORGANIZATION"), ("Ana Ana", "PERSON"),
             ("12 12", "ID"), ("Dana Ortiz", "PERSON")]
    spans = [Span(text.index(v), text.index(v) + len(v), label, 0.9, "ner") for v, label in found]
    kept = drop_repeated_word_names(text, spans)
    assert [text[s.start:s.end] for s in kept] == ["12 12", "Dana Ortiz"]
    listed = drop_repeated_word_names(text, spans, lambda s: text[s.start:s.end] == "Ana Ana")   # a roster name
    assert "Ana Ana" in [text[s.start:s.end] for s in listed]


def test_candidate_around_a_web_form_keeps_only_its_own_words():
    text = "Beach scuffle caught on film http://t.co/Tvws8 RT @river_88 thanks Maria"
    url, handle = text.index("http"), text.index("@river")
    url_end = url + len("http://t.co/Tvws8")
    rule_spans = [Span(url, url_end, "URL", 1.0, "url"), Span(handle, handle + 9, "USERNAME", 1.0, "handle")]
    swallowing = Span(0, url_end, "LOCATION", 0.6, "ner")        # a headline run into its link
    retweet = Span(handle - 3, handle + 9, "PERSON", 0.8, "ner")  # the retweet marker before a handle
    name = Span(len(text) - 5, len(text), "PERSON", 0.8, "ner")
    out = cut_around_web_forms(text, rule_spans + [swallowing, retweet, name], lambda s: s.source != "ner")
    assert {(text[s.start:s.end], s.label) for s in out} == {
        ("http://t.co/Tvws8", "URL"), ("@river_88", "USERNAME"), ("Beach scuffle caught on film", "LOCATION"),
        ("RT", "PERSON"), ("Maria", "PERSON")}


def test_title_before_a_lone_letter_is_no_name():
    text = "Grad C: Yeah. Professor Okafor agreed."
    spans = [Span(0, 6, "PERSON", 0.8, "ner"), Span(14, 30, "PERSON", 0.8, "ner")]
    out = trim_person_edges(text, spans, lambda w: w.lower() in {"grad", "professor"})
    assert [text[s.start:s.end] for s in out] == ["Okafor"]


ADDRESS_PARTS = AddressParts.from_words(["unit", "flat", "apt", "piano"], ["ON", "NSW", "IL", "IN"], ["RM"])


def _spans_of(text: str, *labelled: tuple[str, str]) -> list[Span]:
    return [Span(text.index(value), text.index(value) + len(value), label, 0.9) for value, label in labelled]


A, L, Z = "ADDRESS", "LOCATION", "ZIP"


@pytest.mark.parametrize("text, labelled, written", [
    # street found, then the town and a postcode nobody found
    ("lives at 14 Birch Glade, Port Moody 90210 now",
     [("14 Birch Glade", A), ("Port Moody", L)], [("14 Birch Glade", A), ("Port Moody", L), ("90210", Z)]),
    # a house number before a street read as a name, confirmed by a state's code that stays readable
    ("at 46 Jasmine Glade, New Anthony, NSW, 2991.",
     [("Jasmine Glade", "PERSON"), ("New Anthony", "PERSON")], [("46 Jasmine Glade", A), ("New Anthony", L)]),
    # a unit and a house number before a street read as a name, a province's code after the town
    ("at Flat 4, 12 Carol Wynd, Tarrin (RM) today",
     [("Carol Wynd", "PERSON"), ("Tarrin", L)], [("Flat 4, 12 Carol Wynd", A), ("Tarrin", L), ("RM", L)]),
    # the house number after the street, the way most of Europe writes it, and a postcode found
    ("Annehof 470, 9746FT, Klazienaveen.",
     [("Annehof", "PERSON"), ("9746FT", Z), ("Klazienaveen", "PERSON")],
     [("Annehof 470", A), ("9746FT", Z), ("Klazienaveen", L)]),
    # a unit after the street's number is part of the street; the postcode read as an ID is one
    ("Via Faugno, 38 Piano 4, 33043, Purgessimo",
     [("Via Faugno, 38", A), ("33043", "ID"), ("Purgessimo", "PERSON")],
     [("Via Faugno, 38 Piano 4", A), ("33043", Z), ("Purgessimo", L)]),
    # a region's code in capitals before a word is a word ("IN", "ON", "IS")
    ("12 OAK ST, PORTLAND IN THE", [("12 OAK ST", A), ("PORTLAND", "PERSON")], [("12 OAK ST", A), ("PORTLAND", L)]),
    # a town read together with its state: the state stays readable, as a state alone does
    ("to 45 Clairmont Rd, Lawrenceville IL 30046.", [("45 Clairmont Rd", A), ("Lawrenceville IL", L)],
     [("45 Clairmont Rd", A), ("Lawrenceville", L)]),
    # the flat's number before the street's, joined by a slash
    ("at 24/37 Lambert Mount, Dianastad, NSW, 2618.",
     [("37 Lambert Mount", A), ("Dianastad", L)], [("24/37 Lambert Mount", A), ("Dianastad", L)]),
])
def test_an_address_written_whole_is_found_whole(text, labelled, written):
    joined = join_address_parts(text, _spans_of(text, *labelled), ADDRESS_PARTS)
    assert [(text[s.start:s.end], s.label) for s in joined] == written


@pytest.mark.parametrize("text, labelled", [
    # a number after a street that nothing follows is a count, not part of it
    ("dropped her at 12 Oak Street, 3 blocks away", [("12 Oak Street", "ADDRESS")]),
    # a name after a number with nothing more is no street
    ("we were 4 Maria included", [("Maria", "PERSON")]),
    # a town and a person side by side: no street, no address
    ("Maria, Chicago, IL 60601", [("Maria", "PERSON"), ("Chicago", "LOCATION")]),
    # a number after a comma is no house number of the name before it: a person and an age
    ("Maria Lopez, 46, 60601", [("Maria Lopez", "PERSON")]),
    # a street named without a number may be a group's name: the place after it keeps its own span
    ("meets at Evening Recovery Circle, Harbor Light Center", [("Evening Recovery Circle", "ADDRESS"),
                                                              ("Harbor Light Center", "ORGANIZATION")]),
    # a code in capitals that is no region's stays apart
    ("met at 12 Oak Street, ER visit after", [("12 Oak Street", "ADDRESS")]),
])
def test_pieces_beside_no_street_or_ending_a_run_are_not_joined(text, labelled):
    spans = _spans_of(text, *labelled)
    assert join_address_parts(text, spans, ADDRESS_PARTS) == spans


def test_a_state_read_as_a_name_ends_the_address_and_keeps_its_own_span():
    text = "at 7587 W Mulberry Blvd, Salem, IL 78769."
    spans = _spans_of(text, ("7587 W Mulberry Blvd", "ADDRESS"), ("Salem", "LOCATION"), ("IL", "ORGANIZATION"),
                      ("78769", "ID"))
    joined = join_address_parts(text, spans, ADDRESS_PARTS)
    # and the number after it is the address's postcode
    assert [(text[s.start:s.end], s.label) for s in joined] == [
        ("7587 W Mulberry Blvd", A), ("Salem", L), ("IL", "ORGANIZATION"), ("78769", Z)]


def test_the_number_after_a_state_that_closes_an_address_is_its_postcode():
    text = "lives at 1420 Oak Street, Dayton, IL 45402."
    spans = _spans_of(text, ("1420 Oak Street", "ADDRESS"), ("Dayton", "LOCATION"), ("45402", "ID"))
    joined = join_address_parts(text, spans, ADDRESS_PARTS)
    assert [(text[s.start:s.end], s.label) for s in joined] == [("1420 Oak Street", A), ("Dayton", L), ("45402", Z)]


def test_an_address_is_joined_only_on_its_own_line():
    text = "12 Oak Street\nPort Moody, ON 90210"
    spans = _spans_of(text, ("12 Oak Street", "ADDRESS"), ("Port Moody", "LOCATION"))
    assert join_address_parts(text, spans, ADDRESS_PARTS) == spans
