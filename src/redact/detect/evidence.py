"""Evidence per candidate span: what the recognizers, the spaCy pipeline, the word lists and the
rest of the document say about it, as one row of numbers for the learned decision (decide.py).

Pure functions of (doc, candidates, resources); nothing here decides.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc
from wordfreq import get_frequency_dict, zipf_frequency

from redact.config import DetectionConfig
from redact.recase import source_text
from redact.recognizers.names import _BLANK, INITIALS_DOTTED, SPEAKER, _line_cases, _zipf, is_abbreviated_title
from redact.resolve import NAME_LABELS, in_alphabet_order
from redact.spans import Span

# The features, in the order the model reads them. Categorical ones are encoded with the
# vocabularies stored beside the model (decide.py).
CATEGORICAL = ("label", "source", "pos", "ner_label")
NUMERIC = (
    "score", "chars", "words", "digit_share", "title_case", "upper", "lower", "line_upper", "line_lower",
    "doc_caseless_share", "zipf_min", "zipf_max", "zipf_mean", "first_name", "last_name", "all_names",
    "town", "world_place", "country", "role_word", "abbreviation", "medication", "title_or_kin", "not_name", "filler",
    "speaker_label", "speaker_repeats", "speaker_role_word", "speaker_role_label", "speaker_is_heading", "line_start",
    "sent_start", "ner_any", "ner_same", "n_sources", "max_other_score", "doc_count", "doc_cap_share",
    "prev_title_kin", "prev_place_word", "prev_at_sign", "next_colon", "next_digit", "in_parens",
    "line_chars", "after_colon", "line_title_share", "span_lower_words", "span_common_words", "name_share",
    "prev_capitalised", "next_capitalised", "domain_share", "readable", "shape_mean", "shape_min",
    "prev_hash", "camel_humps", "letter_run", "line_known_share", "modifies_noun", "foreign_gain",
    "line_foreign_share",
)
FEATURES = CATEGORICAL + NUMERIC

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_NER_LABELS = {"PERSON": "PERSON", "ORG": "ORGANIZATION", "FAC": "ORGANIZATION", "GPE": "LOCATION",
               "LOC": "LOCATION", "DATE": "DATE"}
_PERSON_OR_PLACE = ("PERSON", "LOCATION")
_PEOPLES_AND_LANGUAGES = ("NORP", "LANGUAGE")
# Zipf frequency from which a word's everyday use outweighs its use as a surname or nickname
# ("channel", "apple", "glad", "quick"; not "walt", 3.9).
EVERYDAY_ZIPF = 4.5
_CLITIC = re.compile(r"['’](?:d|ed|s)$")


def name_ngrams(word: str) -> list[str]:
    """The lower-cased word's character 3- and 4-grams, with ^ and $ marking its ends."""
    marked = f"^{word.lower()}$"
    return [marked[i:i + n] for n in (3, 4) for i in range(len(marked) - n + 1)]


@dataclass(frozen=True)
class Resources:
    """The word lists evidence is read against (all from models/, see config.py)."""

    first_names: frozenset[str]
    last_names: frozenset[str]
    domain_vocabulary: frozenset[str]
    towns: frozenset[str]
    world_places: frozenset[str]
    countries: frozenset[str]
    roles: frozenset[str]
    abbreviations: frozenset[str]
    medications: frozenset[str]
    title_or_kin: frozenset[str]
    not_names: frozenset[str]
    fillers: frozenset[str]
    connectors: frozenset[str]
    place_words: frozenset[str]
    name_shape: dict[str, float]
    other_languages: tuple[str, ...] = ()
    common_noun_names: frozenset[str] = frozenset()
    frequent_first_names: frozenset[str] = frozenset()
    capital_shorthand: frozenset[str] = frozenset()
    # Endings of clinical terms (lexicon `clinical_endings`), as one pattern.
    clinical_ending: re.Pattern | None = None
    word_suffixes: tuple[str, ...] = ()
    word_prefixes: tuple[str, ...] = ()
    # From this Zipf frequency a word is common English (the names settings' `common_word_zipf`).
    common_word_zipf: float = 3.6
    # Words of a field's label that say a person fills it ("physician", "attending", "by").
    person_words: frozenset[str] = frozenset()
    # Words that say a name is an organisation's ("hospital", "center", "inc").
    organisation_words: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: DetectionConfig) -> Resources:
        lex = config.names.lexicon
        return cls(config.names.first_names, config.names.last_names, config.names.domain_vocabulary,
                   frozenset(t.lower() for t in config.places.towns), config.places.world_places,
                   config.places.countries | config.places.state_names, lex.roles, lex.abbreviations,
                   lex.medications | config.names.drugs, lex.titles | lex.kinship, lex.not_names, lex.fillers,
                   lex.run_connectors | lex.name_particles, config.places.cue_words, config.names.name_shape,
                   config.names.other_languages, config.names.common_noun_names,
                   config.names.frequent_first_names, lex.capital_shorthand,
                   re.compile(f"(?:{'|'.join(sorted(lex.clinical_endings))})s?$") if lex.clinical_endings else None,
                   tuple(sorted(lex.word_suffixes)), tuple(sorted(lex.word_prefixes)), config.names.common_word_zipf,
                   frozenset(w for field in lex.person_fields | lex.list_headers | lex.jobs | lex.offices | lex.titles
                             for w in field.split()),
                   lex.facility_words | lex.name_type_words)

    def is_vocabulary(self, word: str) -> bool:
        """A word of the domain's vocabulary: one dozens of unrelated reports use, one built like a
        clinical term ("pericardectomy", "hematuria"), the plural of one ("consolidations") or a rare
        word built from common English ("cueing"); the last three only where no name or place list
        holds the word."""
        w = word.lower()
        return w in self.domain_vocabulary or self.is_clinical_term(word) or self._is_plural_term(w) \
            or self._is_derived_word(w)

    def _is_derived_word(self, w: str) -> bool:
        """A rare word built from common English with an ending or a beginning of the lexicon's
        (`word_suffixes`, `word_prefixes`: "cueing", "shallower", "disallowed", "multilayer") is
        English, not a name, unless a name or place list holds it. A common one ("preacher") is left
        to word frequencies: a nickname may be one."""
        if len(w) < 6 or _zipf(w) >= self.common_word_zipf or self.names_or_places(w):
            return False
        return any(_zipf(stem) >= self.common_word_zipf for stem in self._stems(w))

    def names_or_places(self, w: str) -> bool:
        """Does a given-name, surname, town or world-place list hold the lower-cased word?"""
        return w in self.first_names or w in self.last_names or w in self.towns or w in self.world_places

    def _stems(self, w: str) -> Iterator[str]:
        """The words `w` may be built from: an ending off (with a silent e back, a doubled consonant
        single, an i back to y) or a beginning off, leaving three letters or more (four after a
        beginning)."""
        for suffix in self.word_suffixes:
            stem = w.removesuffix(suffix)
            if stem != w and len(stem) >= 3:
                yield from (stem, stem + "e")
                if len(stem) > 3 and stem[-1] == stem[-2]:
                    yield stem[:-1]
                if stem.endswith("i"):
                    yield stem[:-1] + "y"
        for prefix in self.word_prefixes:
            if w.startswith(prefix) and len(w) - len(prefix) >= 4:
                yield w[len(prefix):]

    def _is_plural_term(self, w: str) -> bool:
        """The plural of a vocabulary word that is no everyday English ("consolidations", "vertebrals"):
        reports pluralise terms the vocabulary lists once. Not a word a name or place list holds
        ("Burns"), nor an everyday word's plural, which may name a group ("Conservatives")."""
        if len(w) < 5 or not w.endswith("s") or w.endswith("ss"):
            return False
        singulars = [w[:-1]] + ([w[:-2]] if w.endswith("es") else []) + ([w[:-3] + "y"] if w.endswith("ies") else [])
        return any(s in self.domain_vocabulary and _zipf(s) < EVERYDAY_ZIPF for s in singulars) \
            and not self.names_or_places(w)

    def is_clinical_term(self, word: str) -> bool:
        """A word of seven letters or more built like a clinical term (lexicon `clinical_endings`)
        that no name or place list holds."""
        w = word.lower()
        return (len(w) >= 7 and self.clinical_ending is not None and self.clinical_ending.search(w) is not None
                and not self.names_or_places(w))

    @cached_property
    def _sorted_vocabulary(self) -> list[str]:
        return sorted(self.domain_vocabulary)

    def is_shortened_term(self, word: str) -> bool:
        """Notes cut words short ("DIMIN", "NONPROD"): five letters or more that begin a longer word of
        the domain's vocabulary, spelled less like a name than like other words (a rare name may begin
        a word too), and no name or place list holds."""
        w = word.lower()
        if len(w) < 5 or self.names_or_places(w) or self.shape(w) >= 0:
            return False
        i = bisect_right(self._sorted_vocabulary, w)
        return i < len(self._sorted_vocabulary) and self._sorted_vocabulary[i].startswith(w)

    def shape(self, word: str) -> float:
        """Mean log-odds over the word's character n-grams that its spelling is a name's
        (scripts/build_name_shape.py builds the table with the same n-grams)."""
        grams = name_ngrams(word)
        return sum(self.name_shape.get(g, 0.0) for g in grams) / max(1, len(grams))

    def foreign_gain(self, word: str) -> float:
        """How much more common the lower-cased word is in another language than in English
        (wordfreq Zipf). Everyday words of Malay, Tagalog or Spanish gain 2-4; a name gains little,
        or about a point in its own language, which the name lists weigh against."""
        return _foreign_zipf(word, self.other_languages) - _zipf(word) if self.other_languages else 0.0

    def is_foreign(self, word: str) -> bool:
        """An everyday word of another language (Zipf >= 3) that English uses far less."""
        return self.foreign_gain(word) >= 1.5 and _foreign_zipf(word, self.other_languages) >= 3.0


@lru_cache(maxsize=200_000)
def _foreign_zipf(word: str, languages: tuple[str, ...]) -> float:
    if not word.isalpha():  # hyphens, apostrophes: wordfreq's tokenizer combines the parts
        return max((zipf_frequency(word, lang, wordlist="small") for lang in languages), default=0.0)
    # The same value as zipf_frequency for one plain word, without its tokenizer (30x faster).
    best = max((freqs.get(word, 0.0) for freqs in _frequencies(languages)), default=0.0)
    return round(math.log10(best) + 9, 2) if best else 0.0


@lru_cache(maxsize=4)
def _frequencies(languages: tuple[str, ...]) -> list[dict[str, float]]:
    # The small lists (words of Zipf 3+) are enough for everyday words and cost little memory.
    return [get_frequency_dict(lang, wordlist="small") for lang in languages]


class DocView:
    """What every candidate of one doc shares: token offsets, lines, speaker labels, word counts."""

    def __init__(self, doc: Doc, resources: Resources) -> None:
        self.doc = doc
        # Case evidence reads the text as written, not the case-restored copy spaCy may have read.
        self.text = source_text(doc)
        self.token_starts = [t.idx for t in doc]
        self.line_starts, self.line_caseless = _line_cases(doc)
        self.caseless_share = sum(self.line_caseless) / max(1, len(self.line_caseless))
        self.speakers: dict[int, tuple[int, int, str]] = {}  # line start -> label span and text
        labels = Counter()
        for m in SPEAKER.finditer(self.text):
            label = m.group("label").strip()
            self.speakers[m.start()] = (m.start("label"), m.start("label") + len(label), label.lower())
            labels[label.lower()] += 1
        self.speaker_counts = labels
        # Judged once per label, not once per candidate inside it.
        self.heading_labels = {label for label in labels if _is_heading(label, resources)}
        # Headings whose field holds the domain's words, not a person ("Attending physician:", "CC:").
        self.content_labels = {label for label in self.heading_labels
                               if not any(w in resources.person_words for w in label.split())}
        lowered = [t.lower_ for t in doc if t.is_alpha]
        self.word_counts = Counter(lowered)
        self.capitalised_counts = Counter(t.lower_ for t in doc if t.is_alpha and self.text[t.idx].isupper()
                                          and not t.is_sent_start)
        self.ent_starts = [e.start_char for e in doc.ents]
        self.ents = list(doc.ents)
        # Words the NER reads as a people or a language somewhere in the document ("German").
        # A frequent given name it once reads so ("Sean") stays a name.
        self.peoples_and_languages: dict[str, list[int]] = {}  # word -> where the NER reads it so
        for e in self.ents:
            word = e.text.lower()
            if e.label_ in _PEOPLES_AND_LANGUAGES and len(e) == 1 and word not in resources.frequent_first_names:
                self.peoples_and_languages.setdefault(word, []).append(e.start_char)
        self.resources = resources
        self._word_shares: dict[int, tuple[float, float, int, int]] = {}
        self._line_case: dict[int, tuple[float, float]] = {}

    def line_words(self, line_no: int, start: int, end: int) -> tuple[float, float, int, int]:
        """Of the line's words of two letters or more, computed once per line: the shares
        capitalised and everyday English (wordfreq Zipf >= 3), how many there are, and how many
        are everyday words of another language (Resources.is_foreign). A blank ("____", a removed
        word, usually a name) counts as a capitalised word, so that a line reads the same before
        and after its names were taken out (verify reads exports so)."""
        cached = self._word_shares.get(line_no)
        if cached is None:
            line = self.text[start:end]
            words = [w for w in WORD.findall(line) if len(w) > 1]
            blanks = len(_BLANK.findall(line))
            n = max(1, len(words) + blanks)
            cached = ((sum(1 for w in words if w[0].isupper()) + blanks) / n,
                      sum(1 for w in words if _zipf(w.lower()) >= 3.0) / n,
                      len(words) + blanks, sum(1 for w in words if self.resources.is_foreign(w.lower())))
            self._word_shares[line_no] = cached
        return cached

    def line_case(self, line_no: int, start: int, end: int) -> tuple[float, float]:
        """(mostly upper, all lower) for one line, computed once per line: long lines are common.
        A blank counts as one capital letter, as in the caseless test of recognizers.names."""
        cached = self._line_case.get(line_no)
        if cached is None:
            line = self.text[start:end]
            blanks = len(_BLANK.findall(line))
            letters = sum(c.isalpha() for c in line) + blanks
            upper = sum(c.isupper() for c in line) + blanks
            lower = not blanks and all(c.islower() for c in line if c.isalpha())
            cached = (float(bool(letters) and upper >= 0.9 * letters), float(bool(letters) and lower))
            self._line_case[line_no] = cached
        return cached

    def line_of(self, pos: int) -> tuple[int, int]:
        n = bisect_right(self.line_starts, pos) - 1
        return n, (self.line_starts[n + 1] - 1 if n + 1 < len(self.line_starts) else len(self.text))

    def tokens(self, start: int, end: int):
        first = max(0, bisect_right(self.token_starts, start) - 1)
        last = bisect_left(self.token_starts, end)
        return [t for t in self.doc[first:last] if t.idx + len(t.text) > start]


def _case(value: str) -> tuple[float, float, float]:
    letters = [c for c in value if c.isalpha()]
    if not letters:
        return 0.0, 0.0, 0.0
    words = WORD.findall(value)
    title = all(w[:1].isupper() and not w[1:].isupper() for w in words) if words else False
    upper = all(c.isupper() for c in letters) and len(letters) > 1
    lower = all(c.islower() for c in letters)
    return float(title), float(upper), float(lower)


def _overlaps(spans: list[Span]) -> list[list[Span]]:
    """For each span, the other spans overlapping it (a sweep over spans sorted by start)."""
    order = sorted(range(len(spans)), key=lambda i: spans[i].start)
    out: list[list[Span]] = [[] for _ in spans]
    for n, i in enumerate(order):
        for m in range(n + 1, len(order)):  # by index: a slice per span would copy the rest of the list
            j = order[m]
            if spans[j].start >= spans[i].end:
                break
            out[i].append(spans[j])
            out[j].append(spans[i])
    return out


def row(view: DocView, span: Span, overlapping: list[Span]) -> dict:
    """The evidence for one candidate (offsets local to the view's doc)."""
    res = view.resources
    text = view.text
    value = text[span.start:span.end]
    words = [w.lower() for w in WORD.findall(value)]
    zipfs = [_zipf(w) for w in words] or [0.0]
    title, upper, lower = _case(value)
    line_no, line_end = view.line_of(span.start)
    line_start = view.line_starts[line_no]
    line_upper, line_lower = view.line_case(line_no, line_start, line_end)
    line_title_share, line_known_share, line_words, line_foreign = view.line_words(line_no, line_start, line_end)
    speaker = view.speakers.get(line_start)
    in_speaker = bool(speaker and span.start >= speaker[0] and span.end <= speaker[1] + 1)
    speaker_words = speaker[2].split() if speaker else []
    tokens = view.tokens(span.start, span.end)
    first = tokens[0] if tokens else None
    prev = view.doc[first.i - 1] if first is not None and first.i > 0 else None
    # A short title's own full stop, which spaCy splits off in lower case and capitals ("DR. LONG"),
    # ends no sentence: the word before it is the title.
    title_stop = prev is not None and prev.text == "." and prev.i > 0 and not view.doc[prev.i - 1].whitespace_ \
        and is_abbreviated_title(view.doc[prev.i - 1].text, res.title_or_kin)
    if title_stop:
        prev = view.doc[prev.i - 1]
    titled = prev is not None and prev.lower_.rstrip(".") in res.title_or_kin
    last = tokens[-1] if tokens else None
    nxt = view.doc[last.i + 1] if last is not None and last.i + 1 < len(view.doc) else None
    first_ent = max(0, bisect_right(view.ent_starts, span.start) - 1)
    ents = [e for e in view.ents[first_ent:bisect_left(view.ent_starts, span.end)]
            if e.start_char < span.end and e.end_char > span.start]
    ner_labels = [_NER_LABELS.get(e.label_, e.label_) for e in ents]
    key = words[0] if words else ""
    count = view.word_counts.get(key, 0)
    prefix = text[max(line_start, span.start - 3):span.start]
    raw_words = WORD.findall(value)
    # Shorthand spelled with dots ("P.R.N.", "b.i.d"): one word of the lexicon, not initials.
    dotted = INITIALS_DOTTED.fullmatch(value if value.endswith(".") else value + ".")
    lexical = [value.replace(".", "").lower()] if dotted else words
    content = [w for w in lexical if w not in STOP_WORDS]
    shapes = [res.shape(w) for w in words] or [0.0]
    # The rest of the line: the candidate's own words say nothing about the language around it.
    long_words = [w for w in words if len(w) > 1]
    other_words = line_words - len(long_words)
    other_foreign = line_foreign - sum(1 for w in long_words if res.is_foreign(w))
    return {
        "label": span.label,
        "source": span.source,
        "pos": first.pos_ if first is not None else "",
        "ner_label": ner_labels[0] if ner_labels else "",
        "score": span.score,
        "chars": len(value),
        "words": len(words),
        "digit_share": sum(c.isdigit() for c in value) / max(1, len(value)),
        "title_case": title,
        "upper": upper,
        "lower": lower,
        "line_upper": line_upper,
        "line_lower": line_lower,
        "doc_caseless_share": view.caseless_share,
        "zipf_min": min(zipfs),
        "zipf_max": max(zipfs),
        "zipf_mean": sum(zipfs) / len(zipfs),
        "first_name": float(any(w in res.first_names for w in words)),
        "last_name": float(any(w in res.last_names for w in words)),
        "all_names": float(bool(words) and all(w in res.first_names or w in res.last_names for w in words)),
        "town": float(" ".join(words) in res.towns),
        "world_place": float(" ".join(words) in res.world_places),
        "country": float(" ".join(words) in res.countries),
        "role_word": float(any(w in res.roles for w in words) or " ".join(words) in res.roles),
        "abbreviation": float(any(w in res.abbreviations for w in lexical)),
        "medication": float(any(w in res.medications for w in words)),
        "title_or_kin": float(any(w in res.title_or_kin for w in words)),
        # "Mon-Wed": a hyphenated word whose parts are all no names is none.
        "not_name": float(any(w in res.not_names or all(p in res.not_names for p in w.split("-")) for w in words)),
        "filler": float(bool(words) and all(w in res.fillers for w in words)),
        "speaker_label": float(in_speaker),
        "speaker_repeats": math.log1p(view.speaker_counts.get(speaker[2], 0)) if speaker else 0.0,
        "speaker_role_word": float(any(w.strip(".") in res.roles for w in speaker_words)),
        # "Grad C:", "Speaker 2:", "Project Manager:": role words and at most a letter or number.
        "speaker_role_label": float(bool(speaker) and (speaker[2] in res.roles or (
            any(w.strip(".") in res.roles for w in speaker_words)
            and all(w.strip(".") in res.roles or len(w) <= 2 for w in speaker_words)))),
        # "HISTORY OF PRESENT ILLNESS:", "Assessment:": a heading, not a speaker.
        "speaker_is_heading": float(bool(speaker) and (len(speaker_words) > 3 or speaker[2] in res.roles)),
        "line_start": float(not text[line_start:span.start].strip(" \t>*-•")),
        "sent_start": float(bool(first is not None and first.is_sent_start and not title_stop)),
        "ner_any": float(bool(ents)),
        "ner_same": float(span.label in ner_labels),
        "n_sources": len({o.source for o in overlapping}),
        "max_other_score": max((o.score for o in overlapping), default=0.0),
        "doc_count": math.log1p(count),
        "doc_cap_share": view.capitalised_counts.get(key, 0) / count if count else 0.0,
        "prev_title_kin": float(titled),
        "prev_place_word": float(prev is not None and prev.lower_ in res.place_words),
        "prev_at_sign": float(prev is not None and prev.text == "@"),
        "next_colon": float(nxt is not None and nxt.text == ":"),
        "next_digit": float(nxt is not None and nxt.like_num),
        "in_parens": float("(" in prefix),
        "line_chars": math.log1p(line_end - line_start),
        "after_colon": float(":" in text[line_start:span.start]),
        # Headline case makes capitals say little: the share of capitalised words on the line.
        "line_title_share": line_title_share,
        "span_lower_words": sum(1 for w in raw_words if w[:1].islower() and w.lower() not in res.connectors),
        "span_common_words": sum(1 for z in zipfs if z >= 4.5),
        "name_share": sum(1 for w in words if w in res.first_names or w in res.last_names) / max(1, len(words)),
        "prev_capitalised": float(prev is not None and prev.is_alpha and text[prev.idx].isupper()),
        "next_capitalised": float(nxt is not None and nxt.is_alpha and text[nxt.idx].isupper()),
        "domain_share": sum(1 for w in words if res.is_vocabulary(w)) / max(1, len(words)),
        "readable": float(_readable(words, content, span.label, bool(line_upper) and not titled,
                                    not titled and all(w.isupper() for w in raw_words),
                                    in_speaker and speaker[2] in view.heading_labels, res)
                          or (bool(line_upper) and span.label == "PERSON" and len(words) == 1
                              and _after_article(prev, view.doc, words[0]))
                          or _hashtag_phrase(text, span, value, res)
                          or _vocabulary_opening(span.label, words, first, nxt, title_stop, titled,
                                                 _opens_field(text, span, speaker, view), res)
                          or (span.label == "PERSON" and not titled and _only_peoples(raw_words, span, view))),
        "shape_mean": sum(shapes) / len(shapes),
        "shape_min": min(shapes),
        # A hashtag holds a name ("#Obama") or a run of words ("#BreakingNews"): the humps tell.
        "prev_hash": float(text[span.start - 1:span.start] == "#"),
        "camel_humps": max((_humps(w) for w in raw_words), default=0),
        # "ABC", "XYZ": letters in alphabet order stand in for a withheld name.
        "letter_run": float(any(_letter_run(w) for w in raw_words)),
        # On a line in another language or in slang, a word English does not know says little.
        "line_known_share": line_known_share,
        # "Foley catheter", "Hodgkin lymphoma": a name that modifies a common noun names a thing
        # (an eponym, a brand) as often as a person; the parse says so, the data weighs it.
        "modifies_noun": float(_modifies_noun(last, tokens)),
        # Transliterated and code-switched chat: a word or a line that another language knows.
        "foreign_gain": max((res.foreign_gain(w) for w in words), default=0.0),
        "line_foreign_share": other_foreign / other_words if other_words > 0 else math.nan,
    }


def _readable(words: list[str], content: list[str], label: str, caps_untitled: bool, shouted_untitled: bool,
              heading: bool, res: Resources) -> bool:
    """Text that stays readable (decide.py): every word shorthand, a drug, a filler or a role
    (shorthand that is also a name, "MAE", only as shorthand is written: in capitals); a name in a
    heading (a line's label before its colon made of the domain's vocabulary, "LABORATORY DATA:"); or,
    on a line in capitals and after no title, a person, place or organisation made of the clinical
    vocabulary, shorthand, drugs and names reports write in lower case ("GLENOID LABRUM TEAR",
    "SACRAL DECUB", "BURNS", "STRONG NONPROD COUGH"), where case cannot mark a name, unless a word is
    also a frequent given name ("FRANK"; an organisation's generic words, "Professional Association",
    are not)."""
    if not content:
        return False

    def shorthand(word: str) -> bool:
        word = _CLITIC.sub("", word)  # "SXN'D": suctioned
        return word in res.abbreviations or (shouted_untitled and word in res.capital_shorthand)

    # Shorthand joins with a hyphen as a rhythm does ("NSR-ST"): each part is shorthand.
    if (heading and label in NAME_LABELS) or " ".join(words) in res.roles or all(
            shorthand(w) or w in res.medications or w in res.fillers or w in res.roles
            or ("-" in w and all(shorthand(p) for p in w.split("-"))) for w in content):
        return True
    return caps_untitled and _may_be_report_words(label, content, res) and all(
        (res.is_vocabulary(w) or res.is_shortened_term(w) or w in res.common_noun_names or w in res.abbreviations
         or w in res.medications) and w not in res.frequent_first_names for w in content)


def _may_be_report_words(label: str, content: list[str], res: Resources) -> bool:
    """May a span of this label be made of a report's own words? A person or a place may; an
    organisation only where no word of it says it is one ("STROKE CENTER", "SPINE ASSOCIATES") and
    not every word is common English, as a place or a review may be named ("SILVER FALLS")."""
    if label in _PERSON_OR_PLACE:
        return True
    return label == "ORGANIZATION" and not any(w in res.organisation_words for w in content) \
        and any(_zipf(w) < res.common_word_zipf for w in content)


def _only_peoples(raw_words: list[str], span: Span, view) -> bool:
    """Are the span's capitalised words all words the NER reads as a people or a language elsewhere
    in the document ("reads German" after "in German")? Told in another sentence, the NER's reading
    holds everywhere: a nationality is not a person where a sentence is ambiguous."""
    capitalised = [w.lower() for w in raw_words if w[:1].isupper()]
    return bool(capitalised) and all(
        any(not span.start <= at < span.end for at in view.peoples_and_languages.get(w, ())) for w in capitalised)


# Tags of a verb, an auxiliary or a conjunction right after a sentence's first word.
_PREDICATE_TAGS = ("VBD", "VBZ", "VBP", "MD", "CC")


def _vocabulary_opening(label: str, words: list[str], first, nxt, title_stop: bool, titled: bool,
                        opens_field: bool, res: Resources) -> bool:
    """A sentence opened by one word of the domain's vocabulary that no given-name list holds, a verb
    or "and" right after it ("Strength was 5/5", "Alert and oriented"), is about that thing: a
    surname list may hold the word, but a person would carry a title or a given name there. A
    heading's field opens as a sentence does ("Lungs: Clear.", "EXAM: Lumbar Spine"), and the heading
    already says it is about the domain: words of its vocabulary there need no verb."""
    if label != "PERSON" or titled or not words or any(w in res.first_names for w in words):
        return False
    if opens_field:
        return all(w in res.domain_vocabulary for w in words)
    return (len(words) == 1 and first is not None and first.is_sent_start and not title_stop
            and words[0] in res.domain_vocabulary and nxt is not None and nxt.text.islower()
            and nxt.tag_ in _PREDICATE_TAGS)


def _opens_field(text: str, span: Span, speaker: tuple[int, int, str] | None, view: DocView) -> bool:
    """Does the span open the value of a heading's field, after at most words of the domain's
    vocabulary ("EXAM: Thoracic <span>")? Not where the label names a person ("Attending physician:")."""
    if not speaker or speaker[2] not in view.content_labels or span.start < speaker[1]:
        return False
    before = text[speaker[1]:span.start].lstrip()
    return before.startswith(":") and all(w.lower() in view.resources.domain_vocabulary for w in before[1:].split())


_CAMEL_WORD = re.compile(r"[A-Z][a-z]+|[a-z]+|[A-Z]+(?![a-z])")


def _hashtag_phrase(text: str, span: Span, value: str, res: Resources) -> bool:
    """A hashtag run together from three words or more of everyday English or countries
    ("#HappyNewYear", "#ArgentinaVsSwitzerland") is a slogan or a topic, not a name; a rare word in
    it may be one ("#VoteUK<band>")."""
    if span.start == 0 or text[span.start - 1] != "#" or not value.isalnum():
        return False
    parts = _CAMEL_WORD.findall(value)
    return len(parts) >= 3 and "".join(parts) == value and all(
        _zipf(p.lower()) >= EVERYDAY_ZIPF or p.lower() in res.countries for p in parts)


_VOWEL = re.compile(r"[aeiouy]")


def _after_article(prev, doc, word: str) -> bool:
    """In capitals, "A RETIRED <word>", "AS A <word>", "THE <word>": a word an article opens (with at
    most an adjective between) is a common noun, an occupation or a thing, where case cannot say.
    After "the" an acronym, a word without a vowel, may still name a body ("THE <acronym>")."""
    if prev is None:
        return False
    articles = ("a", "an", "the") if _VOWEL.search(word) else ("a", "an")
    if prev.lower_ in articles:
        return True
    return prev.tag_ in ("JJ", "VBN") and prev.i > 0 and doc[prev.i - 1].lower_ in articles


def _is_heading(label: str, res: Resources) -> bool:
    """A line's label made only of the domain's vocabulary and shorthand, and no given name ("Skin",
    "CHIEF COMPLAINT", "ROS Musculoskeletal") heads a section: no one speaks there. So do words of
    everyday English together ("Past Psychiatric History"); one alone may be a surname ("Quick")
    or a famous name. A town's name in it is a place ("<town> Jobs:")."""
    words = [w.lower() for w in WORD.findall(label)]
    return bool(words) and all(
        (res.is_vocabulary(w) or w in res.abbreviations or (len(words) > 1 and _zipf(w) >= EVERYDAY_ZIPF))
        and w not in res.first_names and w not in res.towns for w in words)


def _modifies_noun(last, tokens) -> bool:
    """Is the span's last word a modifier of a lower-case common noun after the span?"""
    if last is None or last.dep_ not in ("compound", "amod", "nmod"):
        return False
    head = last.head
    return head.i > last.i and head not in tokens and head.pos_ == "NOUN" and head.text[:1].islower()


def _humps(word: str) -> int:
    return sum(1 for a, b in zip(word, word[1:]) if a.islower() and b.isupper())


def _letter_run(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and in_alphabet_order(word)


def rows(doc: Doc, spans: list[Span], resources: Resources) -> list[dict]:
    """Evidence rows for the candidates found in one doc, in the order given."""
    if not spans:
        return []
    view = DocView(doc, resources)
    return [row(view, span, others) for span, others in zip(spans, _overlaps(spans))]
