"""Library exceptions. The CLI maps them to one-line messages and exit codes."""


class RedactError(Exception):
    """Base class: a problem the user can fix, with a message safe to print."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint or self.hint


class ConfigError(RedactError):
    """Bad policy, bad detection config, missing model or secret: nothing is written."""


class InputError(RedactError):
    """One input document cannot be processed; it is quarantined or skipped."""
