"""Span resolution: whole tokens, one span per stretch of text, every mention of a seen name.

Pure functions over (text, spans); no model needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from redact.recognizers.names import SPEAKER
from redact.spans import Span

# Labels whose values, once seen, are looked for again everywhere in the document.
PROPAGATED = ("PERSON", "ORGANIZATION", "LOCATION", "USERNAME", "EMAIL", "ID", "ADDRESS")
_WORD_CHAR = re.compile(r"\w")
_BREAK = re.compile(r"[\n\r\t\v\f]+")
# A full stop that belongs to the word before it: an initial or a short abbreviation ("W.", "St.").
_ABBREVIATION_DOT = re.compile(r"(?<!\w)(?:[A-Za-z]|[A-Z][a-z]{1,2}|[A-Z]{2,4})\.$")
_CLOSING = ".,;:!?"
# A word glued to the next without a space ("...OkaforMarriage"): four letters, then a capital.
_GLUE = re.compile(r"(?<=[^\W\d_][a-z]{3})(?=[A-Z](?:[a-z]|\b))")
# A credential in capitals run into the next field's word ("LCSWCouples", "NCCBilingual"): scraped
# profile text, where the name ended before the credential.
_CREDENTIAL_GLUE = re.compile(r"(?<![\w'’])([A-Z]{2,6})(?=([A-Z][a-z]{2,})\b)")


@dataclass(frozen=True)
class WordSense:
    """What resolution asks of a word (the detector answers from its word lists): each a predicate
    on one word, or on a value for `matched_in_same_case`."""

    is_name_part: Callable[[str], bool] = lambda word: False
    matched_in_same_case: Callable[[str], bool] = lambda value: False
    can_extend: Callable[[str], bool] = lambda word: False
    is_form_of_address: Callable[[str], bool] = lambda word: False
    is_office: Callable[[str], bool] = lambda word: False
    is_office_modifier: Callable[[str], bool] = lambda word: False
    is_job: Callable[[str], bool] = lambda word: False
    is_common_word: Callable[[str], bool] = lambda word: False
    is_given_name: Callable[[str], bool] = lambda word: False
    is_known_name: Callable[[str], bool] = lambda word: False
    is_compass_point: Callable[[str], bool] = lambda word: False
    is_country: Callable[[str], bool] = lambda word: False
    is_eponym_head: Callable[[str], bool] = lambda word: False
    is_eponym_condition: Callable[[str], bool] = lambda word: False
    names_a_condition: Callable[[str], bool] = lambda word: False
    is_exam_finding: Callable[[str], bool] = lambda word: False
    is_clinical_term: Callable[[str], bool] = lambda word: False
    is_age_number: Callable[[str], bool] = lambda word: False
    is_name_type_word: Callable[[str], bool] = lambda word: False
    is_name_lead_word: Callable[[str], bool] = lambda word: False
    is_facility_word: Callable[[str], bool] = lambda word: False
    is_name_particle: Callable[[str], bool] = lambda word: False
    is_method: Callable[[str], bool] = lambda word: False
    is_unit: Callable[[str], bool] = lambda word: False
    is_measure: Callable[[str], bool] = lambda word: False
    is_vocabulary: Callable[[str], bool] = lambda word: False
    is_ordinary: Callable[[str], bool] = lambda word: False
    is_foreign_word: Callable[[str], bool] = lambda word: False
    is_credential: Callable[[str], bool] = lambda word: False


def split_at_breaks(text: str, spans: Iterable[Span]) -> list[Span]:
    """Spans within the text's structure: never across a line break or tab (the label or column
    beside an identifier is not part of it), without surrounding space; each piece stays a span."""
    out = []
    for span in spans:
        pos, span_end = span.start, min(span.end, len(text))
        for gap in [*_BREAK.finditer(text, span.start, span_end), None]:
            start, end = pos, gap.start() if gap else span_end
            pos = gap.end() if gap else span_end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if any(c.isalnum() for c in text[start:end]):
                out.append(Span(start, end, span.label, span.score, span.source))
    return out


NAME_LABELS = ("PERSON", "ORGANIZATION", "LOCATION")
# A person or an organisation: what an office or a glued title is mistaken for.
_PERSON_OR_ORG = ("PERSON", "ORGANIZATION")
_REPEATED_WORD = re.compile(r"\b(\w{2,})\s+\1\b", re.IGNORECASE)


# Exact web forms: their bounds are certain, a statistical span around them is not.
WEB_FORMS = frozenset({"URL", "EMAIL", "USERNAME", "IP_ADDRESS"})


def cut_around_web_forms(text: str, spans: Iterable[Span], is_rule: Callable[[Span], bool]) -> list[Span]:
    """A name, place or organisation candidate that swallowed a URL, e-mail address or handle a
    rule found (a headline run into its link, a retweet marker before a handle) keeps only its
    words outside it, each side as a candidate of its own."""
    spans = list(spans)
    forms = sorted((s.start, s.end) for s in spans if s.label in WEB_FORMS and is_rule(s))
    if not forms:
        return spans
    out = []
    for span in spans:
        inside = [(a, b) for a, b in forms if a < span.end and span.start < b]
        if span.label in WEB_FORMS or not inside:
            out.append(span)
            continue
        pos = span.start
        for a, b in inside + [(span.end, span.end)]:
            start, end = pos, min(a, span.end)
            while start < end and not text[start].isalnum():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if any(c.isalnum() for c in text[start:end]):
                out.append(Span(start, end, span.label, span.score, span.source))
            pos = max(pos, b)
    return out


def drop_repeated_word_names(text: str, spans: Iterable[Span],
                             is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """A name candidate with a word said twice in a row ("filler filler", "no no no") is a stutter,
    a chant or a run of lower-case words a model strung together, not a name; what a rule or the
    program's roster found is kept."""
    return [s for s in spans if s.label not in NAME_LABELS or is_rule(s)
            or not _REPEATED_WORD.search(text, s.start, s.end)]


_NEXT_NOUN = re.compile(r"(['’][sS])?[ \t-]+([^\W\d_]+)")
# A possessive not followed by a capitalised word, which would start a name of its own ("<name>'s
# Foundation").
_BARE_POSSESSIVE = re.compile(r"['’][sS]?(?!\w)(?![ \t]+[A-Z][a-z])")
_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)\.?[ \t]+$")
_NOUN_THEN_HEAD = re.compile(r"[ \t]+([^\W\d_]+)[ \t]+([^\W\d_]+)")
# Not in the possessive: "<name>'s catheter" is that person's.
_EPONYM_USE = re.compile(r"\b([^\W\d_][\w-]*)(?=[ \t]+([^\W\d_]+))")
_POSSESSIVE_END = re.compile(r"['’][sS]?$")


def drop_eponyms(text: str, spans: Iterable[Span], words: WordSense,
                 is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """A name right before a device, procedure or condition word is an eponym ("Foley catheter",
    "Parkinson's disease", "<surname> osteotomy"): the thing's name, which the annotation guide
    keeps readable. So is a span that ends in such a word ("Tuohy needle" found whole), and a place
    that names a device, a technique or a disease ("Boston brace", "Parkland technique", "Lyme
    disease"). A name that names a condition on its own is one in the possessive, its head left out
    ("has Crohn's"). One common noun may stand between a name and its device ("<surname> tunnel
    catheter"), and the device's word alone, found apart from its eponym, is no name either; nor is a
    name right after an examination's finding ("positive <name>'s sign", "negative <name>"), nor a
    word the text writes before a device elsewhere, found alone ("the Foley was irrigated")."""
    def names_a_thing(word: str, may_be_eponym: bool) -> bool:
        return words.is_eponym_head(word) or (may_be_eponym and words.is_clinical_term(word))

    spans = list(spans)
    devices = _device_names(text, words) if any(
        s.label in ("PERSON", "ORGANIZATION") and " " not in text[s.start:s.end] for s in spans) else set()
    out = []
    for span in spans:
        judged = span.label in NAME_LABELS and not is_rule(span)
        # A firm may be named by its trade ("<surname> Osteopathy"), and a person seen by or
        # addressed so before a procedure is still one ("seen by Dr <surname> colonoscopy").
        before = _PREVIOUS_WORD.search(text, max(0, span.start - 40), span.start) if judged else None
        addressed = before is not None and (before.group(1).lower() == "by" or words.is_form_of_address(
            before.group(1).lower()))
        may_be_eponym = span.label == "PERSON" and not addressed
        words_in = text[span.start:span.end].split()
        if judged and len(words_in) > 1 and names_a_thing(words_in[-1].lower(), may_be_eponym):
            continue
        if judged and all(words.is_eponym_head(w.lower()) for w in words_in):
            continue
        right_before = before.group(1) if before and not text[before.end(1):span.start].strip() else ""
        finding = words_in[0] if len(words_in) == 2 else right_before if len(words_in) == 1 else ""
        if judged and words.is_exam_finding(finding.lower()):
            continue
        if (judged and not addressed and len(words_in) == 1 and words.names_a_condition(words_in[0].lower())
                and _BARE_POSSESSIVE.match(text, span.end)):
            continue
        if (judged and not addressed and span.label != "LOCATION" and len(words_in) == 1
                and _POSSESSIVE_END.sub("", words_in[0]).lower() in devices):
            continue
        after = _NEXT_NOUN.match(text, span.end) if judged else None
        if after:
            head = after.group(2).lower()
            if words.is_eponym_condition(head) if after.group(1) else names_a_thing(head, may_be_eponym):
                continue
        # One common noun may stand between the eponym and its device ("<surname> tunnel catheter").
        between = _NOUN_THEN_HEAD.match(text, span.end) if judged and not addressed else None
        if between and (between.group(1).islower() or between.group().isupper()) \
                and words.is_eponym_head(between.group(2).lower()):
            continue
        out.append(span)
    return out


def _device_names(text: str, words: WordSense) -> set[str]:
    """Capitalised words the text writes right before a device's word ("Foley catheter"): such a
    word alone ("the Foley was irrigated") names the same device, unless someone is addressed by it.
    Not a given name: a sentence may open with one before a verb spelled like a device ("Will brace")."""
    return {m.group(1).lower() for m in _EPONYM_USE.finditer(text)
            if m.group(1)[0].isupper() and words.is_eponym_head(m.group(2).lower())
            and not words.is_given_name(m.group(1))}


_CONJUNCTION = re.compile(r"\s+(?:and|&|or)\s+", re.IGNORECASE)
# Between two places any "and" parts them ("Paris and Milan"); an organisation's name may hold
# one ("Children, Young People and Education"), but not "and the" before a second name.
_PLACES_CONJUNCTION = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
_ORGS_CONJUNCTION = re.compile(r"\s+and\s+the\s+(?=[A-Z])")


def split_people(text: str, spans: Iterable[Span]) -> list[Span]:
    """"Gloria and Frank" is two people: each gets its own replacement (and its own tag number),
    and the conjunction stays readable; so are two places and two organisations joined by "and
    the"."""
    conjunctions = {"PERSON": _CONJUNCTION, "LOCATION": _PLACES_CONJUNCTION, "ORGANIZATION": _ORGS_CONJUNCTION}
    out = []
    for span in spans:
        if span.label not in conjunctions:
            out.append(span)
            continue
        pos = span.start
        for gap in [*conjunctions[span.label].finditer(text, span.start, span.end), None]:
            end = gap.start() if gap else span.end
            if end > pos:
                out.append(Span(pos, end, span.label, span.score, span.source))
            pos = gap.end() if gap else span.end
    return out


_EDGE_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_WORD_PART = re.compile(r"[^\W\d_]+")


def trim_person_edges(text: str, spans: Iterable[Span], is_form_of_address: Callable[[str], bool],
                      is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """A title, greeting or role word before a name and a credential after it ("Dr", "Hi",
    "LCSW", "AM") stay readable: the annotation guide leaves them out of the name. A person span
    made only of such words ("Madam Chair") or of one before a lone letter is a form of address,
    not a name, and goes; so does a place or organisation made only of them ("Officer" before a
    name the detector read as a firm). What a rule or the program's roster found is kept as found."""
    out = []
    for span in spans:
        if span.label not in NAME_LABELS or is_rule(span):
            out.append(span)
            continue
        words = list(_EDGE_WORD.finditer(text, span.start, span.end))
        if span.label != "PERSON":
            if not words or not all(is_form_of_address(w.group()) for w in words):
                out.append(span)
            continue
        first, last = 0, len(words)
        while first < last and is_form_of_address(words[first].group()):
            first += 1
        # Only a credential in capitals goes at the end: "Neagle AM", not the "Will" of "Mary Will";
        # a greeting or role word after a full stop starts the next sentence whatever its case.
        while last > first and is_form_of_address(words[last - 1].group()) and (
                words[last - 1].group().isupper() or last >= 2 and words[last - 2].group().endswith(".")):
            last -= 1
        # Only such words, or a title before a lone letter (a role code or placeholder: "Grad C",
        # "Dr. X"): no name at all.
        if first == last and words or first and last - first == 1 and len(words[first].group().strip(".")) == 1:
            continue
        start = words[first].start() if first else span.start
        end = words[last - 1].end() if last < len(words) else span.end
        out.append(Span(start, end, span.label, span.score, span.source))
    return out


def trim_lower_case_edges(text: str, spans: Iterable[Span], words: WordSense,
                          is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """Everyday words in lower case, of English or of another language a note mixes in, at either
    end of a name with capitals ("the <acronym> budget", "so lucky <name>", "<name> compartió")
    are the sentence around it, not the name: a name written with capitals writes its own words
    so. A word that says what a place is ("<name> clinic"), a particle ("de") or an English word a
    name list knows stays; so does a span with no capital (a lower-case chat names in lower case)."""
    def everyday(word: str) -> bool:
        # An everyday word of another language stays one though a name list knows it ("su").
        return word.islower() and ((words.is_common_word(word) and not words.is_known_name(word))
                                   or words.is_foreign_word(word)) \
            and not words.is_name_type_word(word) and not words.is_facility_word(word) \
            and not words.is_name_particle(word)

    out = []
    for span in spans:
        parts = list(_EDGE_WORD.finditer(text, span.start, span.end))
        if span.label not in NAME_LABELS or is_rule(span) or not any(w.group()[0].isupper() for w in parts):
            out.append(span)
            continue
        first, last = 0, len(parts)
        while first < last and everyday(parts[first].group()):
            first += 1
        while last > first and everyday(parts[last - 1].group()):
            last -= 1
        if first == last:
            continue
        start = parts[first].start() if first else span.start
        end = parts[last - 1].end() if last < len(parts) else span.end
        out.append(Span(start, end, span.label, span.score, span.source))
    return out


def _is_credential_glue(glue: re.Match, words: WordSense) -> bool:
    glued = glue.group(2).lower()
    return words.is_credential(glue.group(1).lower()) and (words.is_ordinary(glued) or words.is_job(glued))


def is_credential_glued(word: str, words: WordSense) -> bool:
    """"LCSWCouples": a credential run into an everyday word, which no name grows by."""
    glue = _CREDENTIAL_GLUE.match(word)
    return bool(glue) and glue.end(2) == len(word) and _is_credential_glue(glue, words)


def cut_glued_words(text: str, spans: Iterable[Span], words: WordSense,
                    is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """Text copied out of a page or a table loses the space between a name and what follows it (a
    signature's job title, a column's next cell). Where a span holds a full name from a given name
    on, glued to a word no name list knows or to an office, job or its modifier (surname lists hold
    "President"), every name or organisation span across that point ends there; so does every span
    at a credential run into an everyday word ("LCSWCouples and Family Therapist"): what
    follows it is the profile, and a span that starts there goes."""
    spans = list(spans)
    points = set()
    for span in spans:
        if span.label in _PERSON_OR_ORG and not is_rule(span):
            for glue in _CREDENTIAL_GLUE.finditer(text, span.start, span.end):
                if _is_credential_glue(glue, words):
                    points.add(glue.start())
                    break
            for glue in _GLUE.finditer(text, span.start, span.end):
                before = text[span.start:glue.start()].split()
                word = _EDGE_WORD.match(text, glue.start())
                glued = word.group().lower() if word else ""
                if len(before) >= 2 and words.is_given_name(before[0]) and word and (
                        not words.is_known_name(glued) or words.is_office(glued) or words.is_job(glued)
                        or words.is_office_modifier(glued)):
                    points.add(glue.start())
                    break
    out = []
    for span in spans:
        if span.label in _PERSON_OR_ORG and not is_rule(span):
            inside = [p for p in points if span.start <= p < span.end]
            end = len(text[span.start:min(inside)].rstrip(" ,;")) + span.start if inside else span.end
            if end <= span.start:
                continue
            span = Span(span.start, end, span.label, span.score, span.source)
        out.append(span)
    return out


def drop_offices(text: str, spans: Iterable[Span], words: WordSense,
                 is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """An office is neither a person nor an organisation: the office ("Deputy Prime Minister", a
    portfolio after "of": "Minister of Health") is cut out of name and organisation spans, with the
    pieces other candidates found inside it. What stands before it (a state's or a company's name)
    and a name after it stay, each a span of its own; before a job written as a title stands its
    field in everyday words ("Case Manager", "Marriage & Family Therapist"), part of it, while a
    name or an employer before the field stays, as does a piece another candidate found there. A
    given name before the office word makes that word a surname, and the span stays as it is. A
    piece of a portfolio found without its office word goes too ("Minister of Small Business,
    <portfolio>": `_in_portfolio`)."""
    spans = list(spans)
    offices: list[tuple[int, int, bool]] = []  # office stretches; after "of" a portfolio runs on
    replaced: dict[int, list[Span]] = {}
    for n, span in enumerate(spans):
        if span.label not in _PERSON_OR_ORG or is_rule(span):
            continue
        parts = list(_EDGE_WORD.finditer(text, span.start, span.end))
        lowered = [w.group().lower().strip(".,'’") for w in parts]
        if parts and all(words.is_office_modifier(w) and not words.is_known_name(w) for w in lowered):
            replaced[n] = []  # what is left of an office once its word went elsewhere ("Clinical")
            continue
        found = [i for i, w in enumerate(lowered)
                 if words.is_office(w) or (words.is_job(w) and parts[i].group()[0].isupper())]
        # Jobs in the plural name a firm ("Affiliated Family Counselors") unless a modifier that
        # makes an office leads them ("Certified Peer Specialists").
        if not found and len(lowered) > 1 and words.is_office_modifier(lowered[0]) and lowered[-1].endswith("s") \
                and words.is_job(lowered[-1].removesuffix("s")) and parts[-1].group()[0].isupper():
            found = [len(lowered) - 1]
        if not found or any(words.is_given_name(w.group()) for w in parts[:found[-1]]):
            continue
        last = first = found[-1]
        job = not words.is_office(lowered[last])
        while first and (words.is_office_modifier(lowered[first - 1]) or words.is_office(lowered[first - 1])
                         or (job and words.is_common_word(lowered[first - 1]))):
            first -= 1
        # Pieces inside the office go with it; before a job, only those over the job's own word.
        office_start = parts[last].start() if job else parts[first].start()
        lead = 0
        while lead < first and (words.is_office_modifier(lowered[lead]) or lowered[lead] == "the"):
            lead += 1
        before = [Span(parts[lead].start(), parts[first - 1].end(), span.label, span.score, span.source)] \
            if lead < first else []
        after = parts[last + 1:]
        if not after:
            offices.append((office_start, span.end, False))
            replaced[n] = before
        elif lowered[last + 1] in ("of", "for") and not any(words.is_given_name(w.group()) for w in after):
            offices.append((office_start, span.end, True))
            replaced[n] = before
        elif after[0].group()[0].isupper() and (span.label == "PERSON" or words.is_given_name(after[0].group())):
            offices.append((office_start, after[0].start(), False))
            replaced[n] = [*before, Span(after[0].start(), span.end, span.label, span.score, span.source)]
    portfolio_pieces = {n for n, span in enumerate(spans) if not is_rule(span) and _in_portfolio(text, span, words)}
    if not replaced and not portfolio_pieces:
        return spans
    out = []
    for n, span in enumerate(spans):
        if n in replaced:
            out.extend(replaced[n])
            continue
        if n in portfolio_pieces:
            continue
        inside = [(end, portfolio) for start, end, portfolio in offices if start <= span.start < end]
        if not inside or span.label not in _PERSON_OR_ORG or is_rule(span):
            out.append(span)
            continue
        cut = max(end for end, _ in inside)
        if text[cut:span.end].strip() and not any(portfolio for _, portfolio in inside):
            out.append(Span(cut, span.end, span.label, span.score, span.source))
    return out


# An office's portfolio runs on in capitalised words joined by commas and "and" ("Minister of Small
# Business, Export Promotion and International Trade", "Minister for Justice"); only the last 200
# characters are read.
_PORTFOLIO_BEFORE = re.compile(
    r"\b([^\W\d_]+)[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?(?:[A-Z][\w'’-]*(?:[ \t]+|,[ \t]*|[ \t]+(?:and|&)[ \t]+))*$")


def _in_portfolio(text: str, span: Span, words: WordSense) -> bool:
    """Is the span a piece of an office's portfolio, found without the office word? A portfolio is
    made of everyday words ("Public Safety", "Health"): a place a mayor is of, or a name after the
    portfolio ("Minister of Health, <surname>"), is not."""
    if span.label not in _PERSON_OR_ORG:
        return False
    window = max(0, span.start - 200)
    line_start = max(text.rfind("\n", window, span.start) + 1, window)
    if " of " not in text[line_start:span.start] and " for " not in text[line_start:span.start]:
        return False
    before = _PORTFOLIO_BEFORE.search(text, line_start, span.start)
    return before is not None and words.is_office(before.group(1).lower()) and all(
        w.group().lower() in ("and", "&") or (words.is_common_word(w.group().lower())
                                             and not words.is_given_name(w.group()))
        for w in _EDGE_WORD.finditer(text, span.start, span.end))


def in_alphabet_order(word: str) -> bool:
    """Letters one after another in the alphabet ("ABC", "xyz"): what reports write for a withheld name."""
    return word.isalpha() and all(ord(b) - ord(a) == 1 for a, b in zip(word.lower(), word[1:].lower()))


def is_placeholder_number(value: str) -> bool:
    """Digits counting up ("12345", "123-456-7890"), what reports write for a withheld number."""
    digits = [int(c) for c in value if c.isdigit()]
    return len(digits) >= 5 and not re.search(r"[^\d\s().-]", value) \
        and all(b == (a + 1) % 10 for a, b in zip(digits, digits[1:]))


# A number (or a range of them) and the unit after it, units joined by "/" ("20 MCG/KG/MIN"); not
# across a tab (a table's next cell), nor a letter with a full stop (an initial: "2026<tab>G. <name>").
_QUANTITY = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?:[ ]?-[ ]?\d+(?:[.,]\d+)?)?[ ]?"
                       r"([^\W\d_]+(?:/[^\W\d_]+)*)(?!\w)(?<!\b\w(?=\.))")


def cut_quantities(text: str, spans: Iterable[Span], words: WordSense,
                   is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """A dose or a reading, a number and its unit of measure ("2 GM", "82 KG"), is part of no
    name, and a unit after its number is none: in capitals a case-restoring NER reads "GM" as a
    firm. A person, place or organisation loses it; what is left on either side stays."""
    out = []
    for span in spans:
        if span.label not in NAME_LABELS or is_rule(span):
            out.append(span)
            continue
        # From a little before the span: its number may stand just before it ("1500 ML").
        cuts = [m.span() for m in _QUANTITY.finditer(text, max(0, span.start - 12), span.end)
                if m.end() > span.start and all(words.is_measure(u.lower()) for u in m.group(1).split("/"))]
        if not cuts:
            out.append(span)
            continue
        pos = span.start
        for cut_start, cut_end in [*cuts, (span.end, span.end)]:
            piece = [m.start() for m in _WORD_CHAR.finditer(text, pos, min(cut_start, span.end))]
            if piece and any(c.isalpha() for c in text[piece[0]:piece[-1] + 1]):
                out.append(Span(piece[0], piece[-1] + 1, span.label, span.score, span.source))
            pos = max(pos, cut_end)
    return out


def drop_placeholders(text: str, spans: Iterable[Span], words: WordSense,
                      is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """A placeholder already replaces a name (the annotation guide: "Dr. XYZ", "ABC Hospital"): a
    person made only of letter runs, a place or organisation whose letter run stands before what
    kind of place it is, or a number counting up ("MRN 123456") is no identifier."""
    out = []
    for span in spans:
        if not is_rule(span):
            if is_placeholder_number(text[span.start:span.end]):
                continue
            parts = [w.lower() for w in _WORD_PART.findall(text, span.start, span.end)]
            runs = [len(w) >= 3 and in_alphabet_order(w) for w in parts]
            if span.label in NAME_LABELS and any(runs) and (
                    all(runs) if span.label == "PERSON"
                    else any(words.is_facility_word(w) or words.is_name_type_word(w) for w in parts)):
                continue
        out.append(span)
    return out


def drop_methods(text: str, spans: Iterable[Span], words: WordSense,
                 is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """A therapy, curriculum or kind of service named in capitals ("Acceptance and Commitment
    Therapy") is no person or organisation: a span ending in a method word whose other words are
    all ordinary (no rare word, given name or town) goes, with the pieces other candidates found
    inside it. After "for" or "of" the method is not the head ("Institute for ... Therapy").
    So does a part of a hospital named only by the domain's vocabulary ("Podiatry Clinic"), and a
    piece of such a title found alone ("Support" of "Peer Support Services")."""
    spans = list(spans)

    def names_a_kind(start: int, end: int) -> bool:
        lowered = [w.lower() for w in _WORD_PART.findall(text, start, end)]
        if not lowered or "for" in lowered or "of" in lowered:
            return False
        head, others = lowered[-1], lowered[:-1]
        return (words.is_method(head) and all(words.is_ordinary(w) for w in others)) or (
            words.is_unit(head) and all(words.is_vocabulary(w) and words.is_ordinary(w) for w in others))

    kinds = []
    for span in spans:
        if span.label in _PERSON_OR_ORG and not is_rule(span):
            kinds += [run for run in {(span.start, span.end), _title_run(text, span.start, span.end)}
                      if names_a_kind(*run)]
    return [span for span in spans if span.label not in _PERSON_OR_ORG or is_rule(span)
            or not any(start <= span.start and span.end <= end for start, end in kinds)]


# Title-case words and the "and" between them, on either side of a span.
_TITLE_BEFORE = re.compile(r"(?:^|(?<=[ \t]))(?:[A-Z][a-z'’-]+|and|&)[ \t]+$")
_TITLE_AFTER = re.compile(r"[ \t]+(?:[A-Z][a-z'’-]+|and|&)(?![\w'’-])")
_LEADING_AND = re.compile(r"(?:and|&)[ \t]+")
_TRAILING_AND = re.compile(r"[ \t]+(?:and|&)$")


def _title_run(text: str, start: int, end: int, most: int = 6) -> tuple[int, int]:
    """The span grown over the title-case words around it on its line ("Peer Recovery Support
    Services" around "Support"), at most `most` words each side (a title is short; a line of
    headline case is not one), never ending in "and"."""
    for _ in range(most):
        if (before := _TITLE_BEFORE.search(text, max(0, start - 40), start)) is None:
            break
        start = before.start()
    for _ in range(most):
        if (after := _TITLE_AFTER.match(text, end)) is None:
            break
        end = after.end()
    while (edge := _LEADING_AND.match(text, start, end)) is not None:
        start = edge.end()
    while (edge := _TRAILING_AND.search(text, start, end)) is not None:
        end = edge.start()
    return start, end


def trim_closing_punctuation(text: str, spans: Iterable[Span]) -> list[Span]:
    """Leave a closing comma, colon or sentence's full stop outside the replacement, so the
    sentence around it stays whole; the full stop of an initial or abbreviation stays inside."""
    out = []
    for span in spans:
        end = span.end
        while end > span.start and text[end - 1] in _CLOSING and not (
                text[end - 1] == "." and _ABBREVIATION_DOT.search(text, span.start, end)):
            end -= 1
        if end > span.start:
            out.append(Span(span.start, end, span.label, span.score, span.source))
    return out


def expand_to_tokens(text: str, spans: Iterable[Span]) -> list[Span]:
    """Grow each span to whole words, so no fragment of an identifier is left beside a tag."""
    out = []
    for span in spans:
        start, end = span.start, span.end
        # "Min" -> "Min-ji", "Baptiste" -> "Finch-Baptiste": a hyphenated name is one identifier;
        # an age in words is not its unit ("three" of "three-year-old").
        joins = span.label != "AGE"
        # Words glued without a space ("...OkaforMarriage") are two words (cut_glued_words).
        while start > 0 and not _GLUE.match(text, start) and (_WORD_CHAR.match(text[start - 1]) or (
                joins and text[start - 1] == "-" and start >= 2 and text[start - 2].isalpha()
                and text[start].isalpha())):
            start -= 1
        while end < len(text) and not _GLUE.match(text, end) and (_WORD_CHAR.match(text[end]) or (
                joins and text[end] == "-" and end + 1 < len(text) and text[end + 1].isalpha()
                and text[end - 1].isalpha())):
            end += 1
        out.append(Span(start, end, span.label, span.score, span.source))
    return out


def merge(spans: Iterable[Span], text: str) -> list[Span]:
    """Merge overlapping spans and same-label spans separated only by spaces ("Maria" + "Lopez" ->
    "Maria Lopez"), so one identifier gets one replacement. The merged span takes the label of its
    strongest piece by score times length (a street address beats the street name inside it)."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    groups: list[list[Span]] = []
    end = -1
    for span in ordered:
        if groups:
            last = groups[-1]
            gap = text[end:span.start]
            overlaps = span.start < end
            touching = any(s.label == span.label for s in last) and (
                gap == "" or (gap.isspace() and not _BREAK.search(gap) and len(gap) <= 2))
            if overlaps or touching:
                last.append(span)
                end = max(end, span.end)
                continue
        groups.append([span])
        end = span.end
    merged = []
    for group in groups:
        if len(group) == 1:
            merged.append(group[0])
            continue
        best = max(group, key=lambda s: (s.score * (s.end - s.start), s.score))
        merged.append(Span(group[0].start, max(s.end for s in group), best.label, max(s.score for s in group),
                           best.source))
    return merged


def propagate(text: str, spans: list[Span], is_name_part: Callable[[str], bool],
              is_everyday_word: Callable[[str], bool], min_score: float = 0.0,
              is_common_word: Callable[[str], bool] = lambda word: True) -> list[Span]:
    """Add every other mention of values already detected in the document with a score of at
    least `min_score` (a doubtful span is not copied everywhere).

    Person names contribute each name word too ("Maria Lopez" -> later "maria", "Lopez"), an
    organisation its first word when that is rare in English ("Cornerstone of Recovery" ->
    "Cornerstone's").
    Words that are also everyday words (Hope, Will) are only matched in the same case.
    """
    terms: dict[str, str] = {}
    same_case: set[str] = set()
    for span in spans:
        if span.label not in PROPAGATED or span.score < min_score:
            continue
        value = text[span.start:span.end].strip()
        if len(value) < 2:
            continue
        terms.setdefault(value, span.label)
        words = [re.sub(r"['’][sS]$", "", w) for w in re.findall(r"[^\W\d_][\w'’-]*", value)]
        if span.label == "PERSON":
            for word in words:
                if len(word) >= 2 and is_name_part(word):
                    terms.setdefault(word, "PERSON")
        # An organisation is named again by its first word when that word is rare in English,
        # written as in its name ("wellness" is not the "Wellness" of a centre).
        elif span.label == "ORGANIZATION" and len(words) > 1 and len(words[0]) > 2 and words[0][0].isupper() \
                and not is_common_word(words[0].lower()):
            terms.setdefault(words[0], span.label)
            same_case.add(words[0])
    if not terms:
        return spans
    found = list(spans)
    # One alternation per case mode, longest first so a full name wins over its parts.
    exact = sorted((t for t in terms if t in same_case or is_everyday_word(t)), key=len, reverse=True)
    folded = sorted((t for t in terms if t not in same_case and not is_everyday_word(t)), key=len, reverse=True)
    for group, flags in ((exact, 0), (folded, re.IGNORECASE)):
        if not group:
            continue
        labels = {(t if not flags else t.lower()): terms[t] for t in group}
        # Not the "Don" of "Don't": a contraction's n't is no possessive.
        pattern = re.compile(r"(?<![\w@.])(?:" + "|".join(map(re.escape, group)) + r")(?![\w@]|['’]t\b)", flags)
        for match in pattern.finditer(text):
            key = match.group() if not flags else match.group().lower()
            found.append(Span(match.start(), match.end(), labels[key], 0.5, "propagated"))
    return found


_WORD_BEFORE = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)?)[ \t]$")
# A lookahead, so that every word is tried as the first of a pair.
_WORD_THEN_NAME = re.compile(r"(?<![\w-])(?=([^\W\d_]+(?:-[^\W\d_]+)?)[ \t]([A-Z][^\W\d_]+)\b)")
# A region is kept as a rule's match is: the country in it is certain, the compass point a word.
REGION_SCORE = 0.85


def take_compass_points(text: str, spans: Iterable[Span], words: WordSense) -> list[Span]:
    """A compass point before a place is part of it ("south-east <town>"), and before a country it
    names a region, a place though the country alone is not one ("north Wales")."""
    out = []
    for span in spans:
        before = _WORD_BEFORE.search(text[max(0, span.start - 24):span.start]) if span.label == "LOCATION" else None
        if before and words.is_compass_point(before.group(1).lower()):
            span = Span(span.start - len(before.group(0)), span.end, span.label, span.score, span.source)
        out.append(span)
    return out + [Span(m.start(1), m.end(2), "LOCATION", REGION_SCORE, "redact:region")
                  for m in _WORD_THEN_NAME.finditer(text)
                  if words.is_compass_point(m.group(1).lower()) and words.is_country(m.group(2).lower())]


_TYPE_WORD_AFTER = re.compile(r",?[ \t]([^\W\d_]+)(\.?)")
_PLACE_OR_ORG = ("LOCATION", "ORGANIZATION")
# Mid-sentence: after a word, comma or link, not after a sentence's end or at a line's start.
_THE_MID_SENTENCE = re.compile(r"(?<=[\w,;:)\"”'’][ \t])The[ \t]$")


def take_name_affixes(text: str, spans: Iterable[Span], words: WordSense) -> list[Span]:
    """A place or organisation grows over the word that says what it is ("<town> station", "<firm>,
    Inc.", "lake <name>") and over a capitalised "The" mid-sentence ("by The <band>"): half a
    name left beside a placeholder still tells it."""
    out = []
    for span in spans:
        start, end = span.start, span.end
        if span.label in NAME_LABELS:
            # The label may be wrong ("<name> station" read as a person): the words still go with it.
            # A person's name before a word of everyday case is not a place's ("<name> drive home").
            after = _TYPE_WORD_AFTER.match(text, end)
            if after and words.is_name_type_word(after.group(1).lower()) and (
                    after.group(1)[0].isupper() or (span.label != "PERSON" and not after.group().startswith(","))):
                end = after.end()
            before = _WORD_BEFORE.search(text[max(0, start - 24):start])
            if before and words.is_name_lead_word(before.group(1).lower()):
                start -= len(before.group(0))
            elif span.label in _PLACE_OR_ORG and _THE_MID_SENTENCE.search(text, max(0, start - 6), start):
                start -= 4
        out.append(Span(start, end, span.label, span.score, span.source))
    return out


# Numbers coordinated with an age are ages ("18 or 19", "14, 15, 16"), up to one that counts
# something else ("45, 3 kids"): a number followed by punctuation, "old" or a function word.
_AGE_ALTERNATIVE = re.compile(
    r"(?:[ \t]?,[ \t]?(?:or[ \t]|and[ \t])?|[ \t](?:or|to|and)[ \t]|[ \t]?[-–][ \t]?)"
    r"(\d{1,3}|[a-z]+(?:-[a-z]+)?)"
    r"(?=[ \t]?[,.;:!?)\n]|[ \t]?$|[ \t-]years?-old"
    r"|[ \t](?:or|and|to|with|when|at|in|but|so|because|until|then|now|i|he|she|we|they|years?[ \t]old|y/?o)\b)",
    re.IGNORECASE)


def take_age_alternatives(text: str, spans: Iterable[Span], is_number: Callable[[str], bool]) -> list[Span]:
    """Every span, plus the ages coordinated with a kept age."""
    spans = list(spans)
    out = list(spans)
    for span in spans:
        end = span.end
        while span.label == "AGE" and (m := _AGE_ALTERNATIVE.match(text, end)) and is_number(m.group(1)):
            out.append(Span(m.start(1), m.end(1), "AGE", span.score, "redact:age-alternative"))
            end = m.end(1)
    return out


# A time of day written with its date ("May 5, 2026 at 3:15 PM", "2026-05-05T15:15:00Z", "5/5 14:30")
# is one timestamp: the time pins the event down further. A time alone ("group at 3pm") stays.
_TIME_OF_DAY = (r"(?:(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:[ \t]?(?:[ap]m\b|[ap]\.m\.))?"
                r"(?:[ \t]?(?:Z|UTC|GMT|[+-](?:0\d|1[0-4]):?[0-5]\d)\b)?"
                r"|(?:1[0-2]|0?[1-9])[ \t]?(?:[ap]m\b|[ap]\.m\.))(?![\w:])")
ATTACHED_TIME = re.compile(
    rf"(?:,?[ \t]{{1,2}}(?:(?:at|@)[ \t]{{1,2}})?|T|[ \t]?@[ \t]?){_TIME_OF_DAY}(?:[ \t]?[-–][ \t]?{_TIME_OF_DAY})?",
    re.IGNORECASE)


def take_attached_times(text: str, spans: Iterable[Span]) -> list[Span]:
    """Every span, with a date's attached time of day made part of it."""
    out = []
    for span in spans:
        if span.label == "DATE" and (m := ATTACHED_TIME.match(text, span.end)):
            span = Span(span.start, m.end(), span.label, span.score, span.source)
        out.append(span)
    return out


_NEXT_WORD = re.compile(r"[ \t]([A-Z][\w'’-]+)")
_PREV_WORD = re.compile(r"([A-Z][\w'’-]+)[ \t]$")
# The rest of a named speaker's label: capitalised words, then at most a credential ("AM", "MP").
_LABEL_REST = re.compile(r"((?:[ \t][A-Z][\w'’-]+)+?)(?:[ \t][A-Z]{2,4})?")


def extend_names(text: str, spans: list[Span], can_extend: Callable[[str], bool],
                 is_given_name: Callable[[str], bool] = lambda word: False) -> list[Span]:
    """Grow each person span over one capitalised neighbour on each side that can be part of a
    name ("Anjali" + "Raman", "Faith" + "Mbeki"): half a name is still an identifier. A name that
    opens a speaker's label takes the label's other capitalised words, everyday or not ("<given
    name> Hardwick AM:") when it starts with a given name: a label names one speaker (a heading,
    "CHIEF COMPLAINT:", starts with none)."""
    out = []
    for span in spans:
        start, end = span.start, span.end
        if span.label == "PERSON":
            speaker = SPEAKER.match(text, text.rfind("\n", 0, start) + 1)
            label = _LABEL_REST.fullmatch(text, end, speaker.end("label")) \
                if speaker and speaker.start("label") == start and end < speaker.end("label") \
                and is_given_name(text[start:end].split(maxsplit=1)[0]) else None
            after = _NEXT_WORD.match(text, end)
            if label:
                end = label.end(1)
            elif after and can_extend(after.group(1)):
                end = after.end(1)
            before = _PREV_WORD.search(text, max(0, start - 40), start)
            if before and can_extend(before.group(1)):
                start = before.start(1)
        out.append(Span(start, end, span.label, span.score, span.source))
    return out


# What an address is made of besides its street: the labels of the spans it may join, and the
# pieces between them on its line (a comma, spaces; a tab starts another column).
ADDRESS_PART_LABELS = frozenset({"ADDRESS", "LOCATION", "PERSON", "ORGANIZATION", "ZIP", "ID"})
_ADDRESS_GAP = re.compile(r" *, *| +")
_HOUSE_NUMBER = r"\d{1,5}[A-Za-z]?(?:/\d{1,5}[A-Za-z]?)?(?![\w/-])"
_POSTCODE = re.compile(r"\d{4,6}(?:-\d{4})?(?![\w/-])")
_STATE = re.compile(r"[A-Z]{2,3}(?![\w-])")
_PROVINCE = re.compile(r"\(([A-Z]{2})\)")
_WORD_NEXT = re.compile(r" +(?=\w)")
# A postcode, a state's or province's code or a flat's number: what makes a number and a name a street.
_LOCATORS = frozenset({"postcode", "state", "province", "code", "unit"})


@dataclass(frozen=True)
class AddressParts:
    """The pieces an address holds between spans the detector found: a unit ("Flat 4", "Piano 2"),
    a house number, a province's code ("(RM)") and a postcode; a state's code ("ON", "NSW") ends
    it, outside it."""

    unit: re.Pattern
    house: re.Pattern
    lead: re.Pattern
    state_codes: frozenset[str]
    province_codes: frozenset[str]

    @classmethod
    def from_words(cls, unit_words: Iterable[str], state_codes: Iterable[str],
                   province_codes: Iterable[str] = ()) -> AddressParts:
        words = "|".join(re.escape(w).replace(r"\ ", " ") for w in sorted(unit_words, key=len, reverse=True))
        unit = rf"(?i:{words})\.? ?#? ?\d{{1,5}}[A-Za-z]?(?![\w-])" if words else r"(?!)"
        # Before a street or a name: a house number, a unit, or both ("Unit 4, 12 ", "8/3 "); before
        # a street's number, the flat's with a slash ("24/" of "24/37 Lambert Mount").
        lead = re.compile(rf"(?<![\w/.-])(?:{unit} *,? +(?:{_HOUSE_NUMBER} *,? +)?|{_HOUSE_NUMBER} *,? +|\d{{1,5}}/)$")
        return cls(re.compile(unit), re.compile(_HOUSE_NUMBER), lead, frozenset(state_codes),
                   frozenset(province_codes))

    def match(self, text: str, pos: int) -> tuple[str, int] | None:
        """(kind, end) of the piece that starts at pos, if any."""
        if found := self.unit.match(text, pos):
            return "unit", found.end()
        if (found := _PROVINCE.match(text, pos)) and found.group(1) in self.province_codes:
            return "province", found.end()
        if (found := _STATE.match(text, pos)) and found.group() in self.state_codes:
            return "state", found.end()
        if found := _POSTCODE.match(text, pos):
            return "postcode", found.end()
        if found := self.house.match(text, pos):
            return "house", found.end()
        return None


def _part_kind(span: Span) -> str:
    return "street" if span.label == "ADDRESS" else "code" if span.label in ("ZIP", "ID") else "name"


def _address_run(text: str, spans: list[Span], i: int, parts: AddressParts) -> list[tuple[str, int, int, int]]:
    """(kind, start, end, spans consumed) of each piece of the run of address parts that starts with
    spans[i], on its line: spans of the part labels and the pieces between them. A state's code follows a
    town and comes last or before a postcode (an "ON" or "IN" in capitals is a word otherwise), and
    ends the run; a house number that ends it is left out (the "3" of "12 Oak St, 3 blocks away")."""
    run = [(_part_kind(spans[i]), spans[i].start, spans[i].end, i + 1)]
    while gap := _ADDRESS_GAP.match(text, run[-1][2]):
        at, taken = gap.end(), run[-1][3]
        nxt = spans[taken] if taken < len(spans) else None
        if nxt is not None and nxt.start == at and nxt.label in ADDRESS_PART_LABELS:
            if text[nxt.start:nxt.end] in parts.state_codes:  # a state read as a name: stays its own span
                if run[-1][0] == "name":
                    run.append(("state", at, nxt.end, taken))
                break
            run.append((_part_kind(nxt), at, nxt.end, taken + 1))
            # A town read together with its state ("Lawrenceville GA"): the state ends the address.
            town, _, state = text[nxt.start:nxt.end].rpartition(" ")
            if town.strip(" ,") and state in parts.state_codes and run[-1][0] == "name":
                run[-1] = ("name", at, nxt.start + len(town.rstrip(" ,")), taken + 1)
                run.append(("state", nxt.end - len(state), nxt.end, taken + 1))
                break
            continue
        piece = parts.match(text, at)
        if piece is None or (nxt is not None and piece[1] > nxt.start):
            break
        kind, end = piece
        if kind == "state":
            word_next = _WORD_NEXT.match(text, end)
            followed = word_next is None or _POSTCODE.match(text, word_next.end()) or (
                nxt is not None and nxt.start == word_next.end() and _part_kind(nxt) == "code")
            if run[-1][0] == "name" and followed:
                run.append((kind, at, end, taken))
            break
        run.append((kind, at, end, taken))
    while run[-1][0] == "house":
        run.pop()
    return run


# What each piece after the street is, written out: a town (however the detector labelled it), a
# province, a postcode.
_PIECE_LABELS = {"name": "LOCATION", "province": "LOCATION", "code": "ZIP", "postcode": "ZIP"}


def _address_pieces(run: list[tuple[str, int, int, int]], start: int, score: float) -> list[Span]:
    """The run as written out: the street with its house number and unit as one address span,
    commas inside ("1420 Oak Street, Apt 3B", as the annotation guide writes it); then each town,
    province and postcode a place or postcode of its own, the commas between them kept; a state's
    code that closes the run stays."""
    pieces = [piece for piece in run if piece[0] != "state"]
    street = 1
    while street < len(pieces) and pieces[street][0] in ("house", "unit"):
        street += 1
    out = [Span(start, pieces[street - 1][2], "ADDRESS", score, "address-parts")]
    for kind, at, end, _ in pieces[street:]:
        if kind == "province":
            at, end = at + 1, end - 1  # the code, inside its brackets
        out.append(Span(at, end, _PIECE_LABELS.get(kind, "ADDRESS"), score, "address-parts"))
    return out


def join_address_parts(text: str, spans: Iterable[Span], parts: AddressParts) -> list[Span]:
    """An address written out whole ("14 Birch Glade, Port Moody, BC V3H 1A1") is found whole: the
    house number, unit, town, province and postcode beside a street on its line are joined to it
    (_address_pieces says how it is written out), whatever the detector made of them alone. A run
    starts at a street with its number: an address span, or a name with a house number before or
    after it that a locator (postcode, state or province code, unit) confirms. What comes before
    the street (an organisation's name) keeps its own span."""
    spans = sorted(spans, key=lambda s: (s.start, -s.end))
    out: list[Span] = []
    other_end = 0  # where the last identifier other than an address ends
    i = 0
    while i < len(spans):
        first = spans[i]
        if first.label not in ADDRESS_PART_LABELS:
            out.append(first)
            other_end = max(other_end, first.end)
            i += 1
            continue
        run = _address_run(text, spans, i, parts)
        kinds = [kind for kind, *_ in run]
        # A number before the street that no other identifier holds (not the year of a date).
        reach = max(first.start - 40, other_end, 0)
        lead = parts.lead.search(text, reach, first.start) if kinds[0] != "code" else None
        if kinds[0] == "street":
            # A street with its number: a named one alone ("... Recovery Circle") may be a group's name.
            numbered = lead is not None or any(c.isdigit() for c in text[first.start:first.end])
            is_address = numbered and len(kinds) - (kinds[-1] == "state") + bool(lead) >= 2
        else:
            # "Annehof 470": the number right after the name ("Smith, 46," is a person and an age).
            numbered = kinds[0] == "name" and (lead is not None or (
                kinds[1:2] == ["house"] and text[first.end:run[1][1]].isspace()))
            is_address = numbered and not _LOCATORS.isdisjoint(kinds)
        if not is_address:
            out.append(first)
            if first.label != "ADDRESS":
                other_end = max(other_end, first.end)
            i += 1
            continue
        taken = spans[i:run[-1][3]]
        pieces = _address_pieces(run, lead.start() if lead else first.start, max(s.score for s in taken))
        out += pieces
        other_end = max([other_end] + [p.end for p in pieces if p.label != "ADDRESS"])
        i = run[-1][3]
        # The number after the state's code that closes an address is its postcode, not an ID (so
        # a policy that keeps a ZIP's first digits can).
        if kinds[-1] == "state" and (gap := _ADDRESS_GAP.match(text, run[-1][2])):
            for k in range(i, len(spans)):
                if spans[k].start == gap.end() and spans[k].label == "ID":
                    spans[k] = Span(spans[k].start, spans[k].end, "ZIP", spans[k].score, spans[k].source)
                if spans[k].start >= gap.end():
                    break
    return merge(out, text)


def resolve(text: str, spans: Iterable[Span], words: WordSense, propagate_min_score: float = 0.0,
            is_rule: Callable[[Span], bool] = lambda span: False) -> list[Span]:
    """Spans as written out: whole tokens, non-overlapping, every mention of a seen identifier,
    the text's lines, columns and punctuation kept."""
    # Methods before people are split: "Acceptance and Commitment Therapy" is one title.
    spans = cut_quantities(text, split_at_breaks(text, spans), words, is_rule)
    spans = drop_methods(text, take_attached_times(text, spans), words, is_rule)
    spans = drop_repeated_word_names(text, split_people(text, spans), is_rule)
    spans = trim_lower_case_edges(text, cut_glued_words(text, spans, words, is_rule), words, is_rule)
    spans = drop_eponyms(text, drop_offices(text, spans, words, is_rule), words, is_rule)
    spans = merge(expand_to_tokens(text, trim_person_edges(text, spans, words.is_form_of_address, is_rule)), text)
    spans = extend_names(text, spans, words.can_extend, words.is_given_name)
    spans = take_age_alternatives(text, spans, words.is_age_number)
    spans = merge(take_name_affixes(text, take_compass_points(text, spans, words), words), text)
    spans = propagate(text, spans, words.is_name_part, words.matched_in_same_case, propagate_min_score,
                      words.is_common_word)
    spans = merge(split_at_breaks(text, expand_to_tokens(text, spans)), text)
    # Merging, extending and propagating can bring a title, credential or office back beside a
    # name, or copy a name onto an eponym.
    spans = drop_methods(text, drop_eponyms(text, drop_offices(text, spans, words, is_rule), words, is_rule),
                         words, is_rule)
    spans = drop_placeholders(text, spans, words, is_rule)
    return trim_closing_punctuation(text, trim_person_edges(text, spans, words.is_form_of_address, is_rule))
