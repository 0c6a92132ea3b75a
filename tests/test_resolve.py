"""Pure resolution, linking and recasing functions: no model needed."""

from __future__ import annotations

import pytest

from redact.io.paths import deidentify_path
from redact.recase import recase, recase_line
from redact.resolve import expand_to_tokens, extend_names, merge, propagate
from redact.spans import Span


def test_expand_to_tokens_grows_fragments_to_whole_words():
    text = "call Mari at 555"
    assert expand_to_tokens(text, [Span(5, 7, "PERSON")]) == [Span(5, 9, "PERSON")]


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
    assert view.startswith(" " * len("Group note, 3/14"))
    assert recase("Nothing to do here.", lambda line: False, lambda w: False) is None
    assert recase_line("marcus has the car", lambda w: w == "marcus") == "Marcus has the car"


@pytest.mark.parametrize("rel, expected", [
    ("notes/jsmith_intake.txt", "notes/0007_x_intake.txt"),
    ("clients/Maria Lopez/2026-03-14 group.md", "clients/x x/0007_x-x-x group.md"),
])
def test_output_paths_drop_names_and_numbers(rel, expected):
    from pathlib import PurePosixPath

    is_name = {"jsmith", "maria", "lopez"}.__contains__
    assert deidentify_path(PurePosixPath(rel), 7, is_name).as_posix() == expected
