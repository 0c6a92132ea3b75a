"""redact: de-identification of peer-support session notes and transcripts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("redact")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"


def __getattr__(name):
    # Lazy, so `import redact` (and `redact --help`) does not load spaCy and Presidio.
    if name == "Redactor":
        from redact.api import Redactor

        return Redactor
    raise AttributeError(name)


__all__ = ["Redactor", "__version__"]
