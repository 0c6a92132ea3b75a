"""Pure resolution, linking and recasing functions: no model needed."""

from __future__ import annotations

import pytest

from redact.io.paths import deidentify_path
from redact.recase import recase, recase_line
from redact.resolve import (
    cut_around_web_forms,
    drop_repeated_word_names,
    expand_to_tokens,
    extend_names,
    merge,
    propagate,
    split_at_breaks,
    split_people,
    trim_closing_punctuation,
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


def test_extend_names_takes_a_rare_neighbour_only():
    text = "Asked Anjali Raman to call"
    spans = [Span(13, 18, "PERSON")]
    grown = extend_names(text, spans, can_extend=lambda w: w == "Anjali")
    assert [(s.start, s.end) for s in grown] == [(6, 18)]
    assert extend_names(text, spans, can_extend=lambda w: False) == spans


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


def test_titles_greetings_and_credentials_stay_outside_a_name():
    non_names = {"hi", "dr", "madam", "chair", "am", "lcsw"}.__contains__
    text = "Hi Rosa; Dr Amal Haddad AM; Madam Chair; Lena Ortiz LCSW; Dana Am; Mary Will"
    spans = [Span(m, m + len(v), "PERSON", 0.9, "ner") for v in text.split("; ") for m in [text.index(v)]]
    kept = trim_person_edges(text, spans, lambda w: non_names(w.lower()))
    # A form of address alone goes; a credential goes only in capitals ("Am" may be a name).
    assert [text[s.start:s.end] for s in kept] == ["Rosa", "Amal Haddad", "Lena Ortiz", "Dana Am", "Mary Will"]


def test_a_listed_name_is_kept_whole_even_when_it_is_a_role_word():
    text = "the group helped"
    listed = Span(4, 9, "PERSON", 1.0, "roster")
    assert trim_person_edges(text, [listed], lambda w: True, lambda s: s.source == "roster") == [listed]


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
