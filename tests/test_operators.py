"""Operators: property tests (never the original, keyed determinism, intervals kept) and
BEFORE/AFTER tables for the shapes each operator keeps. Pure functions: no model needed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from dateutil import parser as dateparser
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from redact.config import LABELS
from redact.operators import OPERATORS, Mention, validate_operator
from redact.operators.date_shift import DateShiftParams, offset_days
from redact.operators.generalize import RESTRICTED_ZIP3
from redact.operators.surrogate import kept_as_code

SECRET = b"synthetic-secret-0123456789"
OTHER = b"another-synthetic-secret-9876"
MY_OPERATORS = ["mask", "hmac", "surrogate", "date_shift", "generalize"]

secrets = st.binary(min_size=16, max_size=48)
values = st.text(min_size=1, max_size=40).filter(lambda v: v.strip())


def apply(op: str, label: str, value: str, entity: str | None = None, secret: bytes = SECRET,
          **params) -> str:
    mention = Mention(label, value, entity or f"{label}:{value.lower()}", 1, secret)
    return OPERATORS[op].fn(mention, validate_operator(op, params))


# --- properties ----------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(op=st.sampled_from(MY_OPERATORS), label=st.sampled_from(LABELS), value=values, secret=secrets)
def test_never_returns_the_original(op, label, value, secret):
    # A surrogate keeps a speaker code read as a person ("P1", "A0"): by design, tested below.
    assume(not (op == "surrogate" and kept_as_code(label, value)))
    assert apply(op, label, value, secret=secret) != value


@settings(max_examples=60, deadline=None)
@given(label=st.sampled_from(LABELS), value=values)
def test_surrogate_never_equals_original_ignoring_case(label, value):
    assume(not kept_as_code(label, value))
    assert apply("surrogate", label, value).lower() != value.lower()


@settings(max_examples=100, deadline=None)
@given(op=st.sampled_from(["hmac", "surrogate"]), label=st.sampled_from(["PERSON", "PHONE", "ID", "EMAIL"]),
       value=values, secret=secrets)
def test_keyed_operators_are_deterministic(op, label, value, secret):
    assert apply(op, label, value, secret=secret) == apply(op, label, value, secret=bytes(secret))


@settings(max_examples=100, deadline=None)
@given(label=st.sampled_from(LABELS), value=values, a=secrets, b=secrets)
def test_hmac_pseudonyms_differ_across_secrets(label, value, a, b):
    if a != b:
        assert apply("hmac", label, value, secret=a) != apply("hmac", label, value, secret=b)


@settings(max_examples=100, deadline=None)
@given(a=st.dates(dt.date(1930, 1, 1), dt.date(2060, 12, 31)), b=st.dates(dt.date(1930, 1, 1), dt.date(2060, 12, 31)),
       fmt=st.sampled_from(["%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y", "%b %d %Y", "%d %B %Y", "%m/%d/%y"]),
       secret=secrets)
def test_date_shift_keeps_intervals(a, b, fmt, secret):
    window = range(dt.date.today().year - 45, dt.date.today().year + 45)
    if fmt.endswith("%y") and not (a.year in window and b.year in window):
        return  # a two-digit year means one in dateutil's 100-year window around today
    shifted = [apply("date_shift", "DATE", d.strftime(fmt), secret=secret) for d in (a, b)]
    back = [dateparser.parse(s).date() for s in shifted]
    assert back[1] - back[0] == b - a
    days = offset_days(secret, DateShiftParams())
    assert back[0] - a == dt.timedelta(days=days) and days != 0


@settings(max_examples=50, deadline=None)
@given(secret=secrets, lo=st.integers(-400, 400), width=st.integers(0, 400))
def test_date_offset_within_range_and_never_zero(secret, lo, width):
    if lo == lo + width == 0:
        return
    days = offset_days(secret, DateShiftParams(min_days=lo, max_days=lo + width))
    assert lo <= days <= lo + width and days != 0


# --- shapes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,entity,shape", [
    ("Maria Lopez", "maria lopez", r"[A-Z][a-z]+ [A-Z][A-Za-z']+"),
    ("maria", "maria lopez", r"[a-z]+"),
    ("MARIA", "maria lopez", r"[A-Z]+"),
    ("Ms. Lopez", "maria lopez", r"Ms\. [A-Z][A-Za-z']+"),
    ("Deshawn L. Pryor", "deshawn l. pryor", r"[A-Z][a-z]+ [A-Z]\. [A-Z][A-Za-z']+"),
    ("Kevin's", "kevin", r"[A-Z][a-z]+'s"),
])
def test_person_surrogate_keeps_shape_and_case(value, entity, shape):
    out = apply("surrogate", "PERSON", value, entity=f"PERSON:{entity}")
    assert re.fullmatch(shape, out), out
    assert out.lower() != value.lower()


def test_name_words_map_consistently_across_variants_and_documents():
    full = apply("surrogate", "PERSON", "Maria Lopez", entity="PERSON:maria lopez")
    first, last = full.split()
    assert apply("surrogate", "PERSON", "Ms. Lopez", entity="PERSON:maria lopez") == f"Ms. {last}"
    assert apply("surrogate", "PERSON", "maria", entity="PERSON:maria lopez") == first.lower()
    # A later document that only says "Maria" (no full name to link to) still gets the same first name.
    assert apply("surrogate", "PERSON", "Maria", entity="PERSON:maria") == first


@pytest.mark.parametrize("value,shape", [
    ("555-201-3344", r"[2-9][0-8]\d-555-01\d\d"),
    ("(937) 222-4410", r"\([2-9][0-8]\d\) 555-01\d\d"),
    ("+1 937.222.4410", r"\+1 [2-9][0-8]\d\.555\.01\d\d"),
    ("222-4410", r"555-01\d\d"),
])
def test_phone_surrogate_is_a_fictional_555_number_in_the_same_layout(value, shape):
    assert re.fullmatch(shape, apply("surrogate", "PHONE", value))


@pytest.mark.parametrize("label,value,shape", [
    ("ID", "HL-2198", r"[A-Z]{2}-\d{4}"),
    ("ID", "2025-cr-04417", r"\d{4}-[a-z]{2}-\d{5}"),
    ("ZIP", "45402", r"\d{5}"),
    ("ZIP", "45402-1234", r"\d{5}-\d{4}"),
    ("EMAIL", "lreese@mcpd.example.gov", r"[\w.]+@example\.(org|com|net)"),
    ("USERNAME", "@luz_r", r"@\w+"),
    ("URL", "https://harborlight.example.org/x", r"https://www\.\w+\.example\.org"),
    ("IP_ADDRESS", "192.0.2.14", r"\d+\.\d+\.\d+\.\d+"),
    ("AGE", "34", r"3[1-7]"),
    ("DATE", "3/18/2026", r"\d{1,2}/\d{1,2}/\d{4}"),
    ("DATE", "7/22", r"\d{1,2}/\d{1,2}"),
    ("DATE", "Nov. 20", r"[A-Z][a-z]{2}\. \d{1,2}"),
])
def test_surrogate_keeps_format(label, value, shape):
    out = apply("surrogate", label, value)
    assert re.fullmatch(shape, out), out
    assert out != value


@pytest.mark.parametrize("value,expected_shape", [
    ("Tuesday, March 3rd", r"[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}(st|nd|rd|th)"),
    ("03/05/2026", r"\d\d/\d\d/\d{4}"),
    ("SEPT 5", r"[A-Z]{3,4} \d{1,2}"),
    ("2026-03-18", r"\d{4}-\d\d-\d\d"),
    ("3/8 12:09am", r"\d{1,2}/\d{1,2} 12:09am"),                    # a timestamp keeps its time of day
    ("March 3, 2026 at 2:15 PM", r"[A-Z][a-z]+ \d{1,2}, 2026 at 2:15 PM"),
])
def test_date_shift_keeps_the_written_shape(value, expected_shape):
    assert re.fullmatch(expected_shape, apply("date_shift", "DATE", value))


@pytest.mark.parametrize("value", ["tomorrow", "last Friday", "Friday", "2025", "3pm", "the week after"])
def test_unreadable_dates_become_a_tag(value):
    assert apply("date_shift", "DATE", value) == "[DATE]"


@pytest.mark.parametrize("label,value,params,expected", [
    ("AGE", "34", {}, "30-39"),
    ("AGE", "92-year-old", {}, "90+-year-old"),
    ("AGE", "89", {}, "80-89"),
    ("AGE", "7", {"age_band": 5}, "5-9"),
    ("ZIP", "45402", {}, "454"),
    ("ZIP", "45402-1234", {}, "454"),
    ("DATE", "3/18/2026", {}, "2026"),
    ("DATE", "3/18/2026", {"date": "month"}, "March 2026"),
    ("DATE", "3/18/2026 14:05", {"date": "month"}, "March 2026"),  # a timestamp keeps no time
    ("DATE", "Nov. 20", {}, "[DATE]"),         # no year to keep
    ("DATE", "2026", {}, "[DATE]"),            # already a year: not passed through unchanged
    ("PERSON", "Maria", {}, "[PERSON]"),
    ("AGE", "[AGE]", {}, "[REDACTED]"),        # the fallback tag is never the value either
])
def test_generalize(label, value, params, expected):
    assert apply("generalize", label, value, **params) == expected


@pytest.mark.parametrize("prefix", sorted(RESTRICTED_ZIP3))
def test_restricted_zip3_prefixes_are_zeroed(prefix):
    assert apply("generalize", "ZIP", prefix + "17") == "000"


@pytest.mark.parametrize("value,params,expected", [
    ("Maria Lopez", {}, "***********"),
    ("555-201-3344", {"keep_last": 4}, "********3344"),
    ("555-201-3344", {"keep_last": 4, "keep_separators": True}, "***-***-3344"),
    ("ab", {"keep_last": 4}, "*b"),              # never more than half is kept
    ("Maria", {"char": "#"}, "#####"),
    ("***", {}, "[PERSON]"),
])
def test_mask(value, params, expected):
    assert apply("mask", "PERSON", value, **params) == expected


def test_hmac_pseudonym_format_and_variants():
    out = apply("hmac", "PERSON", "Ms. Lopez", entity="PERSON:maria lopez")
    assert re.fullmatch(r"PERSON_[0-9a-f]{8}", out)
    assert apply("hmac", "PERSON", "maria", entity="PERSON:maria lopez") == out
    assert apply("hmac", "PERSON", "x", entity="PERSON:maria lopez", brackets=True, length=12) == f"[{out[:-8]}" \
        + apply("hmac", "PERSON", "x", entity="PERSON:maria lopez", length=12)[-12:] + "]"


def test_keyed_operator_without_secret_fails_closed():
    with pytest.raises(ValueError, match="secret"):
        apply("hmac", "PERSON", "Maria", secret=None)


def test_table_columns_and_text_share_one_date_offset(cli, tmp_path):
    """One keyed offset per secret for every date a run touches: a note and a table column
    holding the same date come out holding the same shifted date."""
    from redact.tables import shift_days

    assert shift_days(SECRET) == offset_days(SECRET, DateShiftParams())
    src = tmp_path / "in"
    src.mkdir()
    (src / "note.txt").write_text("Group session held on 2026-03-18 as planned.\n")
    (src / "visits.csv").write_text("visit_date,attended\n2026-03-18,yes\n")
    out = tmp_path / "out"
    result = cli(["run", src, "--out", out, "--policy", "hmac", "--date-column", "visit_date",
                  "--date-mode", "shift", "-q"], env={"REDACT_SECRET": SECRET.decode()})
    assert result.exit_code == 0, result.output
    moved = (dt.date(2026, 3, 18) + dt.timedelta(days=offset_days(SECRET, DateShiftParams()))).isoformat()
    assert moved in next(out.glob("*.txt")).read_text()
    assert moved in next(out.glob("*.csv")).read_text()


def test_a_policys_own_date_shift_range_moves_table_columns_too(cli, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: narrow\nidentifiers: [DATE, PERSON]\ndefault: {operator: tag}\n"
                      "operators:\n  DATE: {operator: date_shift, params: {min_days: 3, max_days: 9, salt: r2}}\n")
    src = tmp_path / "in"
    src.mkdir()
    (src / "note.txt").write_text("Group session held on 2026-03-18 as planned.\n")
    (src / "visits.csv").write_text("visit_date,attended\n2026-03-18,yes\n")
    out = tmp_path / "out"
    result = cli(["run", src, "--out", out, "--policy", policy, "--date-column", "visit_date",
                  "--date-mode", "shift", "-q"], env={"REDACT_SECRET": SECRET.decode()})
    assert result.exit_code == 0, result.output
    days = offset_days(SECRET, DateShiftParams(min_days=3, max_days=9, salt="r2"))
    moved = (dt.date(2026, 3, 18) + dt.timedelta(days=days)).isoformat()
    assert moved in next(out.glob("*.txt")).read_text()
    assert moved in next(out.glob("*.csv")).read_text()


def _surrogate_names(text: str, names: list[str]) -> list[str]:
    """The surrogates a surrogate-policy Replacer writes for each name in `text` (spans by hand)."""
    from redact.policy import load_policy
    from redact.spans import Span
    from redact.transform import Replacer

    spans, pos = [], 0
    for name in names:
        start = text.index(name, pos)
        spans.append(Span(start, start + len(name), "PERSON", 1.0, "test"))
        pos = start + len(name)
    out = Replacer(load_policy("surrogate"), SECRET)(text, spans)
    words = re.findall(r"[A-Z][a-z]+|P\d", out)
    context = set(re.findall(r"[A-Z][a-z]+|P\d", text)) - set(names)
    return [w for w in words if w not in context]


@pytest.mark.parametrize("text, name, gender", [
    ("My brother Melissa came by and he's doing better.", "Melissa", "male"),
    ("She brought her little boy Sara to group.", "Sara", "male"),
    ("Mrs. Kevin joined today.", "Kevin", "female"),
    ("Kevin said she would come back next week.", "Kevin", "female"),
    ("Melissa said she would come back next week.", "Melissa", "female"),
    ("Kevin came in late again.", "Kevin", "male"),  # no cue: the name's usual gender
])
def test_surrogate_first_names_agree_with_gender_cues(text, name, gender):
    from faker.providers.person.en_US import Provider

    pool = set(Provider.first_names_female if gender == "female" else Provider.first_names_male)
    (new,) = _surrogate_names(text, [name])
    assert new in pool and new != name, (text, new)


def test_one_person_gets_one_gender_across_mentions():
    text = "My son Ashley called. Later Ashley told me he was fine."
    first, second = _surrogate_names(text, ["Ashley", "Ashley"])
    assert first == second


def test_speaker_codes_stay_codes():
    assert _surrogate_names("P1: I felt heard. P2: Thank you, P1.", ["P1", "P2", "P1"]) == ["P1", "P2", "P1"]


def test_a_name_written_with_invisible_characters_keeps_its_tag_number():
    from redact.transform import normalise

    assert normalise("PERSON", "Pri\u00adscilla") == normalise("PERSON", "Priscilla")
    assert normalise("PERSON", "Jose\u0301") == normalise("PERSON", "José")
    assert normalise("PERSON", "&#80;riscilla") == normalise("PERSON", "Priscilla")


@pytest.mark.parametrize("possessive", ["Priscilla's", "Priscilla’s", "PRISCILLA'S"])
def test_a_name_in_the_possessive_keeps_its_tag_number(possessive):
    from redact.transform import normalise

    assert normalise("PERSON", possessive) == normalise("PERSON", "Priscilla")
