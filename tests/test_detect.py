"""The detect stage's plumbing: pieces, batches, one pass with caseless lines case-restored."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redact.detect import batches, chunk, is_age_number
from redact.spans import Span


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n", max_size=400), st.integers(10, 60), st.integers(0, 20))
def test_pieces_own_every_character_once_and_read_on_past_a_cut(text, size, overlap):
    pieces = list(chunk(text, size=size, overlap=overlap))
    owned = [(offset, offset + n) for offset, _, n in pieces]
    assert owned[0][0] == 0 and owned[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(owned, owned[1:]))  # contiguous, no gap, no overlap
    for offset, piece, n in pieces:
        assert text[offset:offset + len(piece)] == piece
        assert n <= len(piece) <= n + overlap
        assert len(piece) <= size + overlap


def test_a_cut_inside_a_long_line_reads_on_over_the_identifier():
    text = "word " * 30 + "555 201 3344 " + "word " * 30
    cut_inside = [(offset, piece, n) for offset, piece, n in chunk(text, size=160, overlap=40)]
    _, first, owned = cut_inside[0]
    number = text.index("555")
    assert number < owned < number + len("555 201 3344")  # the cut falls inside the number ...
    assert "555 201 3344" in first  # ... and the piece that owns its start reads all of it


def test_batches_bound_documents_and_characters():
    views = [("x" * n, i) for i, n in enumerate([10, 10, 50, 5, 200, 1, 1])]
    out = list(batches(views, max_docs=3, max_chars=60))
    assert [len(b) for b in out] == [2, 2, 1, 2]
    assert [v for b in out for v in b] == views  # order kept, nothing dropped
    assert all(sum(len(t) for t, _ in b) <= 60 for b in out if len(b) > 1)


@pytest.mark.slow
def test_long_single_line_finds_an_identifier_across_a_cut(redactor):
    from redact.detect import CHUNK_CHARS

    filler = "we talked about the week and the plans for the group "
    head = (filler * (CHUNK_CHARS // len(filler)))[: CHUNK_CHARS - 6]
    text = head + " call (555) 201-3344 today " + filler * 20
    spans = next(redactor.detect([text]))
    phone = text.index("(555)")
    assert any(s.start <= phone and s.end >= phone + len("(555) 201-3344") and s.label == "PHONE" for s in spans)


@pytest.mark.slow
def test_caseless_lines_are_read_case_restored_in_the_same_pass(redactor):
    text = "Intake note.\nI GOT A CALL FROM MARCUS ABOUT THE MEETING IN DAYTON LAST WEEK.\n"
    spans = next(redactor.detect([text]))
    found = {text[s.start:s.end] for s in spans}
    assert "MARCUS" in found


_WORDS = ["Maria Lopez", "called", "555-201-3344", "DOB:", "3/4/1990", "Preferred name:", "Sam", "group",
          "at", "Riverside Clinic", "on", "Tuesday", "ok", "Room 4", "mm-hmm", "age 42", "Dayton, OH", "."]
_PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5), min_size=1, max_size=3),
                min_size=1, max_size=6))
def test_redaction_keeps_lines_columns_and_the_text_between_replacements(redactor, lines):
    """Line and tab counts are unchanged, no replacement crosses a line break or tab, and every
    stretch of text outside the replaced spans is written exactly as it was."""
    text = "\n".join("\t".join(" ".join(cell) for cell in line) for line in lines) + "\n"
    spans = sorted(next(redactor.detect([text])), key=lambda s: s.start)
    out = redactor.replacer()(text, spans)
    assert out.count("\n") == text.count("\n") and out.count("\t") == text.count("\t")
    assert not any(set(text[s.start:s.end]) & {"\n", "\t"} for s in spans)
    kept, pos = [], 0
    for s in spans:
        kept.append(text[pos:s.start])
        pos = s.end
    kept.append(text[pos:])
    assert _PLACEHOLDER.split(out) == kept


def test_coarse_tags_read_from_the_fine_tags_as_the_attribute_ruler_sets_them(redactor):
    import spacy

    nlp = redactor.detector.nlp
    assert "attribute_ruler" in nlp.pipe_names   # replaced in place by the table lookup
    reference = spacy.load(redactor.detector.model_name, exclude=["lemmatizer"])
    text = ("Rosa called her sponsor Marcus Lee on Friday. He is doing well and has been to "
            "four meetings at St. Anne's. They didn't say much, but that was fine.")
    ours, theirs = nlp(text), reference(text)
    assert [t.tag_ for t in ours] == [t.tag_ for t in theirs]
    # The parts of speech detection and withholding read (proper nouns, personal pronouns, verbs)
    # agree token by token; the ruler's rules by dependency ("that" as a pronoun) are not copied.
    for kind in ("PROPN", "NOUN", "ADJ"):
        assert [t.i for t in ours if t.pos_ == kind] == [t.i for t in theirs if t.pos_ == kind], kind
    for doc in (ours, theirs):
        assert [t.text for t in doc if t.pos_ == "PRON" and t.tag_ == "PRP"] == ["He", "They"]
    assert [t.i for t in ours if t.pos_ in ("VERB", "AUX")] == [t.i for t in theirs if t.pos_ in ("VERB", "AUX")]


def test_a_value_of_everyday_or_domain_words_is_looked_for_again_in_its_own_case_only(redactor):
    same_case = redactor.detector._matched_in_same_case
    assert same_case("Hope") and same_case("EXTREMITIES") and same_case("cervical spine")
    assert same_case("Universities")  # common English, in no name list
    assert not same_case("Okafor") and not same_case("Rosalind Okafor") and not same_case("Maria")
    # a surname that is also a common noun: its lower-case mentions are the noun
    assert same_case("Channel") and same_case("Apple")
    assert not same_case("Kevin")  # a given name: "kevin" typed lower case is still him
    assert not same_case("Walt")   # a nickname no list has is no everyday word either


def test_a_country_alone_stays_but_a_person_named_after_one_is_found(redactor):
    text = "Marisol Quintero moved from Canada to Toronto, then flew to Croatia with Jordan Avila."
    found = {text[s.start:s.end] for s in redactor.detector.detect_one(text)}
    assert {"Toronto", "Marisol Quintero", "Jordan Avila"} <= found
    assert not found & {"Canada", "Croatia"}


@pytest.mark.parametrize("text, written", [
    # a US address: the state stays, the ZIP keeps its own label
    ("She lives at 1420 Oak Street, Dayton, OH 45402 now.",
     [("1420 Oak Street", "ADDRESS"), ("Dayton", "LOCATION"), ("45402", "ZIP")]),
    # a street type outside the US list, found as a name, with the house number and postcode
    ("We met at 22 Harbour Wynd, Dunedin 9016 last week.",
     [("22 Harbour Wynd", "ADDRESS"), ("Dunedin", "LOCATION"), ("9016", "ZIP")]),
    # the house number after the street, a postcode and a town after it
    ("Her flat is at Annehof 47, 9746 FT, Klazienaveen.",
     [("Annehof 47", "ADDRESS"), ("9746 FT", "ZIP"), ("Klazienaveen", "LOCATION")]),
])
def test_an_address_written_whole_is_found_whole(redactor, text, written):
    assert [(text[s.start:s.end], s.label) for s in redactor.detector.detect_one(text)] == written


def test_a_country_alone_read_as_a_surname_stays(redactor):
    # "Wales" is a surname too, but alone it is the country; "Jordan" alone is a given name.
    text = "Thanks. Wales has done well here, Wales and Scotland both.\nJordan said she would call back."
    found = {text[s.start:s.end] for s in redactor.detector.detect_one(text)}
    assert "Wales" not in found and "Jordan" in found


def test_a_caseless_line_capitalises_rare_names_but_not_rare_clinical_words_or_drugs(redactor):
    is_proper = redactor.detector._is_proper
    assert is_proper("okafor") and is_proper("marcus")  # a rare surname; a name that is no everyday word
    # Rare in English, yet the domain's vocabulary (many unrelated reports use them) or a drug name.
    assert not any(is_proper(w) for w in ("quadriplegia", "arthrogram", "kerlix", "prezista", "femara"))
    assert not is_proper("will") and not is_proper("therapist")


def test_a_drug_name_is_never_part_of_a_persons_name(redactor):
    # A person span split at "and" ("VANCO AND ZOSYN") must not leave the drug alone as a name.
    is_outside_a_name = redactor.detector._is_form_of_address
    assert is_outside_a_name("ZOSYN") and is_outside_a_name("Femara")
    assert not is_outside_a_name("Molly") and not is_outside_a_name("Allegra")  # names first


def test_mister_is_a_title_kept_outside_the_name_and_never_a_name_alone(redactor):
    assert redactor.detector._is_form_of_address("Mister")
    text = "Thanks, Mister Okafor, for the notes.\nMister, could you repeat the last item?"
    found = {text[s.start:s.end] for s in redactor.detector.detect_one(text)}
    assert "Okafor" in found and not any("Mister" in value for value in found)


def test_only_name_like_words_of_a_name_are_looked_for_alone(redactor):
    detector = redactor.detector
    is_name_part = detector._is_name_part
    assert is_name_part("Quintero") and is_name_part("Marisol") and is_name_part("Hope")
    assert not is_name_part("Call") and not is_name_part("the")
    # A name run that swallowed the verb before it must not take that verb everywhere else.
    text = "Call Marisol Quintero about the ride.\nCall the pharmacy before noon.\nQuintero agreed."
    swallowed = Span(0, len("Call Marisol Quintero"), "PERSON", 0.9, "name-run")
    found = {(s.start, text[s.start:s.end]) for s in detector._finish(text, [swallowed])}
    later = text.index("Call the")
    assert (text.rindex("Quintero"), "Quintero") in found
    assert not any(start == later for start, _ in found)


def test_the_domains_vocabulary_neither_grows_a_name_nor_is_looked_for_as_one(redactor):
    detector = redactor.detector
    # Rare in general English, but many unrelated reports use it: no part of a name found beside it.
    assert not detector._can_extend_name("OSTEOTOMY") and not detector._is_name_part("Osteotomy")
    assert detector._can_extend_name("Quintero") and detector._is_name_part("Quintero")
    assert detector._is_name_part("Foley")  # an eponym is a surname too: a name list knows it
    text = "SEEN BY QUINTERO OSTEOTOMY SITE CLEAN. OSTEOTOMY HEALING."
    person = Span(text.index("QUINTERO"), text.index("QUINTERO") + len("QUINTERO"), "PERSON", 0.9, "name-cues")
    found = {text[s.start:s.end] for s in detector._finish(text, [person])}
    assert "QUINTERO" in found
    assert not any("OSTEOTOMY" in value for value in found)


def test_only_a_short_title_takes_a_full_stop_that_ends_no_sentence(redactor):
    is_short = redactor.detector._is_abbreviated_title
    assert is_short("Dr") and is_short("MRS") and is_short("ms") and is_short("Sgt")
    assert not is_short("sister") and not is_short("Doctor") and not is_short("dry")  # spelled out, or no title


def test_recognizers_run_in_registry_order_so_every_process_redacts_alike(redactor):
    # Candidate order breaks ties when spans merge; Presidio's entity lookup returns a set.
    detector = redactor.detector
    assert [r.name for r in detector.recognizers] == [r.name for r in detector.analyzer.registry.recognizers]


@pytest.mark.parametrize("word, age", [
    ("19", True), ("120", True), ("121", False), ("nineteen", True), ("forty-five", True),
    ("third", False), ("1.5", False), ("million", False), ("or", False),
])
def test_what_a_persons_age_can_be(word, age):
    assert is_age_number(word) is age
