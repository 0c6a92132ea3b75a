"""The learned decision's pure parts: which candidates stay for given probabilities, what the
evidence says about role labels and fillers, and the over-redaction measure."""

from __future__ import annotations

import json
import re

import pytest

from redact.detect.decide import decided
from redact.spans import Span

TEXT = "faith r said hi to Grad C and Mm-hmm on 4/9"


def _span(word: str, label: str = "PERSON", start_at: int = 0) -> Span:
    start = TEXT.index(word, start_at)
    return Span(start, start + len(word), label)


def test_a_candidate_at_its_operating_point_stays_and_one_below_goes():
    spans = [_span("faith"), _span("hi", "ORGANIZATION")]
    assert decided(TEXT, spans, [0.6, 0.1], {"PERSON": 0.5, "ORGANIZATION": 0.5}, 0.5) == [True, False]


def test_a_word_beside_a_kept_name_of_the_same_label_joins_it():
    spans = [_span("faith"), _span("faith r"), _span("said", "ORGANIZATION")]
    keep = decided(TEXT, spans, [0.9, 0.05, 0.05], {"PERSON": 0.5}, 0.5)
    assert keep == [True, True, False]


def test_rules_stay_and_readable_words_go_unless_a_rule_found_them():
    spans = [_span("Mm-hmm"), _span("4/9", "DATE"), _span("Grad C")]
    keep = decided(TEXT, spans, [0.99, 0.0, 0.99], {}, 0.5, rules=[False, True, False],
                   readable=[True, False, True])
    assert keep == [False, True, False]


def test_numbers_are_never_readable_words():
    spans = [_span("4/9", "DATE")]
    assert decided(TEXT, spans, [0.9], {}, 0.5, readable=[True]) == [True]


@pytest.fixture(scope="module")
def evidence_of(redactor):
    detector = redactor.detector

    def rows(text: str) -> dict[str, dict]:
        text_, spans, rows_ = next(iter(detector.candidates([text])))
        return {text_[s.start:s.end]: row for s, row in zip(spans, rows_)}
    return rows


def test_evidence_marks_role_speaker_labels_and_fillers(evidence_of):
    rows = evidence_of("Grad C: Mm-hmm.\nProfessor B: Right, so Morgan said yes.\nGrad C: Okay.")
    grad = next(row for value, row in rows.items() if value.startswith("Grad"))
    assert grad["speaker_label"] == 1.0 and grad["speaker_role_label"] == 1.0
    morgan = rows["Morgan"]
    assert morgan["speaker_label"] == 0.0 and morgan["first_name"] == 1.0


def test_overredaction_command_reports_shares_without_values(cli, tmp_path):
    texts = tmp_path / "texts.jsonl"
    lines = [{"id": "a", "text": "Project Manager: Okay, so Maria called from 555-201-3344."},
             {"id": "b", "text": "Marketing: Mm-hmm. Right, the remote control is yellow."}]
    texts.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    report = tmp_path / "rate.json"
    result = cli(["overredaction", texts, "--quiet", "--json", report])
    assert result.exit_code == 0, result.output
    rate = json.loads(report.read_text())
    assert 0 < rate["share"] < 0.5 and rate["by_label"]["PHONE"]["redacted"] == 12
    assert "555" not in result.output and "Maria" not in result.output and "top_strings" not in rate
    strict = cli(["overredaction", texts, "--quiet", "--max-share", "0.01"])
    assert strict.exit_code == 1
    shown = cli(["overredaction", texts, "--quiet", "--show-values"])
    assert "555-201-3344" in shown.output


def test_evidence_reads_hashtags_placeholders_and_the_line_language(evidence_of):
    from redact.detect.evidence import _humps, _letter_run

    assert (_humps("BreakingNews"), _humps("Quintero"), _humps("McAllister")) == (1, 0, 1)
    assert _letter_run("ABC") and _letter_run("XYZ") and not _letter_run("ABD") and not _letter_run("Abc")
    english = evidence_of("Please ask Marisol about the meeting next week.")["Marisol"]
    other = evidence_of("Marisol ko sukhi kare jevan shubhakamnao.")["Marisol"]
    assert english["line_known_share"] > 0.7 > 0.3 > other["line_known_share"]


@pytest.mark.parametrize("line", [
    "ok so i told Maria the rides with Dee are at Rosewood tomorrow",
    "Spoke with Maria and Dee at Rosewood about the lease",
    "PT SEEN BY MARIA AND DEE AT ROSEWOOD, RESTING",
])
def test_a_line_reads_the_same_once_its_names_are_blanks(evidence_of, line):
    # A blank ("____", what verify's masks and hand redaction leave) counts as the capitalised
    # word it replaced (one word for one name), so a word left in an export is judged on the
    # same line as in the run.
    masked = re.sub(r"Maria|MARIA|Rosewood|ROSEWOOD", lambda m: "_" * len(m.group()), line)
    dee = "DEE" if "DEE" in line else "Dee"
    keys = ("line_upper", "line_lower", "doc_caseless_share", "line_title_share")
    assert {k: evidence_of(masked)[dee][k] for k in keys} == {k: evidence_of(line)[dee][k] for k in keys}


def test_evidence_describes_the_whole_word_and_a_name_that_modifies_a_noun(evidence_of):
    rows = evidence_of("Two Jackson-Pratt drains were left in place.")
    grown = {value: row for value, row in rows.items() if value.startswith("Jackson")}
    # A candidate is judged as it will be written (whole words), so its evidence reads the
    # instrument's name, which clinical reports use, not a surname.
    assert set(grown) == {"Jackson-Pratt"}
    assert grown["Jackson-Pratt"]["domain_share"] == 1.0 and grown["Jackson-Pratt"]["modifies_noun"] == 1.0
    person = evidence_of("Please ask Marisol Quintero about the meeting next week.")
    assert {row["modifies_noun"] for value, row in person.items() if "Quintero" in value} == {0.0}


def test_shorthand_spelled_with_dots_is_a_readable_word_not_initials(evidence_of, redactor):
    rows = evidence_of("KEFLEX 500 MG B.I.D. AND TYLENOL P.R.N. PER R.C.")
    assert rows["B.I.D."]["abbreviation"] == rows["B.I.D."]["readable"] == 1.0
    assert rows["P.R.N."]["readable"] == 1.0 and rows["R.C."]["readable"] == 0.0
    # ...and in an ALL-CAPS note the case-restored copy does not capitalise the letters either.
    assert redactor.detector.detect_one("GIVEN TYLENOL P.R.N. AND MOTRIN B.I.D. PER ORDERS") == []


def test_evidence_tells_an_everyday_word_of_another_language_from_a_name(evidence_of):
    chat = evidence_of("Besok kita ke Jepang lah, tiket sudah dibeli.")
    english = evidence_of("Please ask Dorothy Whitfield about the meeting next week.")
    foreign = [row for value, row in chat.items() if value == "Jepang"]
    names = [row for value, row in english.items() if "Whitfield" in value]
    assert foreign and names
    # Indonesian for Japan, on an Indonesian line; an English surname is no everyday word elsewhere.
    assert all(row["foreign_gain"] >= 1.5 and row["line_foreign_share"] >= 0.5 for row in foreign)
    assert all(row["foreign_gain"] < 1.0 and row["line_foreign_share"] < 0.2 for row in names)


def test_evidence_marks_a_name_inside_a_hashtag(redactor):
    text = "So proud of Marisol Quintero today #Quintero"
    _, spans, rows = next(iter(redactor.detector.candidates([text])))
    hashed = {text[s.start:s.end]: row["prev_hash"] for s, row in zip(spans, rows) if s.start > text.index("#")}
    plain = [row["prev_hash"] for s, row in zip(spans, rows) if s.end < text.index("#")]
    assert hashed == {"Quintero": 1.0} and plain and set(plain) == {0.0}


def test_a_number_read_out_in_words_is_never_a_readable_word():
    text = "call five oh three, eight eight one, four four two two"
    spans = [Span(5, len(text), "PHONE"), Span(0, 4, "PERSON")]
    assert decided(text, spans, [0.9, 0.9], {}, 0.5, readable=[True, True]) == [True, False]


def test_clinical_words_in_capitals_are_readable_where_case_cannot_mark_a_name(redactor):
    def readable(text: str) -> dict[tuple[str, str], float]:
        text_, spans, rows = next(iter(redactor.detector.candidates([text])))
        return {(text_[s.start:s.end], s.label): row["readable"] for s, row in zip(spans, rows)}

    caps = readable("CC: WEAKNESS AND DIFFICULTY WALKING.\nHX: SEEN BY DR. OKAFOR FOR FALLS.")
    assert caps[("WEAKNESS", "PERSON")] == 1.0 and caps[("OKAFOR", "PERSON")] == 0.0
    cased = readable("Seen for Progressive Unsteadiness by Dr. Okafor today.")
    assert set(v for (value, label), v in cased.items() if "Unsteadiness" in value) == {0.0}


def test_names_that_reports_write_in_lower_case_are_readable_in_capitals_unless_titled(redactor):
    def readable(text: str) -> list[tuple[int, float]]:
        text_, spans, rows = next(iter(redactor.detector.candidates([text])))
        return sorted((s.start, row["readable"]) for s, row in zip(spans, rows)
                      if s.label == "PERSON" and "urns" in text_[s.start:s.end].lower())

    # "burns" is a census surname and a word clinical reports write in lower case.
    assert "burns" in redactor.detector.resources.common_noun_names
    text = "PT SUSTAINED BURNS TO BOTH HANDS.\nSEEN BY DR BURNS TODAY."
    noun, clinician = text.index("BURNS"), text.rindex("BURNS")
    caps = readable(text)
    assert {v for start, v in caps if start == noun} <= {1.0}            # the first, a noun
    assert {v for start, v in caps if start == clinician} == {0.0}       # the second, after a title
    assert redactor.detector.detect_one("SEEN BY DR BURNS TODAY.")
    assert {v for _, v in readable("Seen today by Alan Burns.")} == {0.0}   # case tells


def test_a_section_heading_is_readable_and_a_named_speaker_is_not(redactor):
    text = "HEART: Regular rate.\nLABORATORY DATA: WBC 5.1.\nMarisol: I slept badly.\nGrace: Me too."
    text_, spans, rows = next(iter(redactor.detector.candidates([text])))
    readable = {text_[s.start:s.end]: row["readable"] for s, row in zip(spans, rows) if s.label == "PERSON"}
    assert readable.get("LABORATORY DATA") == 1.0
    # a given name that is also a word ("Grace") labels a speaker, not a section
    assert readable.get("Marisol") == 0.0 and readable.get("Grace") == 0.0


def test_everyday_words_together_head_a_section_and_one_alone_may_be_a_name(redactor):
    def readable(text: str) -> dict[str, float]:
        text_, spans, rows = next(iter(redactor.detector.candidates([text])))
        return {text_[s.start:s.end]: row["readable"] for s, row in zip(spans, rows) if s.label != "DATE"}

    assert readable("NATIONAL SECURITY COUNCIL: MET TODAY.\nNOTE: OK.").get("NATIONAL SECURITY COUNCIL") == 1.0
    # "Quick" is everyday English and a surname: alone, a label may be a speaker's name
    assert readable("Quick: I'll be late tonight.\nFacilitator: Thanks.").get("Quick") == 0.0


def test_a_field_that_names_a_person_opens_no_clinical_reading(redactor):
    # "stone" is a word of the clinical vocabulary and a surname.
    text = "REFERRING PHYSICIAN: Stone.\nCC: Headache.\nLungs:  Clear."
    _, spans, rows = next(iter(redactor.detector.candidates([text])))
    readable = {text[s.start:s.end]: row["readable"] for s, row in zip(spans, rows) if s.label == "PERSON"}
    assert readable["Stone"] == 0.0 and readable["Clear"] == 1.0
