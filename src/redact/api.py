"""The library entry point: `Redactor` detects and redacts texts; `run` (pipeline) does whole folders.

    from redact import Redactor
    r = Redactor(policy="tags")
    r.redact(["Maria called from 555-201-3344."])  # ['[PERSON_1] called from [PHONE_1].']
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from redact.config import DetectionConfig
from redact.detect import Detector
from redact.errors import ConfigError
from redact.normalize import NormalView, normal_view
from redact.policy import Policy, load_policy
from redact.recognizers import Roster
from redact.spans import Span
from redact.transform import Replacer

SECRET_ENV = "REDACT_SECRET"


def read_secret(secret_file: Path | None = None) -> bytes | None:
    """The run's secret, from a file or $REDACT_SECRET; never from a command-line argument."""
    if secret_file is not None:
        try:
            secret = Path(secret_file).read_bytes().strip()
        except OSError as exc:
            raise ConfigError(f"cannot read secret file {secret_file}: {exc.strerror}") from exc
    else:
        secret = os.environ.get(SECRET_ENV, "").encode("utf-8").strip()
    if secret and len(secret) < 16:
        raise ConfigError("the secret is shorter than 16 bytes", hint="use a long random value")
    return secret or None


class Redactor:
    def __init__(self, policy: Policy | str = "tags", model: str | None = None,
                 config: DetectionConfig | Path | None = None, roster: Roster | Path | None = None,
                 secret: bytes | None = None) -> None:
        self.policy = policy if isinstance(policy, Policy) else load_policy(policy)
        if self.policy.needs_secret and not secret:
            raise ConfigError(f"policy {self.policy.name!r} needs a secret",
                              hint="set REDACT_SECRET or pass --secret-file")
        if isinstance(roster, (str, Path)):
            roster = Roster.load(Path(roster))
        self.detector = Detector(self.policy, model=model, config=config, roster=roster)
        self.secret = secret

    def detect(self, texts: Iterable[str]) -> Iterator[list[Span]]:
        """Spans per text, in order, offsets into the original text. Detection runs on each text's
        normalised view (redact.normalize: entities decoded, invisible and bidi characters out,
        NFKC), and every span is mapped back to the original characters it came from."""
        views: deque[NormalView] = deque()

        def view_texts() -> Iterator[str]:
            for text in texts:
                view = normal_view(text)
                views.append(view)
                yield view.text

        for spans in self.detector.detect(view_texts()):
            yield views.popleft().spans_to_original(spans)

    def replacer(self, record: bool = False) -> Replacer:
        """A fresh replacer for one document (tag numbers restart per document); record=True keeps
        what each replacement stands for, for the re-identification key."""
        return Replacer(self.policy, self.secret, record=record)

    def redact(self, texts: Sequence[str]) -> list[str]:
        return [self.replacer()(text, spans) for text, spans in zip(texts, self.detect(texts))]
