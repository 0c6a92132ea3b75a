"""Person names beyond what NER sees: speaker labels, titles, kinship words, attendee lists and a
census-name gazetteer gated by capitalisation, part of speech and everyday-word frequency."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from functools import lru_cache

from presidio_analyzer import LocalRecognizer, RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Token
from wordfreq import zipf_frequency

from redact.config import DetectionConfig
from redact.recase import source_text
from redact.recognizers.rows import DELIMITERS

# "[00:03:12] BRENDA:", "FACILITATOR (Anjali):", "[3/14 9:02pm] tina:", "Dr. Okafor:", and a blank
# ("____:") where a name was removed, which still heads a turn.
# A line prefix of timestamps and dates: "[00:03:12]", "2/27 7:03pm", "mon 10:41a", "18:06 -".
STAMP = (r"(?:[\[(][^\]\)\n]{1,32}[\])]|[\d/:.,-]*\d[\d/:.,-]*(?:\s?[ap]\.?m?\.?(?![A-Za-z]))?|"
         r"(?i:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun))")
SPEAKER = re.compile(
    r"^[ \t>*-]*(?:" + STAMP + r"[ \t]*(?:-[ \t]*)?){0,3}"
    r"(?P<label>[^\W\d_][\w.'’ -]{0,38}?|_{3,40})"
    r"(?:[ \t]*\((?P<inner>[^)\n]{1,40})\))?[ \t]*:(?!\d)",
    re.MULTILINE)
LIST_LINE = re.compile(r"^[ \t>*-]*(?P<header>[A-Za-z][A-Za-z -]{1,24}?)[ \t]*(?:\([^)\n]*\))?[ \t]*:"
                       r"[ \t]*(?P<items>[^\n]*)$", re.MULTILINE)
BULLET = re.compile(r"[ \t]*(?:[-•*>~]|o(?=\s)|\d{1,2}[.)])[ \t]+(?P<item>[^\n]+)")
# "Name: Maria Lopez", "Case manager - Dee", "PCP:\tDr. Mai", fields separated by tabs, column
# gaps, | or ;.
FIELD = re.compile(r"(?:^|(?<=\t)|(?<= {2})|(?<=[|;]) ?)[ \t>*-]*(?P<field>[A-Za-z][\w/()' -]{0,32}?)[ \t]*"
                   r"(?:[:=#]|[ \t][-–—][ \t]|\t)[ \t]*(?P<value>[^\n\t|;]+?)(?=\s{2,}|\t|[ \t]?[|;]|[ \t]*$)",
                   re.MULTILINE)
CLOSING = re.compile(r"^[ \t]*(?:thanks|thank you|many thanks|sincerely|respectfully|regards|best|warm regards|"
                     r"kind regards|best regards|warmly|take care|cheers|with gratitude|in service|yours|"
                     r"yours truly|peace|blessings|love)[ \t]*[,!.-]?[ \t]*\n+(?P<name>[^\n]{2,60})$",
                     re.MULTILINE | re.IGNORECASE)
SIGN_OFF = re.compile(r"(?:^|(?<=[.!?]\s))[-~—][ \t]?(?P<name>[A-Z][\w'’.-]+(?:[ \t][A-Z][\w'’.-]+){0,2})[ \t]*$",
                      re.MULTILINE)
QUOTED_NICKNAME = re.compile(r"\b[A-Z][\w'’-]+[ \t]+[\"“'][^\"”'\n]{1,24}[\"”'][ \t]+[A-Z][\w'’-]+")
# A nickname explained by a name, or a name by its nickname: '"Sarge" (Harold Benally, 67)',
# 'Dmitri Volkov ("Dima")', 'Oluwaseun ("Seun")'.
NICKNAME_BEFORE_NAME = re.compile(r"[\"“](?P<nick>[A-Z][\w'’.-]*(?:[ \t][A-Z][\w'’.-]*){0,2})[\"”],?[ \t]*"
                                  r"\((?=[A-Z][a-z]+[ \t][A-Z])")
NICKNAME_AFTER_NAME = re.compile(r"(?<=[A-Za-z][ \t])\([ \t]?(?:aka[ \t]|a\.k\.a\.?[ \t])?"
                                 r"[\"“'](?P<nick>[^\"”'\n]{1,20})[\"”'][ \t]?\)")
_VOWEL = re.compile(r"[aeiouy]")


def is_abbreviated_title(word: str, titles) -> bool:
    """A title written short, which takes a full stop that ends no sentence ("Dr.", "MRS.", "Sgt."):
    one without a vowel. A title spelled out ("Sister", "Doctor") before a stop ends a sentence."""
    w = word.lower()
    return w in titles and not _VOWEL.search(w)


_CASED_ANYWAY = re.compile(r"\b(?:[AaPp]\.?[Mm]\.?|I)\b")
# A blank ("____", what hand redaction and verify's masks leave) stood for a removed word,
# usually a capitalised name: a line is not caseless because its capitals were blanked out.
_BLANK = re.compile(r"_{3,}")
HANDLE = re.compile(r"^[A-Za-z][\w.]*(?:\d|_)[\w.]*$")
HYPHENATED_NAME = re.compile(r"\b[A-Z][a-z]{1,8}-[a-z]{2,8}\b(?!-)")
SURNAME_FIRST = re.compile(r"[^\W\d_][\w'’.-]*(?:[ -][^\W\d_][\w'’.-]*)?,[ \t]*[^\W\d_][\w'’.-]*(?:[ \t][^\W\d_]\.?)?"
                           r"(?=[ \t]*(?:$|[<(\[]))")
HYPHENATED_SURNAME = re.compile(r"\b[A-Z][^\W\d_A-Z]+-[A-Z][^\W\d_A-Z]+\b(?!-)")
LIST_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b|&|\+)\s*")
INITIALS_DOTTED = re.compile(r"(?:[^\W\d_]\.){2,4}")
INITIALS = re.compile(r"^[A-Z]{2,3}$")
NOT_NAME_TAGS = {"MD", "VB", "VBD", "VBZ", "VBP", "VBG", "IN", "DT", "PRP", "PRP$", "RB", "CC", "WDT", "WP"}
# Not at a line start or after a label colon, where headings and titles sit.
TITLE_RUN = re.compile(r"(?<=[^\n:\s][ \t])(?:[A-Z][a-z]+[ \t](?:(?:of|the|and|for|&)[ \t]){0,2}){2,}[A-Z][a-z]+\b")
RARE_PROPER_ZIPF = 2.5
# A name this common in everyday English is mostly the word ("hope", "will"), whatever lists hold it.
EVERYDAY_NAME_ZIPF = 5.0
ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,5}(?:-[A-Z]{1,4})?$")
NAME_TOKEN = re.compile(r"^[^\W\d_][\w'’-]*\.?$")


class NameCueRecognizer(LocalRecognizer):
    """Finds PERSON spans from cues in the text around a name, not the name alone."""

    def __init__(self, config: DetectionConfig) -> None:
        self.names = config.names
        self.lex = config.names.lexicon
        self.word_zipf = config.names.common_word_zipf
        self._orgs_pattern: re.Pattern | None = None
        super().__init__(supported_entities=["PERSON", "ORGANIZATION", "USERNAME", "ADDRESS"],
                         name="redact:name-cues", supported_language="en")

    def load(self) -> None:
        pass

    # --- word judgements -------------------------------------------------------------------
    def is_known_name(self, word: str) -> bool:
        w = word.lower().strip(".'’")
        return w in self.names.first_names or w in self.names.last_names

    def is_first_name(self, word: str) -> bool:
        return word.lower().strip(".'’") in self.names.first_names

    def is_everyday_word(self, word: str) -> bool:
        """A word whose everyday use outweighs its use as a name (hope, will, brown, may)."""
        w = word.lower().strip(".'’")
        return w in self.lex.word_names or _zipf(w) >= EVERYDAY_NAME_ZIPF

    def is_non_name(self, word: str) -> bool:
        w = word.lower().strip(".,'’:;")
        return (w in self.lex.roles or w in self.lex.abbreviations or w in self.lex.titles
                or w in self.lex.not_names or w in self.lex.kinship or w in self.lex.list_headers
                or (w in STOP_WORDS and w not in self.lex.word_names))

    def looks_like_name(self, word: str, caseless: bool) -> bool:
        """A plausible name token: Capitalised (or any case in caseless text), not a known non-name."""
        if not NAME_TOKEN.match(word) or self.is_non_name(word):
            return False
        if word[0].isupper():
            return not (word.isupper() and len(word) > 1 and not caseless and not self.is_known_name(word))
        return caseless and self.is_known_name(word) and not self.is_everyday_word(word)

    # --- analysis -------------------------------------------------------------------------
    def analyze(self, text, entities, nlp_artifacts=None):
        if nlp_artifacts is None or "PERSON" not in entities:
            return []
        doc: Doc = nlp_artifacts.tokens
        # (cue, spans): the cue that proposed a span is evidence for the decision stage.
        people = [
            ("speaker", self._speaker_labels(text)),
            ("list", self._list_items(text)),
            ("field", self._fields(text)),
            ("signature", self._signatures(text)),
            ("row", self._delimited_rows(text)),
            ("quoted-nickname", [(m.start(), m.end(), 0.8) for m in QUOTED_NICKNAME.finditer(text)]),
            ("nickname", [(m.start("nick"), m.end("nick"), 0.7) for pattern in (NICKNAME_BEFORE_NAME,
                                                                                NICKNAME_AFTER_NAME)
                          for m in pattern.finditer(text)]),
            ("hyphenated", self._hyphenated_given_names(text)),
            ("after-cue-word", self._after_cue_words(doc)),
            ("gazetteer", self._gazetteer(doc)),
            ("subject", self._subjects(doc)),
            ("name-run", self._name_runs(doc)),
            ("rare-proper", self._rare_proper_nouns(doc)),
        ]
        groups = [
            ("place-field", self._place_fields(text)),
            ("caseless-facility", self._caseless_facilities(doc)),
            ("title-run", self._title_case_runs(text)),
            ("acronym", self._acronyms(doc)),
            ("known-org", self._caseless_known_orgs(doc)),
        ]
        results = [self._result("PERSON", s, e, score, cue) for cue, found in people for s, e, score in found]
        results += [self._result("ORGANIZATION", s, e, score, cue) for cue, found in groups for s, e, score in found]
        results += [self._result("USERNAME", s, e, 0.75, "handle-speaker") for s, e in self._handle_speakers(text)]
        results += [self._result("ADDRESS", s, e, 0.6, "address-field") for s, e in self._address_fields(text)]
        return [r for r in results if r.end > r.start]

    def _result(self, label: str, start: int, end: int, score: float, cue: str) -> RecognizerResult:
        return RecognizerResult(label, start, end, score,
                                recognition_metadata={"recognizer_name": f"{self.name}:{cue}"})

    def _handle_speakers(self, text: str) -> list[tuple[int, int]]:
        """Chat exports label lines with usernames ("ada_strong:", "rumeysa1527:"); a role numbered
        the way diarization and interview software write it ("SPEAKER_00:", "Spk1:") is no handle."""
        matches = [m for m in SPEAKER.finditer(text) if HANDLE.match(m.group("label").strip())
                   and not self._is_numbered_role(m.group("label"))]
        counts = Counter(m.group("label").strip() for m in matches)
        # Seen twice, or once when it mixes letters and digits like a handle ("darkhorse90").
        return [(m.start("label"), m.start("label") + len(m.group("label").strip()))
                for m in matches if counts[m.group("label").strip()] >= 2
                or (re.search(r"[A-Za-z]{3}", m.group("label")) and re.search(r"\d", m.group("label")))]

    def _is_numbered_role(self, label: str) -> bool:
        role = re.fullmatch(r"\s*([A-Za-z]+)[_ -]?\d{1,3}\s*", label)
        return role is not None and role.group(1).lower() in self.lex.roles

    def _name_words(self, text: str, offset: int, caseless: bool) -> list[tuple[int, int]]:
        """Spans of the name words in a short label ("Dr. Okafor" -> "Okafor")."""
        spans = []
        for m in re.finditer(r"[^\W\d_][\w'’.-]*", text):
            # Initials keep their last dot ("T.O."); other words lose a sentence's full stop.
            word = m.group() if INITIALS_DOTTED.fullmatch(m.group()) else m.group().rstrip(".")
            lowered = word.lower()
            if (self.is_non_name(word) and lowered not in self.lex.word_names) or lowered in self.lex.name_particles:
                continue
            if caseless or word[0].isupper() or self.is_known_name(word):
                spans.append((offset + m.start(), offset + m.start() + len(word)))
        return spans

    def _speaker_labels(self, text: str) -> list[tuple[int, int, float]]:
        matches = list(SPEAKER.finditer(text))
        counts = Counter(m.group("label").strip().lower() for m in matches)
        transcript = sum(counts.values()) >= 3
        found = []
        for m in matches:
            label = m.group("label").strip()
            words = label.split()
            inner = m.group("inner")
            if inner and len(inner.split()) <= 3 and all(
                    self.looks_like_name(w, caseless=False) or self.is_known_name(w)
                    or w.lower().rstrip(".") in self.lex.titles for w in inner.split()):
                found += [(s, e, 0.85) for s, e in self._name_words(inner, m.start("inner"), True)]
            if len(words) > 3 or label.lower() in self.lex.roles or all(
                    self.is_non_name(w) and w.lower() not in self.lex.word_names for w in words):
                continue
            if not all(w.replace("'", "").replace("’", "").replace("-", "").replace(".", "").isalpha()
                       for w in words):
                continue
            # Every word must be able to be a name ("Case manager:" is a field, not a speaker).
            namely = all((self.is_known_name(w) and (not self.is_everyday_word(w) or w.lower() in self.lex.word_names))
                         or _zipf(w.lower()) < 3.5 or (len(w) == 1 and len(words) > 1) for w in words)
            known = namely and any(self.is_known_name(w) for w in words)
            repeated = counts[label.lower()] >= 2 and not all(self.is_everyday_word(w) for w in words)
            # In a transcript, a speaker label that is no everyday word is a name even if heard once.
            rare = transcript and namely
            if not (known or repeated or rare):
                continue
            if not all(w[0].isupper() or w.islower() for w in words):
                continue
            found += [(s, e, 0.8) for s, e in self._name_words(label, m.start("label"), True)]
        return found

    def _items(self, text: str, items: str, items_start: int) -> list[tuple[int, int, float]]:
        """Names in a comma/and-separated list of people."""
        found = []
        pos = 0
        for part in LIST_SPLIT.split(items):
            idx = items.find(part, pos)
            pos = idx + len(part)
            part = re.split(r"\s[-–(:]|\(|\s{2,}", part)[0]
            if not part or any(c.isdigit() for c in part) or len(part.split()) > 4 or "@" in part \
                    or self._names_a_job(part):
                continue
            found += [(s, e, 0.75) for s, e in self._name_words(part, items_start + idx, True)
                      if self.looks_like_name(text[s:e], caseless=True)]
        return found

    def _names_a_job(self, item: str) -> bool:
        """A list item that ends in a job, an office or a role ("the Clinical Supervisor", "two
        Peer Specialists") names who came by what they do, not by name."""
        last = item.split()[-1].lower().strip(".,;")
        return any(w in self.lex.jobs or w in self.lex.offices or w in self.lex.roles
                   for w in (last, last.removesuffix("s")))

    def _list_items(self, text: str) -> list[tuple[int, int, float]]:
        found = []
        for m in LIST_LINE.finditer(text):
            if m.group("header").strip().lower() not in self.lex.list_headers:
                continue
            if m.group("items").strip():
                found += self._items(text, m.group("items"), m.start("items"))
                continue
            # A header alone on its line: the people follow as bullets, up to a blank line.
            pos = m.end() + 1
            while pos < len(text):
                bullet = BULLET.match(text, pos)
                if not bullet:
                    break
                found += self._items(text, bullet.group("item"), bullet.start("item"))
                pos = bullet.end() + 1
        return found

    def _person_value(self, text: str, value: str, start: int, score: float,
                      signed: bool = False) -> list[tuple[int, int, float]]:
        # "KOWALSKI, ANDRZEJ": a surname-first name keeps its given name; other commas end the name.
        surname_first = SURNAME_FIRST.match(value)
        value = surname_first.group() if surname_first else re.split(r"[<(\[,]|\s[-–—/]\s", value)[0]
        words = re.findall(r"[^\W\d_][\w'’.-]*", value)
        if not words or len(words) > 5 or any(c.isdigit() or c == "@" for c in value):
            return []
        # A name, not a sentence: every word must be able to be part of a name. Where the value has
        # capitals, a listed surname written in lower case is a word of a sentence ("Let's begin").
        cased = value != value.lower()

        def name_like(word: str) -> bool:
            w = word.rstrip(".")
            if w.lower() in self.lex.name_particles or (
                    self.is_known_name(w) and not self.is_everyday_word(w) and not (cased and w.islower())):
                return True
            if signed and (w.lower() in self.lex.word_names or len(w) == 1):
                return True  # "thank you\nhope m"
            if self.is_non_name(w) or w.lower() in STOP_WORDS or _is_stop_contraction(w):
                return w.lower() in self.lex.titles
            return w[:1].isupper() or _zipf(w.lower()) < 3.5
        if not all(name_like(w) for w in words):
            return []
        return [(s, e, score) for s, e in self._name_words(value, start, True)]

    def _fields(self, text: str) -> list[tuple[int, int, float]]:
        fields = [(re.sub(r"[_\s]+", " ", m.group("field")).strip().lower(), m.group("value").strip().strip("\"'“”"),
                   m.start("value")) for m in FIELD.finditer(text)]
        # Roles that label the turns of a transcript ("Client:", "Therapist:" again and again, some
        # turns whole sentences) hold what was said, not a name: "Therapist: Wait." A role once,
        # in a note's header, is a field.
        turns = Counter(field for field, _, _ in fields if field in self.lex.person_fields)
        repeated = {field for field, n in turns.items() if n >= 2}
        transcript = any(field in repeated and len(value.split()) > 5 for field, value, _ in fields)
        found = []
        for field, value, pos in fields:
            if value and field in turns and not (transcript and field in repeated):
                found += self._person_value(text, value, text.find(value, pos), 0.7)
        return found

    def _place_fields(self, text: str) -> list[tuple[int, int, float]]:
        found = []
        for m in FIELD.finditer(text):
            field = re.sub(r"[_\s]+", " ", m.group("field")).strip().lower()
            value = m.group("value").strip().strip("\"'“”")
            if value and field in self.lex.place_fields:
                found += self._place_value(value, text.find(value, m.start("value")))
        return found

    def _address_fields(self, text: str) -> list[tuple[int, int]]:
        """The value of an address field ("Address: Wayne/Oak", "lives at: 12 Elm"), unless it
        says the address is withheld or absent."""
        found = []
        for m in FIELD.finditer(text):
            field = re.sub(r"[_\s]+", " ", m.group("field")).strip().lower()
            value = m.group("value").strip()
            if field not in self.lex.address_fields or not value:
                continue
            value = re.split(r"\s[(-]|\(", value)[0].strip()
            words = set(re.findall(r"[a-z/]+", value.lower()))
            if not value or words & self.lex.address_withheld or not re.search(r"\d|[A-Z]|/|&", value):
                continue
            start = text.find(value, m.start("value"))
            found.append((start, start + len(value)))
        return found

    def _place_value(self, value: str, start: int) -> list[tuple[int, int, float]]:
        """A named place in a place field; kinds of places ("phone", "the shelter") stay. A blank
        ends the value: what it replaced was the name, and the words after it are not one."""
        value = re.split(r"\s[-–—(]|\(|,\s(?=[A-Z]{2}\b)|\s@\s|_{3,}", value)[0].strip()
        words = re.findall(r"[\w'’.&-]+", value.lower())
        if not words or len(words) > 7 or any(c.isdigit() for c in value):
            return []
        if all(w in self.lex.generic_place_words or w in self.lex.roles or w in self.lex.abbreviations
               for w in words):
            return []
        lead = re.match(r"(?i)(?:the|a|an)\s+", value)
        offset = lead.end() if lead else 0
        return [(start + offset, start + len(value), 0.6)]

    def _hyphenated_given_names(self, text: str) -> list[tuple[int, int, float]]:
        """"Ji-woo", "Min-ji", "Myung-soo": capitalised, hyphenated, a part no everyday word."""
        found = []
        for m in HYPHENATED_NAME.finditer(text):
            parts = m.group().lower().split("-")
            if min(_zipf(p) for p in parts) < 3.2 and not any(p in self.lex.abbreviations for p in parts):
                found.append((m.start(), m.end(), 0.6))
        # Double-barrelled surnames ("Delgado-Nuñez", "Kelley-Gomez"): both halves can be names.
        for m in HYPHENATED_SURNAME.finditer(text):
            if all(self._could_be_name_part(p) for p in m.group().split("-")):
                found.append((m.start(), m.end(), 0.6))
        return found

    def _caseless_facilities(self, doc: Doc) -> list[tuple[int, int, float]]:
        """"bridgeway treatment center", "RIVERSIDE METHODIST": case gives no hint, the last word does.
        The name is the run of words before it, back to a stop word, role or punctuation."""
        found = []
        for tok in doc:
            if tok.lower_ not in self.lex.facility_words or not _caseless(tok):
                continue
            start = tok.i
            while start > 0 and tok.i - start < 5:
                prev = doc[start - 1]
                if start >= 3 and doc[start - 2].text == "-" and not doc[start - 2].whitespace_ \
                        and not doc[start - 3].whitespace_ and doc[start - 3].is_alpha:
                    start -= 3  # a hyphenated word: "drop-in", "co-op"
                    continue
                if prev.lower_ not in {"'s", "’s", "&", "'"} and (
                        not prev.is_alpha or (prev.is_stop and prev.lower_ not in self.lex.ordinal_words)
                        or (prev.lower_ not in self.lex.generic_place_words
                            and (prev.lower_ in self.lex.roles or prev.lower_ in self.lex.abbreviations))):
                    break
                start -= 1
            words = doc[start:tok.i].text.lower().replace("’", "'").replace("'s", "").split()
            if not words or all(w in self.lex.generic_place_words for w in words):
                continue
            found.append((doc[start].idx, tok.idx + len(tok.text), 0.55))
        return found

    def _title_case_runs(self, text: str) -> list[tuple[int, int, float]]:
        """Three or more capitalised words inside a line ("the Seeking Safety Group", "Grief and
        Loss Group") name a group, program or business, unless every word is program vocabulary
        ("Certified Peer Specialist", "Peer Contact Note")."""
        found = []
        for m in TITLE_RUN.finditer(text):
            start = m.start()
            # "Attend Thursday Night Group", "Judge Mary Huffman": lead-in words are not the name.
            for word in re.findall(r"[A-Za-z]+\s+", m.group()):
                w = word.strip().lower()
                if not (w in STOP_WORDS or w in self.lex.titles or w in self.lex.kinship or w in self.lex.roles
                        or w in self.lex.run_lead_verbs):
                    break
                start += len(word)
            if any(self.is_first_name(w) and not self.is_everyday_word(w) for w in text[start:m.end()].split()):
                continue  # a person's name with a title or a list of people, left to the name cues
            words = [w.lower() for w in re.findall(r"[A-Za-z]+", text[start:m.end()])
                     if w.lower() not in self.lex.run_connectors]
            if len(words) < 2:
                continue
            if all(w in self.lex.roles or w in self.lex.generic_place_words or w in self.lex.abbreviations
                   or w in self.lex.list_headers or w in self.lex.not_names or _zipf(w) >= 5.5 for w in words):
                continue
            found.append((start, m.end(), 0.5))
        return found

    def _signatures(self, text: str) -> list[tuple[int, int, float]]:
        found = []
        for m in CLOSING.finditer(text):
            found += self._person_value(text, m.group("name").strip(), m.start("name") +
                                        (len(m.group("name")) - len(m.group("name").lstrip())), 0.7, signed=True)
        for m in SIGN_OFF.finditer(text):
            found += self._person_value(text, m.group("name"), m.start("name"), 0.65)
        return found

    def _delimited_rows(self, text: str) -> list[tuple[int, int, float]]:
        """Names in fields of delimited rows (attendance exports pasted into notes)."""
        lines = text.splitlines(keepends=True)
        delimiter = next((d for d in DELIMITERS
                          if sum(1 for line in lines if line.count(d) >= 2
                                 and all(len(c.split()) <= 4 for c in line.split(d))) >= 2), None)
        if delimiter is None:
            return []
        found, pos = [], 0
        for line in lines:
            cells = line.rstrip("\n").split(delimiter)
            if line.count(delimiter) >= 2 and all(len(c.split()) <= 4 for c in cells):
                col = 0
                for cell in line.rstrip("\n").split(delimiter):
                    cell_start = pos + col
                    col += len(cell) + len(delimiter)
                    words = re.findall(r"[^\W\d_][\w'’.-]*", cell)
                    if not words or len(words) > 4 or any(c.isdigit() or c == "@" for c in cell):
                        continue
                    if not any(self.is_known_name(w) and not self.is_everyday_word(w) for w in words):
                        continue
                    found += [(s, e, 0.6) for s, e in self._name_words(cell, cell_start, True)
                              if self.looks_like_name(text[s:e], caseless=True) or text[s:e][:1].isupper()]
            pos += len(line)
        return found

    def _following_name(self, doc: Doc, i: int, caseless: bool) -> tuple[int, int] | None:
        """The name starting at token i (1-3 tokens, particles allowed inside), if there is one."""
        if i >= len(doc) or not self.looks_like_name(doc[i].text, caseless):
            return None
        j = i + 1
        while j < len(doc) and j < i + 4:
            tok = doc[j]
            if tok.text.lower() in self.lex.name_particles and j + 1 < len(doc) and doc[j + 1].text[:1].isupper():
                j += 1
                continue
            if tok.text[:1].isupper() and self.looks_like_name(tok.text, False) and not tok.is_sent_start:
                j += 1
                continue
            if caseless and self.is_known_name(tok.text) and not self.is_everyday_word(tok.text):
                j += 1
                continue
            break
        return doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)

    def _after_cue_words(self, doc: Doc) -> list[tuple[int, int, float]]:
        found = []
        for tok in doc:
            word = tok.text.lower().rstrip(".")
            is_title = word in self.lex.titles
            if not (is_title or word in self.lex.kinship):
                continue
            nxt = tok.i + 1
            # A title's own full stop, which spaCy splits off in lower case and capitals ("mr.", "DR.").
            if nxt < len(doc) and doc[nxt].text == "." and not tok.whitespace_ \
                    and is_abbreviated_title(word, self.lex.titles):
                nxt += 1
            while nxt < len(doc) and doc[nxt].text in {",", "(", '"', "“", "'"}:
                nxt += 1
            if nxt >= len(doc):
                continue
            caseless = _caseless(tok)
            candidate = doc[nxt]
            rare = candidate.is_alpha and not candidate.is_stop and _zipf(candidate.lower_) < 4.0
            if candidate.is_punct:
                continue
            if INITIALS.match(candidate.text) and not caseless \
                    and candidate.lower_ not in self.lex.abbreviations and not self.is_non_name(candidate.text):
                found.append((candidate.idx, candidate.idx + len(candidate.text), 0.7))  # "her aunt JJ"
                continue
            if caseless and candidate.is_alpha and candidate.tag_ not in NOT_NAME_TAGS and (
                    (is_title and self.is_known_name(candidate.text))
                    or candidate.lower_ in self.lex.word_names - self.lex.not_names_after_kin):
                # "ms pat", "ur cousin rocky": after a title or kin word a listed name is a name
                found.append((candidate.idx, candidate.idx + len(candidate.text), 0.7))
                continue
            if candidate.is_stop:
                continue
            known_rare = self.is_first_name(candidate.text) and _zipf(candidate.lower_) < 4.5
            if not (candidate.text[:1].isupper() or (caseless and (known_rare or (is_title and rare)))):
                continue
            if caseless and is_title and rare and not self.is_non_name(candidate.text):
                end = nxt + 1
                if end < len(doc) and doc[end].is_alpha and not doc[end].is_stop and _zipf(doc[end].lower_) < 4.0:
                    end += 1
                found.append((candidate.idx, doc[end - 1].idx + len(doc[end - 1].text), 0.75))
                continue
            if candidate.text[:1].isupper() and not is_title and self.is_everyday_word(candidate.text) \
                    and candidate.tag_ not in {"NNP", "NNPS"}:
                continue
            if not is_title and not caseless and not (self._could_be_name_part(candidate.text)
                                                      or self.is_first_name(candidate.text)):
                continue  # "Peer Services", "Peer Support": a kin or role word before an ordinary noun
            span = self._following_name(doc, nxt, caseless)
            if span:
                found.append((*span, 0.8 if is_title else 0.7))
        return found

    def _could_be_name_part(self, word: str) -> bool:
        """A listed name that is not everyday English, or a word too rare to be English at all."""
        if self.is_non_name(word) or self.is_everyday_word(word):
            return False
        return (self.is_known_name(word) and _zipf(word.lower()) < 4.5) or _zipf(word.lower()) < 3.0

    def _subjects(self, doc: Doc) -> list[tuple[int, int, float]]:
        """A capitalised word before a verb that takes a person ("Qadim described", "Summer
        mentioned") or before an age ("Walter (38)", "Summer (age 62)")."""
        found = []
        for tok in doc[:-1]:
            text = tok.text
            if len(text) < 2 or not text.isalpha() or not text[0].isupper() or text.isupper() \
                    or self.is_non_name(text) or text.lower() in self.lex.organizations_lower:
                continue
            if tok.ent_type_ in {"DATE", "TIME", "NORP", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}:
                continue
            nxt = doc[tok.i + 1]
            aged = nxt.text == "(" and tok.i + 2 < len(doc) and (
                doc[tok.i + 2].like_num or doc[tok.i + 2].lower_ in {"age", "aged"})
            if not (aged or nxt.lower_ in self.lex.person_verbs):
                continue
            if _after_determiner(tok):
                continue  # "the front desk lady said": a common noun's phrase, not a name
            listed = self.is_first_name(text) or text.lower() in self.lex.word_names
            # A proper noun that is not common English and says or feels something is proposed
            # (nicknames like "Rafa" are in no list); the decision weighs it.
            uncommon = _zipf(text.lower()) < self.word_zipf
            if listed or (tok.tag_ in {"NNP", "NNPS"} and (self._could_be_name_part(text) or uncommon)):
                found.append((tok.idx, tok.idx + len(text), 0.6))
        return found

    def _leading_given_name(self, tok: Token) -> bool:
        w = tok.lower_
        if w in self.lex.word_names:  # "May Xiong", but not "in May Maria said"
            return not (tok.i > 0 and doc_word(tok.doc, tok.i - 1) in self.lex.month_prepositions)
        return self.is_first_name(tok.text) and not self.is_non_name(tok.text)

    def _caseless_known_orgs(self, doc: Doc) -> list[tuple[int, int, float]]:
        """Store and employer names in lower-case chats and ALL-CAPS transcripts ("price chopper",
        "FEDEX", "amazon"), except names that are everyday words ("target", "subway")."""
        found = []
        for m in self._known_orgs_any_case.finditer(doc.text):
            name = m.group()
            if name.lower() in self.lex.brands_that_are_words:
                continue
            tok = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if tok is not None and _caseless(tok[0]):
                found.append((m.start(), m.end(), 0.6))
        return found

    @property
    def _known_orgs_any_case(self) -> re.Pattern:
        if self._orgs_pattern is None:
            names = sorted(self.lex.organizations, key=len, reverse=True)
            self._orgs_pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)",
                                            re.IGNORECASE)
        return self._orgs_pattern

    def _acronyms(self, doc: Doc) -> list[tuple[int, int, float]]:
        """An unknown acronym after a preposition of place or affiliation in cased text ("retired
        from NCR", "certification through the TDMHSAS", "referral to ACCES-VR"): an organisation.
        Clinical and program shorthand is in the abbreviations list and stays."""
        found = []
        for tok in doc:
            text = tok.text
            if not (3 <= len(text) <= 9 and ACRONYM.match(text)) or _caseless(tok) or tok.i == 0:
                continue
            prev = doc[tok.i - 1].lower_ if doc[tok.i - 1].lower_ != "the" or tok.i < 2 else doc[tok.i - 2].lower_
            if prev not in self.lex.acronym_cues or text.lower() in self.lex.abbreviations \
                    or text.lower().split("-")[0] in self.lex.abbreviations or self.is_non_name(text):
                continue
            found.append((tok.idx, tok.idx + len(text), 0.5))
        return found

    def _rare_proper_nouns(self, doc: Doc) -> list[tuple[int, int, float]]:
        """A capitalised word inside a sentence that is too rare to be English ("Théophile",
        "Onveer", "Olathe"): in these notes almost always a person's or place's name."""
        found = []
        for tok in doc:
            text = tok.text
            if len(text) < 3 or not text.isalpha() or not text[0].isupper() or text.isupper() \
                    or tok.is_sent_start or _caseless(tok) or self.is_non_name(text) \
                    or text.lower() in self.lex.organizations_lower or text.lower() in self.lex.medications:
                continue
            if _zipf(text.lower()) < RARE_PROPER_ZIPF:
                found.append((tok.idx, tok.idx + len(text), 0.45))
        return found

    def _name_runs(self, doc: Doc) -> list[tuple[int, int, float]]:
        """Two or three capitalised words in a row that can each be part of a name ("Giustino
        Memon", "Destiny Hernandez"): a full name NER did not see."""
        found, i = [], 0
        while i < len(doc):
            j = i
            while j < len(doc) and j - i < 3 and doc[j].is_alpha and doc[j].text[0].isupper() \
                    and not doc[j].text.isupper() and (j == i or "\n" not in doc[j - 1].whitespace_) \
                    and (self._could_be_name_part(doc[j].text)
                         # a given name that is also a word ("May Xiong") leads a run of names
                         or (j == i and self._leading_given_name(doc[j]))):
                j += 1
            if j - i >= 2 and not self._could_be_name_part(doc[i + 1].text):
                j = i + 1
            if j - i >= 2:
                found.append((doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text), 0.55))
            i = max(j, i + 1)
        return found

    def _gazetteer(self, doc: Doc) -> list[tuple[int, int, float]]:
        found = []
        for tok in doc:
            text = tok.text
            if len(text) < 2 or not text.isalpha() or not self.is_known_name(text) or self.is_non_name(text):
                continue
            if tok.ent_type_ and tok.ent_type_ not in {"PERSON", "ORG"}:
                continue  # the model placed it in a date, place or number: let NER decide
            caseless = _caseless(tok)
            everyday = self.is_everyday_word(text)
            if caseless:
                # Lower-case chat or ALL-CAPS transcripts: only names rare as everyday words, and
                # not a unit after a number ("20 min").
                if everyday or not self.is_first_name(text) or _zipf(text.lower()) >= self.word_zipf + 1.2 \
                        or (tok.i > 0 and doc[tok.i - 1].like_num):
                    continue
                found.append((tok.idx, tok.idx + len(text), 0.55))
            elif text[0].isupper() and not text.isupper():
                sent_start = tok.is_sent_start or tok.i == 0 or "\n" in doc[tok.i - 1].whitespace_ \
                    or "\n" in doc[tok.i - 1].text or doc[tok.i - 1].text in {"-", "*", "•", ">"}
                if everyday and (sent_start or tok.tag_ not in {"NNP", "NNPS"}):
                    continue
                followed_by_verb = tok.i + 1 < len(doc) and doc[tok.i + 1].tag_ in {"VBD", "VBZ"}
                if tok.tag_ not in {"NNP", "NNPS"} and sent_start and not (followed_by_verb and not everyday):
                    continue
                found.append((tok.idx, tok.idx + len(text), 0.5 if everyday else 0.6))
        return found


def doc_word(doc: Doc, i: int) -> str:
    return doc[i].lower_


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


def _caseless(tok: Token) -> bool:
    """True when the token's line carries no case information (all lower or all upper)."""
    starts, flags = _line_cases(tok.doc)
    return flags[bisect_right(starts, tok.idx) - 1]


_CONTRACTION = re.compile(r"([^\W\d_]+)['’](?:s|re|m|ll|d|ve)", re.IGNORECASE)


def _is_stop_contraction(word: str) -> bool:
    """A pronoun or auxiliary with its clitic ("She's", "We're", "I'm"): a sentence's words, never
    a name ("O'Brien" and "D'Angelo" keep a name after the apostrophe)."""
    match = _CONTRACTION.fullmatch(word)
    return match is not None and match.group(1).lower() in STOP_WORDS


def _line_cases(doc: Doc) -> tuple[list[int], list[bool]]:
    """Line start offsets and caseless flags of a doc, computed once per doc (long lines are
    common in exports, so nothing here may be quadratic)."""
    cached = doc.user_data.get("redact_line_cases")
    if cached is None:
        starts, flags, pos = [], [], 0
        for line in source_text(doc).split("\n"):
            starts.append(pos)
            flags.append(_line_is_caseless(line))
            pos += len(line) + 1
        cached = doc.user_data["redact_line_cases"] = (starts, flags)
    return cached


def _after_determiner(tok: Token) -> bool:
    """Does a determiner or possessive open the word's phrase, over lower-case nouns and adjectives
    ("the front desk <word>", "my <word>")?"""
    for prev in reversed(tok.doc[max(0, tok.i - 3):tok.i]):
        if prev.tag_ in ("DT", "PRP$"):
            return True
        if not (prev.tag_ in ("NN", "NNS", "JJ") and prev.text.islower()):
            return False
    return False


def _line_is_caseless(line: str) -> bool:
    # Ignore a leading speaker label or timestamp ("[5/30 6:10 AM] BECCA:"), often cased on its
    # own, and AM/PM and "I", which phones capitalise in otherwise lower-case chats.
    speaker = SPEAKER.match(line)
    body = _CASED_ANYWAY.sub("", line[speaker.end():] if speaker else line)
    blanks = len(_BLANK.findall(body))
    letters = sum(c.isalpha() for c in body) + blanks
    if letters < 8:
        return False
    upper = sum(c.isupper() for c in body) + blanks
    return upper <= max(1, letters // 60) or upper >= letters * 0.9
