"""Column roles for tabular inputs: which columns are free text, join ids, dates, dropped or kept.

Roles come from the command line (`--text-column` ...) and from a YAML table config, validated
with pydantic:

    columns:              # every table
      text: [note]
      id: [participant_id]
      date: [session_date]
      drop: [phone]
      keep: [attendance]
      date_mode: month    # or shift (needs the secret)
    files:                # extra roles for tables whose relative path matches the glob
      "exports/*.xlsx":
        text: [comments]

Columns with no role are kept, unless their header or a sample of their values looks like a
direct identifier: then they are redacted as text (fail closed) and reported.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from redact.errors import ConfigError
from redact.operators.keys import digest
from redact.transform import normalise

ROLES = ("text", "id", "date", "drop", "keep")
DateMode = Literal["month", "shift"]
# 12 hex digits = 48 bits: join keys must not collide below millions of distinct ids.
ID_HEX = 12


class ColumnRoles(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: tuple[str, ...] = ()
    id: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    date_mode: DateMode | None = None

    def merged(self, other: ColumnRoles) -> ColumnRoles:
        lists = {r: tuple(dict.fromkeys(getattr(self, r) + getattr(other, r))) for r in ROLES}
        return ColumnRoles(**lists, date_mode=other.date_mode or self.date_mode)

    def role_of(self) -> dict[str, str]:
        """column -> role; a column given two roles is a configuration error."""
        roles: dict[str, str] = {}
        for role in ROLES:
            for column in getattr(self, role):
                if roles.setdefault(column, role) != role:
                    raise ConfigError(f"column {column!r} has two roles ({roles[column]} and {role})")
        return roles

    @property
    def mode(self) -> DateMode:
        return self.date_mode or "month"


class TableConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: ColumnRoles = ColumnRoles()
    files: dict[str, ColumnRoles] = {}

    def roles_for(self, rel: PurePosixPath) -> ColumnRoles:
        roles = self.columns
        for glob, extra in self.files.items():
            if rel.match(glob):
                roles = roles.merged(extra)
        return roles

    def sections(self) -> list[ColumnRoles]:
        return [self.columns, *(self.columns.merged(extra) for extra in self.files.values())]

    def check(self, secret: bytes | None) -> None:
        """Refuse, before anything is written, roles that cannot be honoured."""
        for roles in self.sections():
            roles.role_of()
            if roles.id and not secret:
                raise ConfigError("an --id-column needs the run's secret for keyed pseudonyms",
                                  hint="set REDACT_SECRET or pass --secret-file")
            if roles.date and roles.mode == "shift" and not secret:
                raise ConfigError("--date-mode shift needs the run's secret",
                                  hint="set REDACT_SECRET or pass --secret-file, or use --date-mode month")


def load_table_config(path: Path | None = None, cli: ColumnRoles | None = None) -> TableConfig:
    """The YAML table config (if any) with the command-line roles merged into its `columns`."""
    config = TableConfig()
    if path is not None:
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            config = TableConfig.model_validate(raw)
        except OSError as exc:
            raise ConfigError(f"cannot read table config {path}: {exc.strerror}") from None
        except yaml.YAMLError:
            raise ConfigError(f"table config {path} is not valid YAML") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"invalid table config {path} at {loc}: {first['msg']}") from None
    if cli is not None:
        config = config.model_copy(update={"columns": config.columns.merged(cli)})
    for roles in config.sections():
        roles.role_of()
    return config


def pseudonymise_id(value: str, secret: bytes | None, label: str = "ID") -> str:
    """A keyed pseudonym for a join key: the same value gives the same pseudonym in every file and
    every run with the same secret ("HL-2198" and "hl 2198" alike), and cannot be reversed without it."""
    key = f"{label}:{normalise(label, value) or value.strip()}"
    return f"{label}_{digest(secret, 'hmac', key).hex()[:ID_HEX]}"


def shift_days(secret: bytes | None, policy: str | None = None) -> int:
    """The run's keyed date offset in days: the one every date of the run moves by, in text,
    captions and table columns alike (operators.date_shift.offset_days with the policy's DATE
    parameters when its DATE operator is date_shift, else the default range)."""
    from redact.operators.date_shift import DateShiftParams, offset_days
    from redact.policy import load_policy

    spec = load_policy(policy).operators.get("DATE") if policy else None
    params = DateShiftParams(**spec.params) if spec is not None and spec.operator == "date_shift" \
        else DateShiftParams()
    return offset_days(secret, params)
