"""Generate a deterministic synthetic gold corpus for ``redact``.

Usage (from the project root)::

    python scripts/generate_corpus.py --n 260 --seed 7 --out tests/fixtures/corpus/generated.gold.jsonl
    python scripts/split_corpus.py

The second command also renders the hand-written documents in
``tests/fixtures/annotated/corpus_hand`` (via ``scripts/build_gold.py``) and writes
``tests/fixtures/corpus/{hand,dev,test}.gold.jsonl``; the two commands together rebuild the
whole corpus.

Every document is assembled as ``{{LABEL:value}}`` markup (see tests/fixtures/ANNOTATION.md)
from interchangeable building blocks -- document types, optional sections, dozens of
sentence templates per category, random ordering, case styles, shorthand and occasional
typos -- and then rendered with ``build_gold.render`` so the character offsets are exact.
All values are invented: phones use the 555 exchange, e-mails use example.* domains, IPs use
documentation ranges, SSNs use the never-issued 9xx area. Output is fully determined by
``--seed`` (``random.Random`` plus seeded Faker instances).

Slot syntax inside templates: ``[SLOT]``, e.g. ``[P] came in with [P2] on [DATE].`` Slots
are filled by :class:`Doc.fill`; anything that is an identifier is wrapped in markup, the
distractor slots (``[REL]``, ``[WDAY]``, ``[DUR]``, ``[SHORT]`` ...) produce plain text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

sys.dont_write_bytecode = True  # importing build_gold must not leave __pycache__ behind
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_gold import MARK, attach_times, render
from faker import Faker

# --------------------------------------------------------------------------- value pools

LOCALES = [
    ("en_US", 6), ("es_MX", 3), ("es_ES", 1), ("en_IN", 2), ("vi_VN", 1), ("pl_PL", 1),
    ("fr_FR", 1), ("it_IT", 1), ("de_DE", 1), ("en_GB", 1), ("pt_BR", 1), ("tr_TR", 1),
    ("yo_NG", 1), ("ga_IE", 1), ("nl_NL", 1), ("sw", 1), ("ko_KR", 1), ("ar_AA", 1),
]  # ko_KR / ar_AA give non-Latin script: those draws are transliterated or skipped

WORD_NAMES = ["Hope", "Grace", "Faith", "Will", "Joy", "May", "Rose", "April", "Hunter",
              "Summer", "Dawn", "Angel", "Rocky", "Precious", "Destiny", "Sky", "Honor"]
MALE_WORD_NAMES = {"Will", "Hunter", "Rocky", "Honor"}
NICKNAMES = ["Big Mike", "Tee", "Rocky", "Lil Ray", "Chuy", "Nene", "Pooh", "Smitty",
             "Red", "Boo", "JJ", "Tiny", "Doc", "Pancho", "Lulu", "Sunny", "Bear", "Cookie",
             "T-Bone", "Mama Dee", "Junior", "Peanut", "Kiki", "Slim"]

TOWNS = ["Dayton", "Springfield", "Xenia", "Kettering", "Hamilton", "Middletown", "Fairborn",
         "Troy", "Piqua", "Urbana", "Lima", "Marion", "Zanesville", "Chillicothe", "Athens",
         "Portsmouth", "Mansfield", "Sandusky", "Elyria", "Lorain", "Akron", "Canton",
         "Youngstown", "Warren", "Toledo", "Findlay", "Ashland", "Norwalk", "Logan",
         "Wheeling", "Huntington", "Charleston", "Parkersburg", "Morgantown", "Beckley",
         "Covington", "Ashland", "Frankfort", "Bowling Green", "Paducah", "Muncie",
         "Richmond", "Anderson", "Kokomo", "Terre Haute", "Bloomington", "Lafayette",
         "Erie", "Altoona", "Scranton", "Wilkes-Barre", "Allentown", "Reading", "Lancaster",
         "Albuquerque", "Las Cruces", "Pueblo", "Tucson", "Yuma", "Fresno", "Modesto",
         "Bakersfield", "Stockton", "Eugene", "Salem", "Spokane", "Tacoma", "Boise",
         "Flint", "Saginaw", "Kalamazoo", "Lansing", "Gary", "Peoria", "Rockford", "Joliet"]
NEIGHBOURHOODS = ["Old North", "East End", "Twin Towers", "Belmont", "Five Points",
                  "South Park", "Walnut Hills", "Over-the-Rhine", "Linden", "Hilltop",
                  "Franklinton", "Germantown", "Riverdale", "Edgemont", "Westwood", "Carroll Gardens",
                  "Northside", "Millcreek", "Burnet Woods", "Highland Heights"]
LANDMARKS = ["Riverside Park", "Deeds Point", "the Main Street Bridge", "Eastwood MetroPark",
             "Lincoln Square", "Cooper Park", "the Third Street Bridge", "Wegerzyn Gardens",
             "Veterans Memorial Park", "Hills and Dales", "Island Park", "Courthouse Square",
             "Mill Race Trail", "Sunrise Overlook", "Triangle Park", "Founders Plaza",
             "Greenlawn Cemetery", "Bayside Pier"]
STATES = ["OH", "Ohio", "KY", "IN", "WV", "PA", "MI", "NM", "CA", "OR", "WA", "IL"]
STREETS = ["Oak", "Maple", "Elm", "Cedar", "Walnut", "Linden", "Harrison", "Wayne", "Salem",
           "Hickory", "Chestnut", "Front", "Water", "Jefferson", "Monroe", "Locust", "Sycamore",
           "Ridge", "Valley", "Magnolia", "Lakeview", "Orchard", "Prospect", "Mulberry",
           "Poplar", "Birch", "Willow", "Garfield", "Kenton", "Brandt", "Huffman", "Wolf Creek",
           "Germantown", "Keowee", "Troy", "Findlay", "Philadelphia", "Xenia", "Smithville"]
SUFFIXES = ["Street", "St", "St.", "Avenue", "Ave", "Ave.", "Road", "Rd", "Drive", "Dr",
            "Lane", "Ln", "Court", "Ct", "Boulevard", "Blvd", "Pike", "Way", "Place", "Pl"]
ORDINAL_STREETS = ["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th",
                   "12th", "14th", "Main", "Third", "Fifth", "Second", "Market", "Broad"]

ORG_ADJ = ["Harbor Light", "New Leaf", "Bridgeway", "Open Door", "Morning Star", "Cornerstone",
           "Safe Haven", "Hope Springs", "Riverbend", "Northstar", "Clear Path", "Second Wind",
           "Lighthouse", "Turning Point", "Stepping Stones", "Fresh Start", "Oak Grove",
           "Mercy Ridge", "Good Shepherd", "Unity", "Pathways", "Crossroads", "Still Waters",
           "Valley View", "Sunrise", "Willow Creek", "Phoenix", "Daybreak", "Haven House",
           "Millbrook", "Summit", "Keystone", "Anchor Point", "Cedar Ridge", "Maple Grove"]
SHELTER_KIND = ["Shelter", "Women's Shelter", "Family Shelter", "Men's Mission",
                "Rescue Mission", "Transitional Housing", "Recovery House", "Sober Living",
                "Drop-In Center", "Housing Collaborative"]
CLINIC_KIND = ["Recovery Center", "Treatment Center", "Behavioral Health", "Health Clinic",
               "Community Health Center", "Counseling Services", "Wellness Center",
               "Family Practice", "Medical Group", "Detox Center", "Psychiatric Associates"]
HOSPITALS = ["Miami Valley General", "St. Elizabeth Medical Center", "Good Samaritan North",
             "Mercy Regional", "Kettering Memorial", "Grandview Hospital", "Riverside Methodist",
             "Sycamore Medical Center", "Holy Cross Hospital", "Valley Regional Hospital",
             "St. Vincent's", "Memorial Hospital of Union County"]
CHURCHES = ["St. Brigid's", "St. Brigid's Parish", "Grace Fellowship Church", "First Baptist Church",
            "Mt. Zion AME", "Holy Family Catholic Church", "New Covenant Church",
            "Iglesia Cristiana Betania", "Trinity Lutheran", "Shiloh Baptist", "Sacred Heart",
            "Living Waters Church", "St. Mark's Episcopal", "Greater Hope Missionary Baptist",
            "Westminster Presbyterian", "Our Lady of Guadalupe", "Faith Tabernacle"]
SCHOOLS = ["Lincoln High", "Roosevelt Middle School", "Jefferson Elementary",
           "Valley Community College", "Belmont High School", "Stivers School for the Arts",
           "Northridge High", "Clark State", "Ridgeview Academy", "Meadowdale High",
           "Dunbar Early College", "Eastmont Adult Education Center"]
EMPLOYERS = ["Kroger", "Walmart", "Dollar General", "Waffle House", "Amazon",
             "McDonald's", "Meijer", "Speedway", "Goodwill", "Tyson", "Home Depot", "Lowe's",
             "Bob Evans", "Taco Bell", "Marathon", "FedEx", "Arby's", "Family Dollar",
             "Buckeye Pallet Co.", "Miller Valley Roofing", "Sun City Staffing",
             "Triangle Temp Services", "Riverside Auto Body", "Gem City Cleaners",
             "Tri-County Landscaping", "Blue Plate Diner", "Rosie's Diner", "Main Street Laundromat",
             "Family Video", "Dayton Freight", "Great Clips", "Aldi", "Dollar Tree", "Sheetz"]
GROUPS = ["Tuesday Night Women's Group", "Men's Breakfast Group", "Sunrise Recovery Circle",
          "Moms in Recovery", "Thursday Dual Diagnosis Group", "Hearing Voices Group",
          "Saturday Morning Big Book Study", "Young People in Recovery Circle",
          "Grief and Loss Group", "Veterans Peer Circle", "Wellness Recovery Action Plan class",
          "Family Support Circle", "Second Chance Reentry Group", "Recovery Dharma Circle",
          "Hope Over Heroin Support Group", "Friday Night Open Talk", "Mindful Mornings",
          "Nar-Anon Family Group of the Valley", "LGBTQ+ Recovery Circle", "Seeking Safety Group",
          "Wednesday Wellness Group", "Strong Dads Group"]
SERVICE_ORGS = ["Valley County Job and Family Services", "Eastside Legal Aid",
                "Montgomery County Reentry Office", "Second Harvest Food Bank",
                "Greater Valley Housing Authority", "Catholic Social Services",
                "Volunteers of America", "Salvation Army", "St. Vincent de Paul",
                "The Foodbank", "YWCA", "YMCA", "Urban League", "Goodwill Easterseals",
                "Vocational Rehab", "NAMI Valley Affiliate", "Recovery Housing Alliance",
                "Harbor Legal Clinic", "Miami Valley Transit", "Adult Probation Department"]

GENERIC_PLACES = ["the shelter", "detox", "the ER", "the hospital", "rehab", "the clinic",
                  "the halfway house", "the meeting", "the library", "the bus station", "church",
                  "the food pantry", "court", "jail", "the drop-in", "the office", "her mom's",
                  "his cousin's", "the motel", "the day room", "IOP", "the pharmacy",
                  "the laundromat", "the park", "the front desk", "the group room"]
PROGRAMS = ["Medicaid", "Medicare", "SNAP", "WIC", "SSI", "SSDI", "Section 8", "TANF",
            "food stamps", "the housing voucher", "AA", "NA", "CA", "SMART Recovery", "Al-Anon",
            "the 12 steps", "MAT", "Vivitrol", "Suboxone", "methadone", "IOP", "PHP", "WRAP",
            "drug court", "probation", "VA benefits", "the crisis line", "988", "Narcan training"]
ROLE_WORDS = ["peer specialist", "case manager", "sponsor", "counselor", "therapist",
              "prescriber", "PO", "probation officer", "house manager", "nurse",
              "facilitator", "psychiatrist", "landlord", "social worker", "recovery coach",
              "intake worker", "mom", "dad", "grandma", "aunt", "sister", "brother", "son",
              "daughter", "partner", "ex", "boyfriend", "girlfriend", "roommate"]
SHORTHAND = ["BP 128/82", "BP 118/76", "HR 92", "O2 97% RA", "O2 sat 95%", "pt OOB x2",
             "c/o GI upset", "CT ordered", "f/u PRN", "UDS neg", "UDS + for THC", "PHQ-9 = 14",
             "GAD-7 = 11", "SUD hx", "on MAT", "IOP 3x/wk", "NKDA", "SI/HI denied", "A&Ox3",
             "w/d sx mild", "COWS 6", "CIWA 4", "tx plan reviewed", "ROI signed", "pt d/c'd",
             "MAT adherence good", "1:1 completed", "hx of OUD", "Rx refill pending",
             "SUD/MH co-occurring", "pt ambulatory", "8/10 pain", "rated mood 6/10",
             "ASAM level 2.1", "PRN hydroxyzine", "BID meds", "x3 this wk", "Dx: MDD, OUD",
             "labs WNL", "GI referral", "CBC pending", "IM inj given", "urine cup collected"]
RELATIVE_FUT = ["today", "tomorrow", "this afternoon", "tonight", "next week", "later this week",
                "over the weekend", "next month", "in two weeks", "first thing tomorrow", "this evening",
                "later today", "Monday morning", "after group"]
RELATIVE_PAST = ["yesterday", "last night", "last week", "earlier today", "the other day",
                 "a couple days ago", "last month", "this morning", "over the weekend", "on Friday"]
RELATIVE = ["today", "tomorrow", "yesterday", "this afternoon", "this morning", "tonight",
            "last night", "last week", "next week", "earlier today", "later this week",
            "over the weekend", "next month", "in two weeks", "the other day", "right now",
            "this evening", "last month", "a couple days ago", "first thing tomorrow"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
            "Mon", "Tues", "Wed", "Thurs", "Fri", "Sat", "Sun"]
DURATIONS = ["90 days clean", "30 days sober", "6 months clean", "two years sober",
             "14 months in recovery", "3 years clean", "a week clean", "45 days",
             "18 months", "almost a year sober", "60 days", "day 12", "8 days off pills",
             "10 years sober", "1 year clean", "three weeks", "since last fall",
             "9 months", "about a month", "24 hours", "72 hrs"]
HOLIDAYS = ["Thanksgiving", "Christmas", "Christmas Eve", "New Year's Day", "New Year's Eve",
            "Fourth of July", "Easter", "Memorial Day", "Labor Day", "Halloween",
            "Mother's Day", "Father's Day", "Valentine's Day", "MLK Day", "Juneteenth"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MON_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MON_ABBR_DOT = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.",
                "Nov.", "Dec."]
EMAIL_DOMAINS = ["example.org", "example.com", "example.net", "mail.example.com",
                 "peerline.example.org", "harborlight.example.org", "valleyrecovery.example.net",
                 "inbox.example.com"]
WORD_DISTRACTORS = [
    "I hope things get easier.", "By the grace of God I made it.", "Faith-based meetings are an option.",
    "Staff will call back.", "We may need to reschedule.", "Rent rose again.",
    "Summer schedule starts soon.", "Was up until dawn.", "Hope is the theme for next week.",
    "Joy and gratitude came up a lot in shares.", "Said her faith keeps her going.",
    "Grace period on rent ends soon.", "Hunter-green binder left in the group room.",
]


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def ascii_fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")


def is_latin(s: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in s)


def m(label: str, value: str) -> str:
    value = value.strip()
    assert value and "{{" not in value and "}}" not in value, (label, value)
    return "{{%s:%s}}" % (label, value)


def decade_band(age: int) -> str:
    """A decade of life ("60s") is a band, not an identifier, below Safe Harbor's 90 (ANNOTATION.md)."""
    band = f"{(age // 10) * 10}s"
    return m("AGE", band) if age >= 90 else band


# --------------------------------------------------------------------------- people


class Person:
    def __init__(self, first: str, last: str, gender: str, nick: str | None = None):
        self.first, self.last, self.gender, self.nick = first, last, gender, nick
        self.mentions = 0
        self.pgender = gender if gender in "mf" else ("m" if len(first) % 2 else "f")

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    def pron(self, kind: str) -> str:
        table = {"he": ("he", "she", "they"), "his": ("his", "her", "their"),
                 "him": ("him", "her", "them")}
        return table[kind][0 if self.pgender == "m" else 1]


class NameFactory:
    def __init__(self, rng: random.Random, seed: int):
        self.rng = rng
        self.fakers = []
        for i, (loc, weight) in enumerate(LOCALES):
            f = Faker(loc)
            f.seed_instance(seed * 1000 + i)
            self.fakers.append((loc, f, weight))
        self.weights = [w for _, _, w in self.fakers]

    def _draw(self, fn: str) -> str:
        for _ in range(50):
            loc, f, _ = self.rng.choices(self.fakers, self.weights)[0]
            value = getattr(f, fn)()
            if not is_latin(value):
                folded = ascii_fold(value)
                if not folded.strip() or not is_latin(value if folded == value else folded):
                    continue  # non-Latin script (ko_KR, ar_AA): skip, cannot romanize reliably
                value = folded
            value = value.strip()
            if value and "{" not in value and "}" not in value and "[" not in value:
                return value
        return "Alex"

    def person(self) -> Person:
        pg = self.rng.choice("mf")
        if self.rng.random() < 0.10:
            first = self.rng.choice(WORD_NAMES)
            pg = "m" if first in MALE_WORD_NAMES else ("f" if first not in ("Angel", "Sky") else pg)
        else:
            first = self._draw("first_name_male" if pg == "m" else "first_name_female")
        last = self._draw("last_name")
        nick = self.rng.choice(NICKNAMES) if self.rng.random() < 0.12 else None
        gender = "x" if self.rng.random() < 0.05 else pg  # x: title Mx.
        p = Person(first, last, gender, nick)
        p.pgender = pg
        return p


# --------------------------------------------------------------------------- document context


class Doc:
    """Per-document state: cast of people, shared values, slot filler."""

    SLOT = re.compile(r"\[([A-Za-z_0-9']+)\]")

    def __init__(self, rng: random.Random, names: NameFactory, base: dt.date):
        self.rng = rng
        self.names = names
        self.base = base
        self.cast = [names.person() for _ in range(rng.randint(3, 6))]
        self.staff = [names.person() for _ in range(rng.randint(1, 3))]
        self.focus = self.cast[0]
        self.other = self.cast[1]
        self.third = self.cast[2]
        self.title_style = rng.choice(["Ms.", "Ms", "Mrs.", "Miss"])
        self.town = rng.choice(TOWNS)
        self.state = rng.choice(STATES)
        self.home_org = self.org(rng.choice(["shelter", "clinic", "clinic", "service", "church"]))
        self.short_names = rng.random() < 0.5  # how later mentions look

    # ---- people --------------------------------------------------------------------------
    def title_for(self, p: Person) -> str:
        if p.gender == "m":
            return self.rng.choice(["Mr.", "Mr"])
        if p.gender == "f":
            return self.rng.choice(["Ms.", "Ms", "Mrs.", "Miss"])
        return self.rng.choice(["Mx.", "Mx"])

    def say(self, p: Person, form: str | None = None, possessive: bool = False) -> str:
        rng = self.rng
        if form is None:
            if p.mentions == 0:
                form = rng.choices(["full", "first", "initial", "title", "nick"], [6, 4, 1, 1, 1])[0]
            else:
                form = rng.choices(["first", "full", "title", "last", "initial", "nick", "lower"],
                                   [10, 2, 2, 1, 1, 2, 1])[0]
        p.mentions += 1
        prefix = ""
        if form == "full":
            value = p.full
        elif form == "first":
            value = p.first
        elif form == "initial":
            value = f"{p.first[0]}. {p.last}" if rng.random() < 0.8 else f"{p.first} {p.last[0]}."
        elif form == "title":
            prefix = self.title_for(p) + " "
            value = p.last
        elif form == "last":
            value = p.last
        elif form == "nick":
            value = p.nick or p.first
        elif form == "lower":
            value = p.first.lower()
        elif form == "upper":
            value = p.first.upper()
        else:
            value = p.full
        s = prefix + m("PERSON", value)
        if possessive:
            s += "'" if value.endswith("s") and rng.random() < 0.5 else "'s"
        return s

    def say_staff(self, p: Person | None = None, possessive: bool = False) -> str:
        p = p or self.rng.choice(self.staff)
        r = self.rng.random()
        if r < 0.35:
            title = self.rng.choice(["Dr.", "Dr", "Dr."])
            s = f"{title} {m('PERSON', p.last)}"
        elif r < 0.55:
            s = f"{self.title_for(p)} {m('PERSON', p.last)}"
        elif r < 0.8:
            s = m("PERSON", p.first)
        else:
            s = m("PERSON", p.full)
        p.mentions += 1
        return s + ("'s" if possessive else "")

    def fresh_name(self) -> str:
        p = self.names.person()
        return self.say(p, self.rng.choice(["full", "first", "first", "nick"]))

    # ---- values --------------------------------------------------------------------------
    def date_obj(self, back: int = 60, fwd: int = 30) -> dt.date:
        return self.base + dt.timedelta(days=self.rng.randint(-back, fwd))

    def date_str(self, d: dt.date | None = None, style: str | None = None) -> str:
        d = d or self.date_obj()
        rng = self.rng
        style = style or rng.choice(
            ["m/d", "m/d", "m/d/yyyy", "mm/dd/yyyy", "m/d/yy", "Month d", "Month dth", "the dth",
             "iso", "Mon. d", "d Mon yyyy", "Month d, yyyy", "Mon d", "m-d-yy", "dd.mm.yyyy",
             "Month yyyy", "holiday", "Weekday m/d", "Month the dth", "Mon-d"])
        M, D, Y = d.month, d.day, d.year
        if style == "m/d":
            return f"{M}/{D}"
        if style == "m/d/yyyy":
            return f"{M}/{D}/{Y}"
        if style == "mm/dd/yyyy":
            return f"{M:02d}/{D:02d}/{Y}"
        if style == "m/d/yy":
            return f"{M}/{D}/{Y % 100:02d}"
        if style == "Month d":
            return f"{MONTHS[M-1]} {D}"
        if style == "Month dth":
            return f"{MONTHS[M-1]} {ordinal(D)}"
        if style == "the dth":
            return f"the {ordinal(D)}"
        if style == "iso":
            return d.isoformat()
        if style == "Mon. d":
            return f"{MON_ABBR_DOT[M-1]} {D}"
        if style == "d Mon yyyy":
            return f"{D} {MON_ABBR[M-1]} {Y}"
        if style == "Month d, yyyy":
            return f"{MONTHS[M-1]} {D}, {Y}"
        if style == "Mon d":
            return f"{MON_ABBR[M-1]} {D}"
        if style == "m-d-yy":
            return f"{M}-{D}-{Y % 100:02d}"
        if style == "dd.mm.yyyy":
            return f"{M:02d}.{D:02d}.{Y}"
        if style == "Month yyyy":
            return f"{MONTHS[M-1]} {Y}"
        if style == "holiday":
            return rng.choice(HOLIDAYS)
        if style == "Month the dth":
            return f"{MONTHS[M-1]} {ordinal(D)}"
        if style == "Mon-d":
            return f"{MON_ABBR[M-1]}-{D:02d}"
        if style == "Weekday m/d":
            return f"{M}/{D}"
        return f"{M}/{D}"

    def date(self, d: dt.date | None = None, style: str | None = None) -> str:
        s = self.date_str(d, style)
        if s.startswith("the ") and s not in HOLIDAYS:
            return m("DATE", s)  # ANNOTATION.md: {{DATE:the 3rd}}
        if self.rng.random() < 0.12 and "/" in s:
            return f"{self.rng.choice(WEEKDAYS[:7])} {m('DATE', s)}"
        return m("DATE", s)

    def dob(self, year: int | None = None) -> str:
        d = dt.date(year or self.rng.randint(1952, 2006), self.rng.randint(1, 12), self.rng.randint(1, 28))
        style = self.rng.choice(["mm/dd/yyyy", "m/d/yyyy", "iso", "Month d, yyyy", "m/d/yy",
                                 "d Mon yyyy", "mm/dd/yyyy"])
        return m("DATE", self.date_str(d, style))

    def age(self, n: int | None = None, form: str | None = None) -> str:
        rng = self.rng
        n = n or rng.randint(18, 74)
        form = form or rng.choice(["age N", "N-year-old", "N y/o", "(N)", "turned N", "in her Ns",
                                   "Nyo", "N yrs old", "aged N", "N years old", "N yo", "Age: N",
                                   "mid-Ns", "N y.o.", "N-yr-old", "words"])
        a = m("AGE", str(n))
        if form == "age N":
            return f"age {a}"
        if form == "N-year-old":
            return f"{a}-year-old"
        if form == "N y/o":
            return f"{a} y/o"
        if form == "(N)":
            return f"({a})"
        if form == "turned N":
            return f"turned {a}"
        if form == "in her Ns":
            return f"in {rng.choice(['her', 'his', 'their', 'his early', 'her late'])} {decade_band(n)}"
        if form == "mid-Ns":
            return f"{rng.choice(['mid-', 'early ', 'late '])}{decade_band(n)}"
        if form == "Nyo":
            return f"{a}yo"
        if form == "N yrs old":
            return f"{a} yrs old"
        if form == "aged N":
            return f"aged {a}"
        if form == "N years old":
            return f"{a} years old"
        if form == "N yo":
            return f"{a} yo"
        if form == "Age: N":
            return f"Age: {a}"
        if form == "N y.o.":
            return f"{a} y.o."
        if form == "N-yr-old":
            return f"{a}-yr-old"
        if form == "words":
            words = {19: "nineteen", 21: "twenty-one", 25: "twenty-five", 30: "thirty",
                     33: "thirty-three", 40: "forty", 45: "forty-five", 50: "fifty", 62: "sixty-two"}
            k = rng.choice(list(words))
            return f"{m('AGE', words[k])} years old"
        return a

    def phone(self, fax: bool = False) -> str:
        rng = self.rng
        area = rng.choice(["937", "513", "614", "216", "419", "330", "740", "859", "304", "412",
                           "505", "555", "317", "313", "312"])
        line = f"{rng.randint(100, 199):04d}" if rng.random() < 0.6 else f"{rng.randint(0, 9999):04d}"
        fmt = rng.choice(["(a) 555-l", "a-555-l", "a.555.l", "a 555 l", "a555l", "+1 a-555-l",
                          "1-a-555-l", "(a)555-l", "+1 (a) 555-l", "555-l", "a/555-l"])
        value = fmt.replace("a", area).replace("l", line)
        return m("PHONE", value)

    def email(self, p: Person | None = None) -> str:
        p = p or self.focus
        rng = self.rng
        f = re.sub(r"[^a-z]", "", ascii_fold(p.first).lower()) or "peer"
        l = re.sub(r"[^a-z]", "", ascii_fold(p.last).lower()) or "user"
        local = rng.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}{rng.randint(1, 99)}", f"{f}_{l}",
                            f"{l}.{f[0]}", f"{f}{l}{rng.randint(70, 99)}", f"{f}.{l}{rng.randint(1, 9)}"])
        return m("EMAIL", f"{local}@{rng.choice(EMAIL_DOMAINS)}")

    def org_email(self) -> str:
        return m("EMAIL", self.rng.choice(["intake", "frontdesk", "referrals", "peers", "info",
                                           "records", "housing"]) + "@" + self.rng.choice(EMAIL_DOMAINS))

    def handle(self, p: Person | None = None, at: bool = True) -> str:
        p = p or self.focus
        rng = self.rng
        f = re.sub(r"[^a-z]", "", ascii_fold(p.first).lower()) or "peer"
        word = rng.choice(["rides", "strong", "free", "777", "recovery", "_x", "day1", "grows",
                           "rising", "ok", "onemore", "phoenix", "sober", "77", "lion"])
        h = rng.choice([f"{f}_{word}", f"{f}{word}", f"{word}{f}", f"{f}.{word}",
                        f"darkhorse{rng.randint(10, 99)}", f"{f}{rng.randint(80, 2006)}"])
        return (("@" if at else "") + h).strip(".")

    def username(self, p: Person | None = None) -> str:
        h = self.handle(p, at=self.rng.random() < 0.6)
        return m("USERNAME", h)

    def url(self, p: Person | None = None) -> str:
        rng = self.rng
        h = self.handle(p, at=False)
        val = rng.choice([
            f"https://www.facebook.com/{h}", f"facebook.com/{h}", f"instagram.com/{h}",
            f"https://instagram.com/{h}", f"https://www.example.org/peer/{h}",
            f"www.{rng.choice(ORG_ADJ).lower().replace(' ', '')}.example.org",
            f"https://{rng.choice(ORG_ADJ).lower().replace(' ', '')}.example.net/intake",
            f"https://tiktok.com/@{h}", f"https://linktr.ee/{h}",
            f"https://www.gofundme.com/f/help-{h.replace('.', '-').replace('_', '-')}",
            f"http://example.com/forms/roi?id={rng.randint(1000, 9999)}",
            f"https://meet.example.com/{rng.choice(['peer', 'group', 'wrap'])}-{rng.randint(100, 999)}",
        ])
        return m("URL", val)

    def ip(self) -> str:
        rng = self.rng
        val = rng.choice([f"192.0.2.{rng.randint(1, 254)}", f"198.51.100.{rng.randint(1, 254)}",
                          f"203.0.113.{rng.randint(1, 254)}",
                          f"2001:db8::{rng.randint(1, 0xffff):x}",
                          f"2001:db8:{rng.randint(1, 0xfff):x}::{rng.randint(1, 0xff):x}"])
        return m("IP_ADDRESS", val)

    def street(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.7:
            s = f"{rng.randint(12, 9899)} {rng.choice(['', 'N ', 'S ', 'E ', 'W ', 'North ', 'West '])}"
            s += f"{rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
            if rng.random() < 0.3:
                s += rng.choice([f", Apt {rng.randint(1, 40)}{rng.choice('ABCD')}", f" Apt. {rng.randint(1, 300)}",
                                 f" #{rng.randint(1, 30)}", f", Unit {rng.randint(1, 12)}", f", Lot {rng.randint(1, 80)}",
                                 f" Rm {rng.randint(100, 420)}"])
            return s
        if r < 0.82:
            return rng.choice(["PO Box", "P.O. Box", "P.O. BOX", "Post Office Box"]) + f" {rng.randint(10, 9999)}"
        a, b = rng.sample(ORDINAL_STREETS + STREETS, 2)
        return rng.choice([f"{a} and {b}", f"{a} & {b}", f"{a} and {b} St", f"{a}/{b}"])

    def address(self, full: bool | None = None) -> str:
        rng = self.rng
        full = rng.random() < 0.5 if full is None else full
        s = m("ADDRESS", self.street())
        if full:
            sep = rng.choice([", ", ", ", " "])
            s += f"{sep}{m('LOCATION', self.town)}, {self.state} {self.zip()}"
        return s

    def zip(self) -> str:
        z = f"{self.rng.randint(15001, 99950):05d}"
        if self.rng.random() < 0.15:
            z += f"-{self.rng.randint(1, 9999):04d}"
        return m("ZIP", z)

    def location(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return m("LOCATION", rng.choice(TOWNS + [self.town] * 4))
        if r < 0.75:
            return m("LOCATION", rng.choice(NEIGHBOURHOODS))
        lm = rng.choice(LANDMARKS)
        if lm.startswith("the "):
            return "the " + m("LOCATION", lm[4:])
        return m("LOCATION", lm)

    def org(self, kind: str = "any") -> str:
        rng = self.rng
        if kind == "any":
            kind = rng.choice(["shelter", "clinic", "hospital", "church", "school", "employer",
                               "group", "service", "clinic", "shelter", "employer"])
        if kind == "shelter":
            v = f"{rng.choice(ORG_ADJ)} {rng.choice(SHELTER_KIND)}"
        elif kind == "clinic":
            v = f"{rng.choice(ORG_ADJ)} {rng.choice(CLINIC_KIND)}"
        elif kind == "hospital":
            v = rng.choice(HOSPITALS)
        elif kind == "church":
            v = rng.choice(CHURCHES)
        elif kind == "school":
            v = rng.choice(SCHOOLS)
        elif kind == "employer":
            v = rng.choice(EMPLOYERS)
        elif kind == "group":
            v = rng.choice(GROUPS)
            return ("the " if rng.random() < 0.6 else "") + m("ORGANIZATION", v)
        else:
            v = rng.choice(SERVICE_ORGS)
            if v.startswith("The "):
                return "The " + m("ORGANIZATION", v[4:])
        return m("ORGANIZATION", v)

    def ident(self, kind: str | None = None, with_prefix: bool = True) -> str:
        rng = self.rng
        kind = kind or rng.choice(["ssn", "mrn", "case", "member", "medicaid", "dl", "plate",
                                   "acct", "client", "badge", "ssn4", "mrn", "case"])
        if kind == "ssn":
            v = f"{rng.randint(900, 999)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
            if rng.random() < 0.2:
                v = v.replace("-", rng.choice([" ", ""]))
            pre = rng.choice(["SSN", "SSN:", "SS#", "Social:", "soc sec #", "SSN#"])
        elif kind == "ssn4":
            v = f"{rng.randint(0, 9999):04d}"
            pre = rng.choice(["SSN last 4:", "last four of SSN", "SS# xxx-xx-", "last 4 SSN"])
            if pre.endswith("-"):
                return pre + m("ID", v)
        elif kind == "mrn":
            v = rng.choice([f"{rng.randint(0, 99999999):08d}", f"MRN-{rng.randint(100000, 999999)}",
                            f"{rng.randint(1000000, 9999999)}", f"E{rng.randint(1000000, 9999999)}"])
            pre = rng.choice(["MRN", "MRN:", "MRN#", "Med Rec #", "medical record no."])
        elif kind == "case":
            v = rng.choice([f"{self.base.year}-{rng.randint(1, 99999):05d}", f"C-{rng.randint(10000, 99999)}",
                            f"{rng.randint(100000, 999999)}", f"CV{rng.randint(1000000, 9999999)}",
                            f"{self.base.year % 100}CR{rng.randint(1000, 9999)}"])
            pre = rng.choice(["Case #", "case #", "Case No.", "Case number", "case no", "Docket #"])
        elif kind == "member":
            v = rng.choice([f"{''.join(rng.choices('ABCDEFGHJKLMNPRSTUWXYZ', k=3))}{rng.randint(100000000, 999999999)}",
                            f"{rng.randint(10000000000, 99999999999)}", f"W{rng.randint(100000000, 999999999)}"])
            pre = rng.choice(["Member ID", "Member ID:", "member #", "Ins ID", "Policy #", "Subscriber ID"])
        elif kind == "medicaid":
            v = rng.choice([f"{rng.randint(100000000000, 999999999999)}", f"MA{rng.randint(10000000, 99999999)}",
                            f"{rng.randint(1000000000, 9999999999)}"])
            pre = rng.choice(["Medicaid ID", "Medicaid #", "Medicaid ID:", "MCD#", "Medicaid no."])
        elif kind == "dl":
            v = rng.choice([f"{rng.choice('ABCDEFRST')}{rng.choice('ABCDEFRST')}{rng.randint(100000, 999999)}",
                            f"S{rng.randint(100, 999)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                            f"{rng.randint(100000000, 999999999)}"])
            pre = rng.choice(["DL#", "DL", "driver's license", "OL #", "State ID #", "ID card #"])
        elif kind == "plate":
            v = rng.choice([f"{''.join(rng.choices('ABCDEFGHJKLMNPRSTUVWXYZ', k=3))} {rng.randint(1000, 9999)}",
                            f"{''.join(rng.choices('ABCDEFGHJKLMNPRSTUVWXYZ', k=3))}{rng.randint(100, 999)}",
                            f"{rng.randint(1, 9)}{''.join(rng.choices('ABCDEFGHJKLMNPRSTUVWXYZ', k=3))}{rng.randint(100, 999)}"])
            pre = rng.choice(["plate", "plate #", "tag", "lic. plate", "plates"])
        elif kind == "acct":
            v = rng.choice([f"{rng.randint(1000, 9999)}", f"{rng.randint(10000000, 99999999)}",
                            f"AC-{rng.randint(100000, 999999)}"])
            pre = rng.choice(["account ending", "acct #", "Account No.", "EBT card ending", "acct"])
        elif kind == "badge":
            v = f"{rng.randint(100, 9999)}"
            pre = rng.choice(["badge #", "Badge", "badge no."])
        else:  # client
            v = rng.choice([f"CL-{rng.randint(10000, 99999)}", f"{rng.randint(100000, 999999)}",
                            f"P{rng.randint(10000, 99999)}"])
            pre = rng.choice(["Client ID", "Client #", "client id", "Participant ID", "HMIS #", "HMIS ID"])
        return (pre + " " + m("ID", v)) if with_prefix else m("ID", v)

    # ---- distractors ---------------------------------------------------------------------
    def time(self) -> str:
        rng = self.rng
        h, mi = rng.randint(1, 12), rng.choice([0, 0, 15, 30, 45, 10, 20, 5, 50])
        return rng.choice([f"{h}:{mi:02d}", f"{h}:{mi:02d}pm", f"{h}:{mi:02d} AM", f"{h}pm",
                           f"{h} am", f"{rng.randint(0, 23):02d}{mi:02d}", f"{h}:{mi:02d} p.m.",
                           "noon", "around 3", "after lunch"])

    # ---- slot filler ---------------------------------------------------------------------
    def fill(self, template: str) -> str:
        def rep(mt: re.Match) -> str:
            return self.slot(mt.group(1))
        out = self.SLOT.sub(rep, template)
        return out

    def slot(self, name: str) -> str:
        rng = self.rng
        poss = name.endswith("'s")
        key = name[:-2] if poss else name
        people = {"P": self.focus, "P2": self.other, "P3": self.third}
        if key in people:
            return self.say(people[key], possessive=poss)
        if key in ("PFULL", "PFIRST", "PTITLE", "PINIT"):
            form = {"PFULL": "full", "PFIRST": "first", "PTITLE": "title", "PINIT": "initial"}[key]
            return self.say(self.focus, form, possessive=poss)
        if key == "STAFF":
            return self.say_staff(possessive=poss)
        if key == "NAME":
            return self.fresh_name() + ("'s" if poss else "")
        if key == "FIRST":
            return m("PERSON", self.names.person().first) + ("'s" if poss else "")
        if key in ("he", "his", "him"):
            return self.focus.pron(key)
        if key in ("He", "His", "Him"):
            return self.focus.pron(key.lower()).capitalize()
        simple = {
            "AGE": self.age, "DATE": self.date, "DOB": self.dob, "PHONE": self.phone,
            "FAX": lambda: self.phone(fax=True), "EMAIL": self.email, "URL": self.url,
            "IP": self.ip, "ADDR": self.address, "ADDRFULL": lambda: self.address(True),
            "STREET": lambda: self.address(False), "LOC": self.location, "ZIP": self.zip,
            "TOWN": lambda: m("LOCATION", self.town), "ORG": lambda: self.org("any"),
            "SHELTER": lambda: self.org("shelter"), "CLINIC": lambda: self.org("clinic"),
            "HOSP": lambda: self.org("hospital"), "CHURCH": lambda: self.org("church"),
            "SCHOOL": lambda: self.org("school"), "EMPLOYER": lambda: self.org("employer"),
            "GROUP": lambda: self.org("group"), "SERVICE": lambda: self.org("service"),
            "HOME": lambda: self.home_org, "ID": self.ident,
            "MRN": lambda: self.ident("mrn"), "CASE": lambda: self.ident("case"),
            "MEMBER": lambda: self.ident("member"), "MEDICAID": lambda: self.ident("medicaid"),
            "SSN": lambda: self.ident("ssn"), "DL": lambda: self.ident("dl"),
            "PLATE": lambda: self.ident("plate"), "ACCT": lambda: self.ident("acct"),
            "CLIENTID": lambda: self.ident("client"), "BADGE": lambda: self.ident("badge"),
            "USER": self.username, "HANDLE": self.username,
            # distractors (plain text)
            "REL": lambda: rng.choice(RELATIVE_FUT), "RELP": lambda: rng.choice(RELATIVE_PAST), "WDAY": lambda: rng.choice(WEEKDAYS),
            "TIME": self.time, "YEAR": lambda: str(rng.randint(1998, self.base.year - 1)),
            "DUR": lambda: rng.choice(DURATIONS), "GEN": lambda: rng.choice(GENERIC_PLACES),
            "PROG": lambda: rng.choice(PROGRAMS), "SHORT": lambda: rng.choice(SHORTHAND),
            "ROLE": lambda: rng.choice(ROLE_WORDS), "NUM": lambda: str(rng.randint(2, 12)),
            "WORDD": lambda: rng.choice(WORD_DISTRACTORS),
        }
        if key in simple:
            return simple[key]()
        raise KeyError(f"unknown slot {name!r}")


# --------------------------------------------------------------------------- sentence banks

CHECKIN = [
    "[P] shared about [his] [DUR] and thanked the group.",
    "[P] checked in, said [he] is at [DUR] and feeling steady.",
    "[P] ([AGE]) is new to group, referred by [CLINIC].",
    "[P] arrived late, said the bus from [LOC] was running behind.",
    "[P] talked about a court date on [DATE] and asked for support.",
    "[P] reported moving into [SHELTER] [RELP].",
    "[P] shared [he] picked up a [DUR] chip at [CHURCH].",
    "[P] said [his] sister [NAME] is letting [him] stay on [his] couch for now.",
    "[P] got hired at [EMPLOYER] and starts on [DATE].",
    "[P] mentioned [his] sponsor [NAME] has been calling every day.",
    "[P] shared grief about losing [his] brother [NAME] last year.",
    "[P] reports [SHORT]; encouraged to f/u with [CLINIC].",
    "[P's] daughter [NAME] turned [AGE] over the weekend and [he] made it to the party.",
    "[P] was quiet today; [P2] offered a ride to [GEN] afterward.",
    "[P] and [P2] are planning to attend [GROUP] on [WDAY].",
    "[P] described a relapse scare near [LOC] and how [he] called [his] sponsor instead.",
    "[P] said [he] has an intake at [CLINIC] on [DATE] at [TIME].",
    "[P] asked the group about [PROG] paperwork and renewing [his] benefits.",
    "[P] ([AGE]) talked about raising grandkids while in recovery.",
    "[P] celebrated [DUR]; group clapped.",
    "[P] brought up housing again; waitlisted at [SHELTER] since [DATE].",
    "[P] shared that [he] is back in touch with [his] mom, [NAME], after years.",
    "[P] said the meeting at [CHURCH] on [WDAY] nights has been helping.",
    "[P] is [AGE] and says this is the first time [he] has made it past [DUR].",
    "[P] left early for a shift at [EMPLOYER].",
    "[P2] gave feedback to [P] about setting boundaries with [his] ex.",
    "[P] mentioned an old friend, [NAME], who overdosed near [LOC] in [YEAR].",
    "[P] shared a poem; [P2] and [P3] both related.",
    "[P] got [his] ID back from [SERVICE] [RELP].",
    "[P] has a PO appointment [REL] and is anxious about it.",
    "[P] said [STAFF] at [CLINIC] changed [his] meds; [SHORT].",
    "[P] is staying with [NAME] at [ADDR] until the voucher comes through.",
    "[P] said [he] walks to [LOC] every morning to clear [his] head.",
    "[P] mentioned [his] son is at [SCHOOL] now and doing well.",
    "[P] reported [he] is [DUR] and back at [EMPLOYER] part time.",
    "[P] said it was hard around [DATE] because that's when [his] dad passed.",
    "[P] asked if anyone had a number for [SERVICE]; [P2] shared [PHONE].",
    "Per [P], [his] new phone number is [PHONE].",
    "[P] is [AGE], lives in [LOC], and has been coming since [YEAR].",
    "[P] showed pictures of [his] baby, born [DATE].",
    "[P] wants to become a peer supporter; [STAFF] will send info about the training on [DATE].",
    "[P] said [he] will be out [REL] for a dentist appointment at [CLINIC].",
    "[P] and [his] partner [NAME] are doing couples counseling at [CLINIC].",
    "[P] talked about [WORDD]",
    "[P] mentioned a new job lead at [EMPLOYER] in [LOC].",
]
GROUP_OPENERS = [
    "Group opened at [TIME] with the serenity prayer.",
    "Check-in round: everyone shared a high and a low from the week.",
    "Topic today was boundaries with family.",
    "Facilitator reviewed group agreements and confidentiality.",
    "Started [TIME] due to room change; met in the day room instead.",
    "Topic: relapse prevention and HALT.",
    "Opened with a grounding exercise, 5-4-3-2-1.",
    "Theme this week was gratitude; several members brought readings.",
    "Quiet group today, weather kept some folks home.",
    "Co-facilitated with [STAFF].",
]
GROUP_CLOSERS = [
    "Closed with the serenity prayer at [TIME].",
    "Next group [WDAY] at [TIME], same room.",
    "No safety concerns noted.",
    "Reminder given about [GROUP] next [WDAY].",
    "Coffee and snacks donated by [STORE_EMP].",
    "Next meeting is [DATE], topic TBD.",
    "Flyers for Narcan training handed out.",
    "Members encouraged to call the warmline after hours.",
    "Staff to f/u with [P] re: housing.",
    "Group ended [TIME]. Room reset.",
]
CONTACT_LINES = [
    "Met [P] at [LOC] for coffee.",
    "Met with [P] at [HOME] for a scheduled 1:1.",
    "Phone contact with [P] at [PHONE], approx 20 min.",
    "Drove [P] to [CLINIC] for an intake appointment.",
    "Accompanied [P] to [SERVICE] to apply for [PROG].",
    "[P] called from [NAME's] phone, [PHONE], because [his] phone was shut off.",
    "[P] reports [he] is [DUR] and attending [GROUP].",
    "Helped [P] fill out the housing application for [SHELTER].",
    "[P] stated [his] mother [NAME] ([AGE]) is sick and [he] is stressed.",
    "[P] said [his] PO, [STAFF], wants proof of meetings by [DATE].",
    "Discussed coping skills; [P] practiced box breathing.",
    "[P] disclosed a lapse on [DATE], no use since. Processed without judgment.",
    "[P] is staying at [ADDRFULL] for now.",
    "[P] asked for a letter for court ([CASE]).",
    "Gave [P] a bus pass and the number for [SERVICE], [PHONE].",
    "[P] has a new email, [EMAIL].",
    "[P] mentioned [his] Facebook ([URL]) has been getting messages from old using friends.",
    "Reviewed WRAP plan; [P] added [his] cousin [NAME] as a support.",
    "[P] reports [SHORT].",
    "[P] says [he] has a shift at [EMPLOYER] [REL].",
    "[P] wants to go back to [SCHOOL] for a GED class.",
    "[P] got a call from [HOSP] about bills under [ACCT].",
    "[P] mentioned [his] landlord [NAME] is threatening eviction.",
    "[P] shared [he] went to [CHURCH] with [his] aunt [NAME] on [DATE].",
    "Provided Narcan kit; [P] was trained on use.",
    "Transported [P] to [GEN] and waited during appointment.",
    "[P] said [his] kids are with [his] ex, [NAME], in [LOC].",
    "[P] asked me to call [his] case manager [STAFF] at [PHONE].",
    "[P] is [AGE] and has been in and out of [GEN] since [YEAR].",
    "[P] was picked up by [NAME] in a blue Civic, [PLATE].",
    "[P] turned in paperwork for [PROG] with [MEDICAID].",
    "[P] cried when talking about [his] son, [NAME].",
    "Plan: check in [REL]; [P] will text me if [he] needs a ride.",
    "[P] requested help setting up a profile on the job site; username [USER].",
]
PLAN_LINES = [
    "Next contact [DATE].", "F/u [REL] by phone.", "Will call [P] [WDAY] afternoon.",
    "Follow up on housing waitlist at [SHELTER].", "Send ROI to [CLINIC] (fax [FAX]).",
    "Remind [P] about intake on [DATE] at [TIME].", "Peer to attend court with [P] on [DATE].",
    "Check on [PROG] application status.", "Connect [P] with [GROUP].",
    "Next 1:1 [WDAY] [TIME] at [LOC].", "Staff with supervisor [STAFF].",
    "Drop off bus passes at [SHELTER] [REL].", "Call [SERVICE] re: ID voucher.",
]

# Sentences with no identifiers at all (distractors: shorthand, relative times, weekdays,
# times, years alone, durations, generic places, programs, role words, look-alike numbers).
PLAIN = [
    "Discussed [PROG] and how to get to [GEN] without a car.", "[SHORT].",
    "Reports sleeping better; [SHORT].", "Talked about triggers around payday.",
    "Reviewed coping skills: call the sponsor, go to a meeting, play the tape forward.",
    "Says [he] has [DUR] and feels proud of it.", "Plans to go to [GEN] [REL] around [TIME].",
    "Group on [WDAY] moved to [TIME].", "Has been going to meetings since [YEAR].",
    "Asked about [PROG] recertification; gave info.", "Mood anxious but hopeful, affect congruent.",
    "Denies SI/HI. Safety plan reviewed.", "The [ROLE] is supportive per report.",
    "Took the 7 bus to [GEN].", "Room 204 was locked so we met in the day room.",
    "Discussed step 4 and writing an inventory.", "Smoking 1/2 pack a day, wants to cut down.",
    "Sleep 5-6 hrs/night.", "Talked about what to do when cravings hit at night.",
    "Peer shared lived experience with [PROG].", "Ate lunch together near [GEN].", "[WORDD]",
    "Weather was bad and the bus ran 20 min late.", "Called the warmline x2 this week.",
    "Says the [ROLE] has been checking in.", "Wants to do 90 meetings in 90 days.",
    "Relapse prevention worksheet completed (3 of 5 sections).", "Vitals at [GEN]: [SHORT].",
    "Got a new phone through the Lifeline program.", "Rent is $650/mo and [he] owes 2 months.",
    "Scored 14 on the PHQ-9 at last visit.", "Worked 32 hours this week.",
    "Back in school since [YEAR]; wants to finish by next spring.",
    "Taking meds as prescribed, 10 mg daily.", "Clean since [YEAR], one slip last winter.",
    "Talked about the 3rd step prayer.", "Check-in was brief; had to leave by [TIME].",
    "Went to [PROG] [WDAY] and [WDAY].", "Said [his] [ROLE] drove [him] to [GEN] [RELP].",
    "Used the 1:1 time to practice a phone call to the [ROLE].", "Feels 7/10 on cravings, down from 9/10.",
    "Discussed HALT: hungry, angry, lonely, tired.", "Reports [DUR]; no use since [WDAY].",
    "Needs a ride to [GEN] [REL].", "Was at [GEN] until [TIME] last night.",
    "Wants help with a resume before [WDAY].", "Listened more than talked today.",
    "Explored what recovery capital looks like for [him].", "Shared the 24/7 crisis line and 988.",
    "Talked about grief around the holidays.", "Still on the waitlist for [PROG].",
    "Completed the ROI for the [ROLE].", "OOB and dressed when I arrived; [SHORT].",
    "Reports GI upset from new meds, will tell the prescriber.", "[SHORT]; f/u next visit.",
    "Said [he] felt 100% better after the meeting.", "Had 2 cups of coffee and talked for an hour.",
    "Asked about the 12-step group near [GEN].", "Has a 3pm appt with the [ROLE] [REL].",
    "Discussed the difference between a lapse and a relapse.", "Kids visit every other [WDAY].",
]
TEXT_PLAIN = [
    "ok", "k", "yes", "no", "lol", "omw", "thx", "ty!!", "call me", "u up?", "at the mtg",
    "running late", "can't talk rn", "bus is late again", "im good", "rough day",
    "[DUR] today!!", "see u [WDAY]", "at [GEN]", "tmrw at [TIME]?", "sounds good",
    "proud of u", "ok see u then", "did u eat", "need a ride [REL]", "made it home",
    "going to bed", "my phone is almost dead", "what time is group", "group at [TIME] [WDAY]",
    "can u call back in 10", "👍", "❤️", "thank u", "its been [DUR]", "went to [PROG] last night",
]


def _store_emp(doc: Doc) -> str:
    return doc.org("employer")


# --------------------------------------------------------------------------- post-processing


def transform_markup(markup: str, fn_text, fn_value=None) -> str:
    """Apply fn_text to plain text and fn_value (default fn_text) to entity values."""
    fn_value = fn_value or fn_text
    out, pos = [], 0
    for mt in MARK.finditer(markup):
        out.append(fn_text(markup[pos:mt.start()]))
        value = fn_value(mt.group(2))
        out.append("{{%s:%s}}" % (mt.group(1), value))
        pos = mt.end()
    out.append(fn_text(markup[pos:]))
    return "".join(out)


def add_typos(markup: str, rng: random.Random, rate: float) -> str:
    def typo_text(text: str) -> str:
        def one(mt: re.Match) -> str:
            w = mt.group(0)
            if len(w) < 5 or rng.random() > rate:
                return w
            i = rng.randint(1, len(w) - 3)
            kind = rng.random()
            if kind < 0.4:
                return w[:i] + w[i + 1] + w[i] + w[i + 2:]
            if kind < 0.7:
                return w[:i] + w[i + 1:]
            return w[:i] + w[i] + w[i:]
        return re.sub(r"[A-Za-z]+", one, text)
    return transform_markup(markup, typo_text, lambda v: v)


SHORTHAND_SUBS = [(r"\bwith\b", "w/"), (r"\bwithout\b", "w/o"), (r"\babout\b", "abt"),
                  (r"\bappointment\b", "appt"), (r"\bfollow up\b", "f/u"), (r"\bpatient\b", "pt"),
                  (r"\bbecause\b", "bc"), (r"\bthrough\b", "thru"), (r"\bregarding\b", "re:"),
                  (r"\bplease\b", "pls"), (r"\btomorrow\b", "tmrw"), (r"\bmeeting\b", "mtg"),
                  (r"\band\b", "&")]


def shorthandify(markup: str, rng: random.Random) -> str:
    subs = rng.sample(SHORTHAND_SUBS, rng.randint(2, 6))

    def f(text: str) -> str:
        for pat, rep in subs:
            text = re.sub(pat, rep, text)
        return text
    return transform_markup(markup, f, lambda v: v)


# --------------------------------------------------------------------------- document types


def sentences(doc: Doc, bank: list[str], k: int, rotate: bool = True) -> list[str]:
    out = []
    for t in doc.rng.sample(bank, min(k, len(bank))):
        if rotate:
            people = doc.cast[:]
            doc.rng.shuffle(people)
            doc.focus, doc.other, doc.third = people[0], people[1], people[2]
        t = t.replace("[STORE_EMP]", _store_emp(doc))
        s = doc.fill(t)
        out.append(s[0].upper() + s[1:] if s and s[0].islower() and not s.startswith("{{") else s)
    return out


def mixed(doc: Doc, bank: list[str], k_ent: int, k_plain: int, rotate: bool = True) -> list[str]:
    """k_ent sentences from ``bank`` interleaved with k_plain identifier-free ones."""
    out = sentences(doc, bank, k_ent, rotate) + sentences(doc, PLAIN, k_plain, rotate)
    doc.rng.shuffle(out)
    return out


def header_date(doc: Doc) -> str:
    return doc.date(style=doc.rng.choice(["m/d/yyyy", "mm/dd/yyyy", "iso", "Month d, yyyy",
                                          "d Mon yyyy", "m/d/yy", "m/d"]))


def gen_group_note(doc: Doc) -> str:
    rng = doc.rng
    parts = []
    title = rng.choice(["GROUP NOTE", "Group Note", "Peer Support Group - Session Note",
                        "Recovery Circle notes", "group notes", "Support Group Summary"])
    parts.append(title)
    head = [f"Date: {header_date(doc)}",
            f"Group: {doc.org('group')}" if rng.random() < 0.7 else f"Group: {rng.choice(['Open talk', 'Peer support', 'Dual recovery'])}",
            f"Location: {doc.org(rng.choice(['church', 'clinic', 'shelter']))}" + (f", {doc.location()}" if rng.random() < 0.4 else ""),
            f"Facilitator: {doc.say_staff()}",
            f"Time: {rng.choice(['6:00-7:30pm', '10-11:30am', '1:00-2:30', '7pm-8:30pm', '18:00-19:30', 'noon-1'])}"]
    if rng.random() < 0.3:
        head.append(f"Co-facilitator: {doc.say_staff()}")
    if rng.random() < 0.2:
        head.insert(1, f"{rng.choice(['Zoom', 'Link', 'Virtual room'])}: {doc.url()}")
    rest = head[1:]
    rng.shuffle(rest)
    head = [head[0]] + rest
    sep = rng.choice(["\n", " | ", "\n"])
    parts.append(sep.join(head[: rng.randint(2, 4)]))
    # attendance
    style = rng.random()
    names = []
    if style >= 0.6:
        for p in doc.cast:
            names.append(doc.say(p, rng.choice(["full", "first", "initial", "first", "nick"])))
        if rng.random() < 0.3:
            names.append(doc.fresh_name() + " (new)")
    else:
        names = doc.cast
    if style < 0.6:
        parts.append(f"{rng.choice(['Attendance', 'Present', 'Count'])}: {len(names)} members"
                     + rng.choice(["", ", 1 new", ", names on sign-in sheet"]))
    elif style < 0.75:
        parts.append(f"{rng.choice(['Present', 'Attendees', 'In attendance', 'Attended'])}: " + ", ".join(names))
    elif style < 0.87:
        parts.append(f"{rng.choice(['Present', 'Attendance'])} ({len(names)}):\n" + "\n".join(f"- {n}" for n in names))
    else:
        parts.append("Members present were " + ", ".join(names[:-1]) + " and " + names[-1] + ".")
    if rng.random() < 0.5:
        parts.append(" ".join(sentences(doc, GROUP_OPENERS, rng.randint(1, 2), rotate=False)))
    body = mixed(doc, CHECKIN, rng.randint(1, 3), rng.randint(3, 6))
    if rng.random() < 0.5:
        parts.append(" ".join(body))
    else:
        parts.append("\n".join(rng.choice(["- ", "* ", "• ", ""]) + s for s in body))
    if rng.random() < 0.25:
        parts.append(rng.choice(["Safety:", "Concerns:", "Follow-up:"]) + " " + " ".join(sentences(doc, PLAN_LINES, 1)))
    parts.append(" ".join(sentences(doc, GROUP_CLOSERS, 1)))
    if rng.random() < 0.6:
        parts.append(rng.choice(["-- ", "Signed: ", "Note by ", "Submitted by "]) + doc.say_staff()
                     + rng.choice(["", ", CPS", ", Peer Recovery Supporter", ", PRS", " (peer)"]))
    return "\n\n".join(parts)


def gen_contact_note(doc: Doc) -> str:
    rng = doc.rng
    p = doc.focus
    parts = []
    parts.append(rng.choice(["1:1 Peer Contact Note", "Individual Contact", "PEER CONTACT",
                             "Contact note", "One-on-one session"]))
    fields = [("Participant", doc.say(p, rng.choice(["full", "full", "initial"]))),
              ("Date", header_date(doc)),
              ("Type", rng.choice(["face to face", "phone", "community", "text", "video"])),
              ("Duration", rng.choice(["30 min", "45 min", "1 hr", "20 minutes", "1.5 hrs"])),
              ("Peer", doc.say_staff())]
    if rng.random() < 0.5:
        fields.pop(rng.choice([2, 3]))
    if rng.random() < 0.25:
        fields.append(("Client ID", doc.ident("client", with_prefix=False)))
    if rng.random() < 0.3:
        fields.append(("Location", doc.location()))
    lay = rng.choice(["lines", "inline", "pipes"])
    if lay == "lines":
        parts.append("\n".join(f"{k}: {v}" for k, v in fields))
    elif lay == "inline":
        parts.append("; ".join(f"{k} - {v}" for k, v in fields))
    else:
        parts.append(" | ".join(f"{k.upper()}: {v}" for k, v in fields))
    body = []
    for t in rng.sample(CONTACT_LINES, rng.randint(1, 3)) + rng.sample(PLAIN, rng.randint(3, 6)):
        doc.focus = p
        doc.other = rng.choice(doc.cast[1:])
        body.append(doc.fill(t))
    rng.shuffle(body)
    if rng.random() < 0.5:
        parts.append(rng.choice(["Narrative:", "Summary:", "Notes:", "S/O:"]) + " " + " ".join(body))
    else:
        parts.append(" ".join(body[:3]))
        parts.append(" ".join(body[3:]))
    doc.focus = p
    parts.append(rng.choice(["Plan: ", "PLAN\n", "Next steps: ", "P: "]) +
                 " ".join(doc.fill(t) for t in rng.sample(PLAN_LINES, rng.randint(1, 2))))
    if rng.random() < 0.4:
        parts.append(f"({rng.choice(['no', 'No', 'Denies'])} SI/HI. {rng.choice(SHORTHAND)}. {rng.choice(SHORTHAND)}.)")
    return "\n\n".join(parts)


def gen_intake_form(doc: Doc) -> str:
    rng = doc.rng
    p = doc.focus
    ec = doc.names.person()
    pcp = doc.staff[0]
    intake_age = rng.randint(18, 72)
    fields = [
        ("Name", doc.say(p, "full") if rng.random() < 0.6 else f"{m('PERSON', p.last)}, {m('PERSON', p.first)}"),
        ("Preferred name", doc.say(p, rng.choice(["first", "nick"]))),
        ("DOB", doc.dob(doc.base.year - intake_age - 1)),
        ("Age", m("AGE", str(intake_age))),
        ("Phone", doc.phone()),
        ("Alt phone", doc.phone()),
        ("Email", doc.email(p)),
        ("Address", doc.address(False)),
        ("City/State/ZIP", f"{m('LOCATION', doc.town)}, {doc.state} {doc.zip()}"),
        ("Emergency contact", f"{doc.say(ec, 'full')} ({rng.choice(['mother', 'sister', 'friend', 'sponsor', 'partner', 'aunt'])}) {doc.phone()}"),
        ("SSN", doc.ident("ssn", with_prefix=False)),
        ("Medicaid ID", doc.ident("medicaid", with_prefix=False)),
        ("MRN", doc.ident("mrn", with_prefix=False)),
        ("Insurance member ID", doc.ident("member", with_prefix=False)),
        ("Referral source", doc.org(rng.choice(["clinic", "hospital", "service", "shelter"]))),
        ("PCP", f"Dr. {m('PERSON', pcp.last)}, {doc.org('clinic')}"),
        ("Driver's license", doc.ident("dl", with_prefix=False)),
        ("Current housing", rng.choice(["shelter", "couch surfing", "own apt", "car", "sober living", "with family"])),
        ("Substances", rng.choice(["opioids, alcohol", "meth", "alcohol", "none reported", "cocaine, THC"])),
        ("Sobriety date", doc.date(style=rng.choice(["m/d/yyyy", "Month d, yyyy", "m/d/yy"]))),
        ("Social media", doc.username(p)),
        ("Employer", doc.org("employer")),
        ("Case manager", doc.say_staff()),
        ("Probation", rng.choice(["N/A", "yes - " + doc.ident("case"), "no"])),
        ("Programs", ", ".join(rng.sample(PROGRAMS, 2))),
        ("Intake date", header_date(doc)),
    ]
    core = fields[:3]
    plain_fields = [("Housing status", rng.choice(["shelter", "homeless", "renting", "doubled up", "sober living"])),
                    ("Veteran", rng.choice(["Y", "N", "no"])), ("Insurance", rng.choice(["Medicaid", "none", "Medicare", "Medicaid pending"])),
                    ("Primary language", rng.choice(["English", "Spanish", "English/Spanish", "Vietnamese"])),
                    ("Clean date", rng.choice(["unsure", "since " + str(rng.randint(2015, doc.base.year - 1)), "N/A"])),
                    ("Recovery pathway", rng.choice(["AA/NA", "MAT", "faith-based", "SMART", "undecided"])),
                    ("Goals", rng.choice(["housing, job", "get kids back", "stay out of jail", "GED", "90 days"])),
                    ("Best time to call", rng.choice(["mornings", "after 3pm", "weekdays", "evenings"]))]
    rest = rng.sample(fields[3:], rng.randint(2, 6)) + rng.sample(plain_fields, rng.randint(3, 6))
    chosen = core + rest
    if rng.random() < 0.5:
        rng.shuffle(chosen)
    layout = rng.choice(["colon", "dots", "pipes", "dash", "upper", "twocol", "kv"])
    lines = []
    if layout == "colon":
        lines = [f"{k}: {v}" for k, v in chosen]
    elif layout == "dots":
        lines = [f"{k} {'.' * max(2, 24 - len(k))} {v}" for k, v in chosen]
    elif layout == "pipes":
        lines = ["| Field | Value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in chosen]
    elif layout == "dash":
        lines = [f"{k} - {v}" for k, v in chosen]
    elif layout == "upper":
        lines = [f"{k.upper()}:\t{v}" for k, v in chosen]
    elif layout == "twocol":
        for i in range(0, len(chosen), 2):
            pair = chosen[i:i + 2]
            lines.append("    ".join(f"{k}: {v}" for k, v in pair))
    else:
        lines = [f"{k.lower().replace(' ', '_').replace('/', '_')}={v}" for k, v in chosen]
    title = rng.choice(["INTAKE FORM", "Peer Services Intake", "Intake / Enrollment",
                        "New Participant Intake", "Registration Form"])
    header = title + ("\n" + doc.home_org if rng.random() < 0.6 else "")
    parts = [header, "\n".join(lines)]
    if rng.random() < 0.7:
        doc.focus = p
        doc.other = rng.choice(doc.cast[1:])
        notes = [doc.fill(t) for t in rng.sample(CONTACT_LINES, 1) + rng.sample(PLAIN, rng.randint(1, 3))]
        parts.append(rng.choice(["Notes:", "Intake notes:", "Comments:"]) + " " + " ".join(notes))
    if rng.random() < 0.5:
        parts.append(f"Completed by {doc.say_staff()} on {header_date(doc)}.")
    return "\n\n".join(parts)


TEXT_MSGS_A = [
    "hey its [P] can u call me", "omw to [GEN]", "running late bus broke down near [LOC]",
    "did u get my msg", "im at [SHELTER] now", "thx for yesterday", "can we meet [REL]",
    "my new # is [PHONE]", "ok", "k", "yes", "need a ride to [CLINIC] [WDAY]",
    "[P2] said she'd come too", "lost my phone again using my sisters", "court on [DATE] :(",
    "got the job at [EMPLOYER]!!", "[DUR] today", "cant make group", "at the mtg at [CHURCH]",
    "u still at [LOC]?", "can u text [P2] for me", "my email is [EMAIL]", "appt moved to [DATE]",
    "pls call [NAME] she needs help", "lol", "thank u so much", "im ok just tired",
    "follow me [USER]", "send me the link", "having a rough night", "made it to [GEN]",
    "my bday is [DATE] btw", "[P2] is staying at [ADDR] now", "can u bring a bus pass",
]
TEXT_MSGS_B = [
    "hi [P] checking in", "how are you doing [REL]?", "i can pick you up at [TIME]",
    "group is at [TIME] at [HOME]", "here's the number for [SERVICE]: [PHONE]",
    "proud of you!!", "call me when you can", "reminder: appt at [CLINIC] [DATE] [TIME]",
    "text back when u get this", "link for zoom group: [URL]", "got it, see u then",
    "i left a msg w/ [STAFF]", "sure, where at", "ok i'll let [P2] know", "no worries",
    "do u have ur [PROG] card", "crisis line is 988 if u need it tonight",
]


def gen_text_log(doc: Doc) -> str:
    rng = doc.rng
    p = doc.focus
    peer = doc.staff[0]
    stamp_style = rng.choice(["bracket_time", "date_header", "none", "time_only", "date_time", "bracket_time", "time_only"])
    name_style = rng.choice(["handle", "name", "mixed"])
    h_a = doc.handle(p, at=rng.random() < 0.4)
    h_b = doc.handle(peer, at=False) if rng.random() < 0.5 else None
    d0 = doc.date_obj()
    lines = [rng.choice(["text thread", "sms log", "messages exported", "txt log", ""]) +
             rng.choice(["", f" w/ {doc.say(p, 'first')}", f" - {m('USERNAME', h_a)}"])]
    lines[0] = lines[0].strip() or "log"
    n = rng.randint(6, 12)
    hr, mi = rng.randint(7, 21), rng.randint(0, 59)
    d = last_d = d0
    for i in range(n):
        speaker_a = rng.random() < 0.55
        mi += rng.randint(1, 40)
        if mi >= 60:
            hr, mi = hr + 1, mi - 60
        if hr > 23:
            hr, d = 8, d + dt.timedelta(days=1)
        if speaker_a:
            doc.focus, doc.other = p, rng.choice(doc.cast[1:])
            msg = doc.fill(rng.choice(TEXT_MSGS_A if rng.random() < 0.35 else TEXT_PLAIN))
            if name_style == "handle" or (name_style == "mixed" and rng.random() < 0.5):
                who = m("USERNAME", h_a)
            else:
                who = doc.say(p, "first")
        else:
            doc.focus, doc.other = p, rng.choice(doc.cast[1:])
            msg = doc.fill(rng.choice(TEXT_MSGS_B if rng.random() < 0.35 else TEXT_PLAIN))
            if h_b and rng.random() < 0.6:
                who = m("USERNAME", h_b)
            else:
                who = rng.choice(["me", "peer", m("PERSON", peer.first)])
        if stamp_style == "bracket_time":
            st = f"[{hr % 12 or 12}:{mi:02d} {'pm' if hr >= 12 else 'am'}] "
        elif stamp_style == "date_time":
            fmt = f"{d.month}/{d.day}" if len(lines) % 2 else d.isoformat()
            st = f"{m('DATE', fmt)} {hr}:{mi:02d} " if (i == 0 or d != last_d) else f"{hr}:{mi:02d} "
        elif stamp_style == "date_header":
            if i == 0 or d != last_d:
                lines.append(f"--- {m('DATE', doc.date_str(d, rng.choice(['m/d', 'Mon d', 'Month d', 'iso'])))} ---")
            st = f"{hr % 12 or 12}:{mi:02d}{'p' if hr >= 12 else 'a'} "
        elif stamp_style == "time_only":
            st = f"{hr:02d}:{mi:02d} "
        else:
            st = ""
        lines.append(f"{st}{who}: {msg}")
        last_d = d
    return "\n".join(lines)


TRANSCRIPT_LINES_P = [
    "Yeah, I've been at [SHELTER] since [DATE].", "My sponsor [NAME] says to take it one day at a time.",
    "I turned [AGE_N] last month and honestly I didn't think I'd make it.",
    "I went to [CHURCH] on [WDAY] and it helped.", "I'm [DUR] now.",
    "My kids are with my mom in [LOC].", "I got a call from [STAFF] about my case.",
    "I don't know, it's been hard since [DATE].", "I'm working at [EMPLOYER] now, nights.",
    "[P2] picked me up, we went to [GEN].", "Can I get that number again? For [SERVICE]?",
    "I moved to [ADDR].", "They had me at [HOSP] for three days.", "My PO is [NAME], he's alright.",
    "I still hear from [NAME] sometimes, on Facebook.", "I just want my kids back.",
    "I'm scared about court on [DATE].", "[P2] and me go to [GROUP] together.",
    "I grew up in [LOC], over by [LOC].", "I'm fine. Really. Just tired.",
]
TRANSCRIPT_PLAIN_P = [
    "Honestly I'm just tired.", "I went to a meeting [RELP].", "It's been [DUR], so.",
    "My [ROLE] keeps telling me the same thing.", "I didn't sleep, maybe 3 hours.",
    "I was at [GEN] most of the day.", "I'm on [PROG] now, it's helping.", "Yeah. Yeah, I hear that.",
    "I almost called my old dealer [WDAY] but I didn't.", "I keep thinking about [YEAR], when it got bad.",
    "The bus was late again.", "I don't want to go back to [GEN].", "I'm proud of myself, for real.",
    "We had a rough [WDAY] but it's better now.", "My [ROLE] drove me.", "I'm okay. I'm okay.",
]
TRANSCRIPT_PLAIN_S = [
    "Mm-hm.", "Go on.", "What was that like?", "How are the cravings, 1 to 10?", "That makes sense.",
    "Let's take a breath.", "What would you tell a newcomer about that?", "Are you still going on [WDAY]s?",
    "Did you get to [GEN] [RELP]?", "Okay, let's pause there.", "Anyone else want to respond?",
    "We have about 10 minutes left.", "How did the [ROLE] take it?",
]
TRANSCRIPT_LINES_S = [
    "How has this week been?", "What helped you get through that?", "That's a big step.",
    "Let's talk about your plan for [DATE].", "Have you reached out to [CLINIC] yet?",
    "I can give you the number: [PHONE].", "Okay. And how are you sleeping?",
    "Thank you for sharing that.", "We'll check in again [REL].", "Who's in your support network right now?",
    "Did [P2] ever get in touch with [SERVICE]?", "I'll email you at [EMAIL] with the forms.",
    "Do you want me to come with you to [GEN]?", "What's your goal for the next [NUM] days?",
    "It sounds like [NAME] has been a real support.", "Let's go ahead and start. Welcome, everyone.",
]


def gen_transcript(doc: Doc, caps: bool = False) -> str:
    rng = doc.rng
    p = doc.focus
    staff = doc.staff[0]
    others = doc.cast[1:3]
    stamps = rng.random() < 0.5
    label_style = rng.choice(["upper_first", "first", "role", "role", "mixed", "mixed"])
    t = rng.randint(0, 120)
    lines = []
    if rng.random() < 0.7:
        lines.append(rng.choice(["Transcript", "Session recording transcript", "Audio transcript",
                                 "Group session - transcript"]) + f", {header_date(doc)}")
        if rng.random() < 0.5:
            lines.append(f"Participants: {doc.say(p, 'full')}, {doc.say(others[0], 'full')}; facilitator {doc.say_staff(staff)}")
        lines.append("")

    def label(person: Person | None, role: str) -> str:
        st = label_style if label_style != "mixed" else rng.choice(["upper_first", "first", "role", "role"])
        if person is None or st == "role":
            return role
        if st == "upper_first":
            return m("PERSON", person.first.upper())
        if st == "first":
            return m("PERSON", person.first)
        return m("PERSON", person.full)

    for i in range(rng.randint(7, 12)):
        t += rng.randint(4, 75)
        stamp = f"[{t // 3600:02d}:{(t // 60) % 60:02d}:{t % 60:02d}] " if stamps else ""
        if i % 2 == 0:
            who = label(staff, rng.choice(["Facilitator", "Peer", "Interviewer", "Staff"]))
            doc.focus, doc.other = p, others[0]
            tmpl = rng.choice(TRANSCRIPT_LINES_S if rng.random() < 0.5 else TRANSCRIPT_PLAIN_S)
        else:
            speaker = rng.choice([p, p, others[0], others[1]])
            who = label(speaker, rng.choice(["Client", "Participant", "Member", "P1", "Caller"]))
            doc.focus, doc.other = speaker, rng.choice([x for x in doc.cast if x is not speaker])
            tmpl = rng.choice(TRANSCRIPT_LINES_P if rng.random() < 0.5 else TRANSCRIPT_PLAIN_P)
        tmpl = tmpl.replace("[AGE_N]", m("AGE", str(rng.randint(20, 70))))
        text = doc.fill(tmpl)
        if rng.random() < 0.15:
            text = rng.choice(["Um, ", "Uh, ", "So, ", "I mean, "]) + text[0].lower() + text[1:] if not text.startswith("{{") else text
        lines.append(f"{stamp}{who}: {text}")
    return "\n".join(lines)


def gen_email(doc: Doc) -> str:
    rng = doc.rng
    sender, rcpt = doc.staff[0], (doc.staff[1] if len(doc.staff) > 1 else doc.names.person())
    p = doc.focus
    hdr = [f"From: {m('PERSON', sender.full)} <{doc.email(sender)}>" if rng.random() < 0.7 else f"From: {doc.email(sender)}",
           f"To: {doc.email(rcpt)}" if rng.random() < 0.5 else f"To: {m('PERSON', rcpt.full)} <{doc.email(rcpt)}>"]
    if rng.random() < 0.4:
        hdr.append(f"Cc: {doc.org_email()}")
    hdr.append(f"Date: {rng.choice(WEEKDAYS[:7])}, {doc.date(style=rng.choice(['Month d, yyyy', 'd Mon yyyy', 'mm/dd/yyyy']))} {doc.time()}")
    subj = rng.choice([f"{doc.say(p, 'initial')} - housing update", f"RE: referral for {doc.say(p, 'first')}",
                       "coverage tomorrow", f"FW: {doc.say(p, 'full')} court letter",
                       "Group schedule change", f"ROI for {doc.say(p, 'initial')}", "quick question"])
    hdr.append(f"Subject: {subj}")
    greet = rng.choice([f"Hi {m('PERSON', rcpt.first)},", f"{m('PERSON', rcpt.first)} -", "Hi all,",
                        f"Good morning {m('PERSON', rcpt.first)},", "Team,"])
    doc.focus, doc.other = p, doc.cast[1]
    body_bank = [
        "[P] came by [HOME] [RELP] asking about the bed at [SHELTER].",
        "Can you cover my [WDAY] group? [P2] and [P3] usually come early.",
        "[P's] intake at [CLINIC] is set for [DATE] at [TIME].",
        "Their case manager is [STAFF] ([PHONE]).",
        "Please send the ROI to [EMAIL] or fax to [FAX].",
        "[P] ([AGE]) asked if we can write a letter for court, [CASE].",
        "Medicaid is pending, [MEDICAID].", "I'll be out [REL] for training.",
        "FYI [P] relapsed over the weekend but is back at meetings.",
        "The new address is [ADDRFULL].", "Let me know if you need anything else.",
        "[P] is on the waitlist at [SHELTER] as of [DATE].", "[WORDD]",
        "Shared drive link: [URL]", "Thanks for jumping in on [DATE] with [P2].",
        "Supervisor [STAFF] approved the bus passes.",
    ]
    body = [doc.fill(t) for t in rng.sample(body_bank, rng.randint(1, 3)) + rng.sample(PLAIN, rng.randint(2, 4))]
    rng.shuffle(body)
    para = " ".join(body) if rng.random() < 0.6 else "\n\n".join(body)
    sig = [m("PERSON", sender.full) if rng.random() < 0.6 else m("PERSON", sender.first),
           rng.choice(["Peer Recovery Specialist", "Peer Support Coordinator", "Program Manager", "CPRS"]),
           doc.home_org]
    if rng.random() < 0.6:
        sig.append(rng.choice(["Office: ", "O: ", "Ph ", "Phone: ", "Cell "]) + doc.phone())
    if rng.random() < 0.3:
        sig.append(rng.choice(["Fax: ", "F: ", "fax "]) + doc.phone(fax=True))
    if rng.random() < 0.2:
        sig.append(doc.address(True))
    if rng.random() < 0.2:
        sig.append(doc.url())
    if rng.random() < 0.3:
        sig = sig[:1]
    parts = ["\n".join(hdr), greet, para, rng.choice(["Thanks,", "Best,", "-", "Thank you,", "Take care,"]) + "\n" + "\n".join(sig)]
    if rng.random() < 0.25:
        parts.append(f"[Sent via staff portal from {doc.ip()} on {doc.date(style='iso')}]".replace("[", "(").replace("]", ")"))
    if rng.random() < 0.3:
        parts.append("CONFIDENTIALITY NOTICE: This message may contain protected health information under 42 CFR Part 2.")
    return "\n\n".join(parts)


HUDDLE_BANK = [
    "[P] - still at [SHELTER], needs bus pass", "[P] in [HOSP] since [DATE], visit [WDAY]?",
    "[P] missed 2 groups, [STAFF] to call [PHONE]", "[P] court [DATE] @ [TIME], peer to attend",
    "[P2] + [P] conflict in group, mediate", "[P] [DUR]! celebrate at group",
    "[P] new job [EMPLOYER], schedule change", "[P] asked abt [PROG], refer to [SERVICE]",
    "[P] ([AGE]) intake done, assign peer", "[P] MAT appt [CLINIC] [DATE]",
    "[P] — eviction notice, landlord [NAME]", "[P] pending ROI for [CLINIC]",
    "[P] lost ID again, [DL]", "[P] transferred to [SHELTER] in [LOC]",
    "van out of service [REL], [PLATE] in shop", "[P] mom [NAME] called worried",
    "[P] wants to volunteer at [CHURCH]", "[P] safety plan updated, [SHORT]",
    "[P] got housing voucher!!", "[P] texting from new handle [USER]",
    "holiday schedule around [DATE]", "[P] overdue UA, f/u [REL]",
    "[P] discharged from [GEN] [RELP], warm handoff", "[P] kid at [SCHOOL] needs school supplies",
]


def gen_huddle(doc: Doc) -> str:
    rng = doc.rng
    bullet = rng.choice(["- ", "* ", "• ", "-", "> ", "o "])
    head = rng.choice(["Huddle notes", "AM HUDDLE", "team huddle", "Staff huddle", "Morning huddle"])
    head += " " + rng.choice(["", "- "]) + header_date(doc)
    present = ", ".join(doc.say_staff(s) for s in doc.staff)
    lines = [head, rng.choice(["Staff: ", "present: ", "On: "]) + present, ""]
    items = mixed(doc, HUDDLE_BANK, rng.randint(2, 4), rng.randint(2, 5))
    if rng.random() < 0.4:
        split = rng.randint(2, len(items) - 2)
        lines.append(rng.choice(["Participants", "CLIENTS", "updates"]) + ":")
        lines += [bullet + i for i in items[:split]]
        lines.append("")
        lines.append(rng.choice(["Admin", "Other", "Logistics"]) + ":")
        lines += [bullet + i for i in items[split:]]
    else:
        lines += [bullet + i for i in items]
    if rng.random() < 0.4:
        lines.append("")
        lines.append(rng.choice(["Next huddle ", "next: "]) + rng.choice(WEEKDAYS) + " " + doc.time())
    return "\n".join(lines)


REFERRAL_PLAIN = [
    "Peer support is a non-clinical service focused on recovery goals chosen by the participant.",
    "[He] has been consistent with appointments and engaged in weekly 1:1 meetings.",
    "[His] goals include stable housing, employment, and continuing [PROG].",
    "[He] reports [DUR] and is motivated to continue.",
    "We have discussed this referral with [him] and [he] is in agreement.",
    "Transportation may be a barrier; [he] relies on the bus.",
    "Please do not hesitate to call with any questions.",
    "[He] prefers to be contacted in the afternoon.",
]


def gen_referral(doc: Doc) -> str:
    rng = doc.rng
    p = doc.focus
    dest = doc.names.person()
    parts = []
    lh = [doc.home_org]
    if rng.random() < 0.4:
        lh.append(doc.address(rng.random() < 0.5))
    if rng.random() < 0.7:
        lh.append(f"{rng.choice(['Phone', 'Tel', 'P'])}: {doc.phone()}")
    if rng.random() < 0.3:
        lh.append(f"{rng.choice(['Fax', 'F'])}: {doc.phone(fax=True)}")
    if rng.random() < 0.2:
        lh.append(doc.url())
    parts.append("\n".join(lh))
    parts.append(header_date(doc))
    dest_org = doc.org(rng.choice(["clinic", "hospital", "service", "shelter"]))
    parts.append(f"{rng.choice(['Dr.', 'Ms.', 'Mr.'])} {m('PERSON', dest.full)}\n{dest_org}"
                 + (f"\n{doc.address(True)}" if rng.random() < 0.3 else ""))
    re_line = f"RE: {doc.say(p, 'full')}" + (f", DOB {doc.dob()}" if rng.random() < 0.7 else "")
    if rng.random() < 0.4:
        re_line += f", {doc.ident(rng.choice(['mrn', 'client', 'medicaid', 'case']))}"
    parts.append(re_line)
    parts.append(rng.choice([f"Dear Dr. {m('PERSON', dest.last)},", f"Dear {m('PERSON', dest.first)},",
                             "To whom it may concern:", f"Dear {rng.choice(['Ms.', 'Mr.'])} {m('PERSON', dest.last)}:"]))
    doc.other = doc.cast[1]
    bank = [
        "I am writing to refer [P], [AGE], who has been participating in peer support services with us since [DATE].",
        "[P] is currently residing at [SHELTER] and is seeking [PROG] and outpatient services.",
        "[He] has [DUR] and attends [GROUP] regularly.",
        "[PTITLE] has expressed interest in vocational training; [he] previously worked at [EMPLOYER].",
        "Please contact [him] at [PHONE] or [EMAIL].", "A signed release of information is enclosed.",
        "[His] emergency contact is [NAME] at [PHONE].", "[P] has upcoming appointments on [DATE] and [DATE].",
        "We believe [PFIRST] would benefit greatly from [GROUP] or a similar program.",
        "Feel free to reach me directly with questions.", "[P] is currently on [PROG] and engaged with MAT.",
        "[P] has a court date on [DATE] ([CASE]).",
    ]
    chosen = [bank[0]] + rng.sample(bank[1:], rng.randint(1, 3))
    body = [doc.fill(t) for t in chosen]
    body = [b[0].upper() + b[1:] if b[0].islower() else b for b in body]
    plain = [doc.fill(t) for t in rng.sample(REFERRAL_PLAIN, rng.randint(2, 4))]
    parts.append(" ".join(body[:1] + plain[:1] + body[1:] + plain[1:]))
    parts.append(rng.choice(["Sincerely,", "Respectfully,", "Thank you,", "Warm regards,"]) + "\n\n"
                 + m("PERSON", doc.staff[0].full) + rng.choice([", CPRS", ", Peer Supervisor", "", ", MSW, LSW"])
                 + "\n" + rng.choice(["Peer Support Program", "Recovery Services", doc.home_org]))
    if rng.random() < 0.3:
        parts.append(f"cc: {doc.say_staff()}; file")
    return "\n\n".join(parts)


VM_BANK = [
    "hi this is [P] calling for [STAFF], call me back at [PHONE]",
    "[P] from [SHELTER], needs to reschedule [DATE] appt",
    "[NAME] ([P's] mom) calling, worried, hasn't heard from [him] since [WDAY]. [PHONE]",
    "[STAFF] from [CLINIC] re: [P] intake, callback [PHONE] ext. [NUM]",
    "[P] says [he] got into [SHELTER], will call [REL]",
    "hang up, no msg", "pharmacy re: prior auth, [MEMBER]", "[P] asking about group time [WDAY]",
    "[NAME] from [SERVICE] returning call re: [CASE]", "[P]: ride needed to [HOSP] [DATE] [TIME]",
    "[P] wants a letter for [EMPLOYER], fax [FAX]", "Officer [FIRST] ([BADGE]) re: welfare check on [P]",
    "wrong number", "[P] crying, said [he] is safe, staying at [ADDR]",
    "[P2] calling on behalf of [P], [P's] phone is off", "[P]: left voicemail in Spanish, needs interpreter",
]


def gen_voicemail(doc: Doc) -> str:
    rng = doc.rng
    lines = [rng.choice(["Voicemail log", "VM LOG", "voicemails", "Front desk VM log"]) + " " + rng.choice(["", "- " + doc.say_staff()])]
    d = doc.date_obj()
    fmt = rng.choice(["table", "lines", "dash"])
    if fmt == "table":
        lines.append("Date | Time | From | Message")
    for _ in range(rng.randint(2, 4)):
        people = doc.cast[:]
        rng.shuffle(people)
        doc.focus, doc.other = people[0], people[1]
        d += dt.timedelta(days=rng.choice([0, 0, 1]))
        dstr = m("DATE", doc.date_str(d, rng.choice(["m/d", "m/d/yy", "mm/dd/yyyy", "Mon d"])))
        msg = doc.fill(rng.choice(VM_BANK))
        if fmt == "table":
            lines.append(f"{dstr} | {doc.time()} | {rng.choice(['unknown', 'blocked', 'caller', doc.say(doc.focus, rng.choice(['full', 'first', 'last']))])} | {msg}")
        elif fmt == "lines":
            lines.append(f"VM {dstr} {doc.time()} from {doc.phone()}: {msg}")
        else:
            lines.append(f"- {dstr} @ {doc.time()} -- {msg}")
        if rng.random() < 0.5:
            lines.append(rng.choice(["  -> returned call, no answer", "  -> forwarded to peer team", "  -> done",
                                     "  -> LM x2", "  -> will call back after group", "  (handled)", "  -> scheduled for next week"]))
    return "\n".join(lines)


def gen_attendance(doc: Doc) -> str:
    rng = doc.rng
    sep = rng.choice([",", ",", ";", "\t", "|"])
    cols_all = ["date", "name", "group", "phone", "present", "email", "zip", "id", "age", "notes"]
    cols = ["date", "name"] + rng.sample(cols_all[2:], rng.randint(1, 3))
    if rng.random() < 0.5:
        cols = [c.upper() if rng.random() < 0.3 else c.title() for c in cols]
    lines = [sep.join(cols)]
    grp = m("ORGANIZATION", rng.choice(GROUPS))
    d = doc.date_obj()
    people = doc.cast[: rng.randint(2, 4)]
    for wk in range(rng.randint(1, 2)):
        dd = d + dt.timedelta(days=7 * wk)
        for p in people:
            row = []
            for c in cols:
                c = c.lower()
                if c == "date":
                    row.append(m("DATE", doc.date_str(dd, rng.choice(["m/d/yyyy", "iso", "m/d"]))))
                elif c == "name":
                    nm = rng.random()
                    if nm < 0.4:
                        row.append(m("PERSON", p.full))
                    elif nm < 0.6:
                        row.append(f'"{m("PERSON", p.last)}, {m("PERSON", p.first)}"' if sep == "," else f"{m('PERSON', p.last)}, {m('PERSON', p.first)}")
                    elif nm < 0.8:
                        row.append(m("PERSON", p.first))
                    else:
                        row.append(m("PERSON", f"{p.first[0]}. {p.last}"))
                elif c == "group":
                    row.append(grp)
                elif c == "phone":
                    row.append(doc.phone() if rng.random() < 0.8 else "")
                elif c == "present":
                    row.append(rng.choice(["Y", "Y", "N", "yes", "x", "late"]))
                elif c == "email":
                    row.append(doc.email(p) if rng.random() < 0.7 else "")
                elif c == "zip":
                    row.append(doc.zip())
                elif c == "id":
                    row.append(doc.ident("client", with_prefix=False))
                elif c == "age":
                    row.append(m("AGE", str(rng.randint(19, 70))))
                else:
                    row.append(rng.choice(["", "", "new", "first time", "left early", "90 days", "chip", "w/ sponsor", "ride from van"]))
            lines.append(sep.join(row))
        if len(lines) > 6:
            break
    title = rng.choice(["", "# attendance export\n", "sign-in sheet\n", "ATTENDANCE\n"])
    return title + "\n".join(lines)


def gen_incident(doc: Doc) -> str:
    rng = doc.rng
    p = doc.focus
    parts = [rng.choice(["INCIDENT REPORT", "Incident / Critical Event Report", "Unusual incident report"])]
    parts.append("\n".join([
        f"Date of incident: {header_date(doc)}", f"Time: {doc.time()}",
        f"Location: {rng.choice([doc.home_org, doc.location(), doc.address(False)])}",
        f"Person(s) involved: {doc.say(p, 'full')}" + (f", {doc.say(doc.other, 'full')}" if rng.random() < 0.5 else ""),
        f"Reported by: {doc.say_staff()}"]))
    bank = [
        "At approx [TIME], [P] was found in the restroom unresponsive.", "Staff administered Narcan x2; [SHORT].",
        "EMS arrived and transported [P] to [HOSP].", "[P2] stayed with [P] until EMS arrived.",
        "Officer [FIRST], [BADGE], took a statement.", "[P's] emergency contact [NAME] was notified at [PHONE].",
        "[P] was later discharged and returned to [SHELTER] [RELP].", "No other participants were harmed.",
        "Verbal altercation between [P] and [P2] in the parking lot; de-escalated by [STAFF].",
        "Vehicle involved: [PLATE].", "[P] ([AGE]) stated [he] had not used since [DATE].",
        "Follow-up debrief scheduled for [DATE].", "Supervisor [STAFF] notified by phone.",
    ]
    doc.other = doc.cast[1]
    body = [doc.fill(t) for t in rng.sample(bank, rng.randint(2, 4)) + rng.sample(PLAIN, rng.randint(1, 3))]
    parts.append(rng.choice(["Description: ", "Narrative:\n", ""]) + " ".join(body))
    parts.append(rng.choice(["Action taken: ", "Follow up: "]) + " ".join(doc.fill(t) for t in rng.sample(PLAN_LINES, 1)))
    return "\n\n".join(parts)


BRIEF_OPEN = ["Quick note:", "Brief contact.", "FYI -", "Note:", "Late entry:", "Phone check-in.",
              "Drop-in.", "Outreach:", "Text check-in.", ""]


def gen_brief_note(doc: Doc) -> str:
    """A short, mostly identifier-free note (1-2 identifier sentences)."""
    rng = doc.rng
    p = doc.focus
    lines = []
    for t in rng.sample(CONTACT_LINES + CHECKIN, rng.randint(1, 2)) + rng.sample(PLAIN, rng.randint(1, 4)):
        doc.focus, doc.other = p, doc.cast[1]
        lines.append(doc.fill(t))
    rng.shuffle(lines)
    lines = [x[0].upper() + x[1:] if x[0].islower() else x for x in lines]
    head = rng.choice(BRIEF_OPEN)
    sign = rng.choice(["", "", f" -{m('PERSON', doc.staff[0].first)}", " -peer", f" ~{doc.say_staff()}"])
    if rng.random() < 0.4:
        head = f"{header_date(doc)} {head}".strip()
    return (head + " " if head else "") + " ".join(lines) + sign


DOC_TYPES = {
    "brief_note": (gen_brief_note, 12),
    "group_note": (gen_group_note, 14),
    "contact_note": (gen_contact_note, 14),
    "intake_form": (gen_intake_form, 10),
    "text_log": (gen_text_log, 10),
    "transcript": (gen_transcript, 9),
    "caps_transcript": (lambda d: gen_transcript(d, caps=True), 5),
    "staff_email": (gen_email, 9),
    "huddle_notes": (gen_huddle, 8),
    "referral_letter": (gen_referral, 7),
    "voicemail_log": (gen_voicemail, 6),
    "attendance_csv": (gen_attendance, 5),
    "incident_report": (gen_incident, 4),
}


def generate_doc(rng: random.Random, names: NameFactory, idx: int, dtype: str) -> dict:
    base = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
    doc = Doc(rng, names, base)
    fn = DOC_TYPES[dtype][0]
    markup = fn(doc)
    assert not Doc.SLOT.search(re.sub(r"\[\d\d:\d\d:\d\d\]|\[\d+:\d\d [ap]m\]", "", markup)), markup
    # case / style variation
    if dtype == "caps_transcript":
        markup = transform_markup(markup, str.upper)
    elif dtype == "text_log":
        markup = transform_markup(markup, str.lower, lambda v: v.lower() if rng.random() < 0.85 else v)
    else:
        r = rng.random()
        if r < 0.06:
            markup = transform_markup(markup, str.lower)
        elif r < 0.09:
            markup = transform_markup(markup, str.upper)
        elif r < 0.15 and dtype in ("huddle_notes", "contact_note", "voicemail_log", "group_note"):
            markup = transform_markup(markup, str.lower, lambda v: v)
    if dtype in ("huddle_notes", "contact_note", "voicemail_log", "text_log") and rng.random() < 0.5:
        markup = shorthandify(markup, rng)
    if rng.random() < 0.3:
        markup = add_typos(markup, rng, rate=0.04)
    text, spans = render(attach_times(markup))
    return {"id": f"gen_{idx:04d}_{dtype}", "text": text, "spans": spans}


def check(doc: dict) -> None:
    prev_end = -1
    for s in sorted(doc["spans"], key=lambda s: s["start"]):
        assert 0 <= s["start"] < s["end"] <= len(doc["text"]), (doc["id"], s)
        frag = doc["text"][s["start"]:s["end"]]
        assert frag and frag == frag.strip(), (doc["id"], s, frag)
        assert s["start"] >= prev_end, (doc["id"], "overlap", s)
        prev_end = s["end"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=260)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("tests/fixtures/corpus/generated.gold.jsonl"))
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    names = NameFactory(random.Random(args.seed + 1), args.seed)
    types = list(DOC_TYPES)
    weights = [DOC_TYPES[t][1] for t in types]
    # guarantee every type appears, then fill by weight; shuffle order deterministically
    plan = types[:] + rng.choices(types, weights, k=max(0, args.n - len(types)))
    plan = plan[: args.n]
    rng.shuffle(plan)
    docs = []
    for i, dtype in enumerate(plan, 1):
        d = generate_doc(rng, names, i, dtype)
        check(d)
        docs.append(d)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    labels = Counter(s["label"] for d in docs for s in d["spans"])
    kinds = Counter(d["id"].split("_", 2)[2] for d in docs)
    total = sum(labels.values())
    print(f"{len(docs)} documents, {total} mentions ({total / max(1, len(docs)):.1f}/doc) -> {args.out}")
    print("labels:", ", ".join(f"{k}={v}" for k, v in labels.most_common()))
    print("types:", ", ".join(f"{k}={v}" for k, v in kinds.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
