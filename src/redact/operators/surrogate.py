"""Realistic surrogates: a fake value of the same kind and shape, chosen by Faker seeded from
HMAC(secret, entity key), so one entity gets one surrogate in every document and every run with
the same secret (and the same Faker version).

Names are replaced word by word: "Maria Lopez" -> "Tonya Hall", "Ms. Lopez" -> "Ms. Hall",
"maria" -> "tonya", "MARIA:" -> "TONYA:". Each name word maps to one surrogate word for the whole
run, so a first name seen alone in one document and in a full name in another still matches.
Phones stay 555-01xx fiction numbers in the original layout, IDs keep their letter/digit pattern,
dates are shifted (see date_shift). A surrogate never equals the original; when no different value
can be made, the mention becomes a tag.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable

from faker import Faker
from faker.providers.person.en_US import Provider as _Names
from pydantic import BaseModel, ConfigDict

from redact.operators import Mention, fallback_tag, register
from redact.operators.date_shift import DateShiftParams, offset_days, shift
from redact.operators.dates import case_like
from redact.operators.keys import seed

_WORD = re.compile(r"([^\W\d_]+)")
_TITLES = frozenset("dr mr mrs ms miss mx officer pastor rev sister brother coach".split())
_FIRST, _LAST = frozenset(_Names.first_names), frozenset(_Names.last_names)
_FEMALE, _MALE = frozenset(_Names.first_names_female), frozenset(_Names.first_names_male)
_POOLS: dict[str, Callable[[Faker, str], str]] = {
    "female": lambda fake, w: fake.first_name_female(),
    "male": lambda fake, w: fake.first_name_male(),
    "first": lambda fake, w: fake.first_name(),
    "last": lambda fake, w: fake.last_name(),
    "initial": lambda fake, w: fake.random.choice(string.ascii_uppercase),
}
_SAFE_DOMAINS = ("example.org", "example.com", "example.net")
# Speaker codes of transcripts ("P1", "S02", "INT1"): pseudonymous already, never a person's name.
SPEAKER_CODE = re.compile(r"[A-Z]{1,3}-?\d{1,3}")
_ATTEMPTS = 20


def kept_as_code(label: str, value: str) -> bool:
    """A person span that is a speaker code: its surrogate is the code itself."""
    return label == "PERSON" and bool(SPEAKER_CODE.fullmatch(value.strip()))


class SurrogateParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    locale: str = "en_US"
    date_shift: DateShiftParams = DateShiftParams()


@functools.lru_cache(maxsize=4)
def _faker(locale: str) -> Faker:
    return Faker(locale)


def _draw(mention: Mention, params: SurrogateParams, key: str, make: Callable[[Faker, str], str],
          original: str) -> str | None:
    """The first of a fixed sequence of seeded candidates that differs from the original."""
    fake = _faker(params.locale)
    for attempt in range(_ATTEMPTS):
        fake.seed_instance(seed(mention.secret, "surrogate", f"{key}\0{attempt}"))
        candidate = make(fake, original)
        if candidate and candidate.lower() != original.lower():
            return candidate
    return None


# --- names -------------------------------------------------------------------------------------
def _name_pool(word: str, entity_words: list[str], gender: str | None = None) -> str:
    """Which list a surrogate for this name word comes from. A first name takes the gender the
    text gives its bearer (kin words, titles, pronouns), else the name's usual gender."""
    title = word.title()
    if (title in _FIRST) != (title in _LAST):
        if title in _LAST:
            return "last"
        if gender in ("female", "male"):
            return gender
        return "female" if title not in _MALE else "male" if title not in _FEMALE else "first"
    # Unknown or ambiguous: the last word of a full name is a surname.
    if len(entity_words) > 1 and entity_words[-1].rstrip(".") == word.lower():
        return "last"
    return gender if gender in ("female", "male") else "first"


def _person(mention: Mention, params: SurrogateParams) -> str | None:
    if kept_as_code(mention.label, mention.value):
        return mention.value  # "P1", "S02": already a code, kept so the transcript stays readable
    entity_words = mention.entity.partition(":")[2].split()
    parts = _WORD.split(mention.value)
    for i in range(1, len(parts), 2):
        word = parts[i]
        low = word.lower()
        if low in _TITLES or (low == "s" and parts[i - 1] in ("'", "’")):
            continue
        pool = "initial" if len(word) == 1 else _name_pool(word, entity_words, mention.gender)
        new = _draw(mention, params, f"PERSON:{pool}:{low}", _POOLS[pool], word)
        if new is None:
            return None
        parts[i] = case_like(word, new)
    return "".join(parts)


# --- shapes ------------------------------------------------------------------------------------
def _same_shape(fake: Faker, value: str) -> str:
    """Digits -> digits, letters -> letters of the same case, everything else kept."""
    rnd = fake.random
    out = []
    for c in value:
        if c.isdigit():
            out.append(rnd.choice(string.digits))
        elif c.isalpha() and c.isascii():
            out.append(rnd.choice(string.ascii_uppercase if c.isupper() else string.ascii_lowercase))
        else:
            out.append(c)
    return "".join(out)


def _put_digits(value: str, digits: str) -> str:
    """`digits` written into the digit positions of `value`, from the right."""
    out, queue = list(value), list(digits)
    for i in range(len(out) - 1, -1, -1):
        if out[i].isdigit() and queue:
            out[i] = queue.pop()
    return "".join(out)


def _phone(fake: Faker, value: str) -> str:
    rnd = fake.random
    digits = [c for c in value if c.isdigit()]
    line = "01" + "".join(rnd.choice(string.digits) for _ in range(2))  # 555-0100..0199: fictional
    if len(digits) >= 10:
        area = str(rnd.randint(2, 9)) + str(rnd.randint(0, 8)) + str(rnd.randint(0, 9))
        return _put_digits(value, area + "555" + line)
    if len(digits) == 7:
        return _put_digits(value, "555" + line)
    return _same_shape(fake, value)


def _zip(fake: Faker, value: str) -> str:
    count = sum(c.isdigit() for c in value)
    if count == 5:
        return _put_digits(value, fake.zipcode())
    if count == 9:
        return _put_digits(value, fake.zipcode_plus4().replace("-", ""))
    return _same_shape(fake, value)


def _email(fake: Faker, value: str) -> str:
    return case_like(value, f"{fake.user_name()}@{fake.random.choice(_SAFE_DOMAINS)}")


def _username(fake: Faker, value: str) -> str:
    prefix = value[:len(value) - len(value.lstrip("@#"))]
    return prefix + case_like(value.lstrip("@#"), fake.user_name())


def _url(fake: Faker, value: str) -> str:
    scheme = re.match(r"(?i)[a-z]+://", value)
    return (scheme.group() if scheme else "") + f"www.{fake.domain_word()}.example.org"


def _age(fake: Faker, value: str) -> str:
    numbers = re.findall(r"\d+", value)
    if len(numbers) != 1:
        return ""
    n = int(numbers[0])
    low, high = (max(1, n - 3), min(89, n + 3)) if n <= 89 else (90, 104)
    return re.sub(r"\d+", str(fake.random.randint(low, high)), value)


MAKERS: dict[str, Callable[[Faker, str], str]] = {
    "PHONE": _phone,
    "ZIP": _zip,
    "EMAIL": _email,
    "USERNAME": _username,
    "URL": _url,
    "AGE": _age,
    "ID": _same_shape,
    "IP_ADDRESS": lambda fake, v: fake.ipv6() if ":" in v else fake.ipv4_private(),
    "ADDRESS": lambda fake, v: case_like(v, fake.street_address() if any(c.isdigit() for c in v)
                                          else fake.street_name()),
    "LOCATION": lambda fake, v: case_like(v, fake.city()),
    "ORGANIZATION": lambda fake, v: case_like(v, fake.company()),
}


def surrogate_value(mention: Mention, params: SurrogateParams) -> str | None:
    if mention.label == "PERSON":
        return _person(mention, params)
    if mention.label == "DATE":
        return shift(mention.value, offset_days(mention.secret, params.date_shift))
    make = MAKERS.get(mention.label, _same_shape)
    return _draw(mention, params, mention.entity, make, mention.value)


@register("surrogate", SurrogateParams, keyed=True)
def surrogate(mention: Mention, params: SurrogateParams) -> str:
    result = surrogate_value(mention, params)
    if result == mention.value and kept_as_code(mention.label, result):
        return result
    if result is None or result.lower() == mention.value.lower():
        return fallback_tag(mention)
    return result
