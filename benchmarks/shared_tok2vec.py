"""Old pipeline vs candidates whose NER listens to the shared tok2vec: speed, NER quality, agreement.

Experiment for issue 16 (one embedding pass per document). Run from the project root, on a quiet
machine (one thread; ~13 min for three candidates, ``--limit 3 --repeats 1`` for a smoke run)::

    .venv/bin/python benchmarks/shared_tok2vec.py \
        --new /work/ner-candidate/shared-frozen --new /work/ner-candidate/shared-joint/joint \
        --new /work/ner-candidate/shared-joint/joint-refit

Every pipeline is loaded with ``redact.nlp.load_spacy`` (the components redact runs: tok2vec,
tagger, parser, redact_coarse_tags, NER) and warmed up before any clock starts. In ONE run, so
machine drift cancels:

* speed: ``nlp.pipe`` (default batch size) over the dev part of
  ``tests/fixtures/real/unlabeled/speech.jsonl`` and ``posts.jsonl`` (joined with the shared
  corpora), ``--repeats`` rounds, the pipelines interleaved within each round (order rotated);
  the median seconds and chars/s are reported;
* NER quality, label-blind, by overlap: a gold PERSON/ORGANIZATION/LOCATION/DATE span is caught
  if an entity of the NER (PERSON/ORG/GPE/LOC/FAC/DATE) overlaps it (recall, per gold type); a
  predicted entity is correct if it overlaps such a gold span (precision, per predicted type).
  Sets: the DEV parts of ``tests/fixtures/real/real.gold.jsonl`` and
  ``tests/fixtures/real/ner_posts.gold.jsonl`` (no DATE there: DATE entities are not counted
  for it) and the 26 documents of ``tests/fixtures/corpus/dev.gold.jsonl`` that
  ``scripts/train_ner.py`` holds out (seed 13, 15%; not trained on by any of the models);
  the test parts are never read;
* agreement with the old pipeline on the speech dev texts: token ``tag_``, sentence starts, and
  (label-blind) entity spans.
Prints counts and rates only, never text.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from redact.evaluate import load_gold
from redact.nlp import load_spacy

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests/fixtures/real"
GOLD_TYPES = {"PERSON", "ORGANIZATION", "LOCATION", "DATE"}
NER_TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "DATE")


def heldout_dev(path: Path, seed: int = 13, share: float = 0.15) -> list:
    """The dev.gold documents scripts/train_ner.py holds out for early stopping (same split)."""
    docs = sorted(load_gold(path), key=lambda d: d.id)
    random.Random(seed).shuffle(docs)
    return docs[:max(1, round(len(docs) * share))]


def quality(nlp, docs: list, ner_types: tuple[str, ...]) -> dict:
    """Label-blind overlap recall per gold type and precision per predicted type."""
    caught, gold_n, right, pred_n = Counter(), Counter(), Counter(), Counter()
    for gd, doc in zip(docs, nlp.pipe([d.text for d in docs])):
        gold = [(s["start"], s["end"], s["label"]) for s in gd.spans if s["label"] in GOLD_TYPES]
        pred = [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in ner_types]
        for a, b, lab in gold:
            hit = any(pa < b and a < pb for pa, pb, _ in pred)
            for key in (lab, "all"):
                gold_n[key] += 1
                caught[key] += hit
        for pa, pb, lab in pred:
            ok = any(pa < b and a < pb for a, b, _ in gold)
            for key in (lab, "all"):
                pred_n[key] += 1
                right[key] += ok
    return {"recall": {k: (caught[k], gold_n[k]) for k in gold_n},
            "precision": {k: (right[k], pred_n[k]) for k in pred_n}}


def agreement(old_docs: list, new_docs: list) -> dict:
    """Token tags, sentence starts and label-blind entity spans the same as the old pipeline's."""
    tok = tag = sent = 0
    ents_old = ents_new = ents_same = 0
    for a, b in zip(old_docs, new_docs):
        assert len(a) == len(b), "same tokenizer expected"
        tok += len(a)
        tag += sum(x.tag_ == y.tag_ for x, y in zip(a, b))
        sent += sum(x.is_sent_start == y.is_sent_start for x, y in zip(a, b))
        ea = {(e.start, e.end) for e in a.ents if e.label_ in NER_TYPES}
        eb = {(e.start, e.end) for e in b.ents if e.label_ in NER_TYPES}
        ents_old, ents_new, ents_same = ents_old + len(ea), ents_new + len(eb), ents_same + len(ea & eb)
    return {"tokens": tok, "tag": tag / tok, "sent_start": sent / tok,
            "ents_old": ents_old, "ents_new": ents_new, "ents_same": ents_same}


def rate(pair: tuple[int, int]) -> str:
    n, d = pair
    return f"{n / d:.3f} ({n}/{d})" if d else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", default=str(ROOT / "models/ner-peer-sm"), help="the shipped pipeline")
    ap.add_argument("--new", action="append", required=True, metavar="PATH",
                    help="a candidate pipeline (repeatable)")
    ap.add_argument("--repeats", type=int, default=3, help="timed rounds (interleaved)")
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (threadpoolctl)")
    ap.add_argument("--limit", type=int, default=0, help="first N docs of each set only (a smoke run)")
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits
    threadpool_limits(args.threads)

    names = ["old"] + [f"new{i}:{Path(p).name}" for i, p in enumerate(args.new, 1)]
    paths = dict(zip(names, [args.old] + args.new))
    nlps = {n: load_spacy(p) for n, p in paths.items()}
    for n in names:
        print(f"{n}: {paths[n]}  pipes {nlps[n].pipe_names}  ner tok2vec "
              f"{nlps[n].get_pipe('ner').model.get_ref('tok2vec').name.split('>>')[0]}")
    cut = slice(args.limit or None)
    speed_sets = {s: [d.text for d in load_gold(REAL / "unlabeled" / f"{s}.jsonl", part="dev")][cut]
                  for s in ("speech", "posts")}
    for s, texts in speed_sets.items():
        print(f"speed set {s}: {len(texts)} dev docs, {sum(map(len, texts))} chars")

    for n in names:  # warm-up
        list(nlps[n].pipe(speed_sets["speech"][:2] + speed_sets["posts"][:50]))
    times: dict = {(n, s): [] for n in names for s in speed_sets}
    for r in range(args.repeats):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            for s, texts in speed_sets.items():
                t0 = time.perf_counter()
                for _ in nlps[n].pipe(texts):
                    pass
                times[n, s].append(time.perf_counter() - t0)
        print(f"round {r + 1}: " + "  ".join(f"{n}/{s} {times[n, s][-1]:.1f}s" for n in names for s in speed_sets),
              flush=True)

    print(f"\n## Speed (median of {args.repeats} interleaved rounds, 1 process, {args.threads} thread)\n")
    print("| pipeline | " + " | ".join(f"{s} s | {s} chars/s" for s in speed_sets) + " |")
    print("|---|" + "---:|---:|" * len(speed_sets))
    for n in names:
        cells = []
        for s, texts in speed_sets.items():
            med = statistics.median(times[n, s])
            cells += [f"{med:.1f}", f"{sum(map(len, texts)) / med:,.0f}"]
        print(f"| {n} | " + " | ".join(cells) + " |")

    gold_sets = {"real.gold dev": (load_gold(REAL / "real.gold.jsonl", part="dev")[cut], NER_TYPES),
                 "ner_posts dev": (load_gold(REAL / "ner_posts.gold.jsonl", part="dev")[cut], NER_TYPES[:5]),
                 "corpus dev held-out": (heldout_dev(ROOT / "tests/fixtures/corpus/dev.gold.jsonl")[cut],
                                         NER_TYPES)}
    print("\n## NER quality (label-blind, overlap)\n")
    for set_name, (docs, types) in gold_sets.items():
        res = {n: quality(nlps[n], docs, types) for n in names}
        print(f"### {set_name} ({len(docs)} docs)\n")
        print("| measure | " + " | ".join(names) + " |")
        print("|---|" + "---:|" * len(names))
        for kind in ("recall", "precision"):
            keys = sorted({k for n in names for k in res[n][kind]}, key=lambda k: (k != "all", k))
            for k in keys:
                print(f"| {kind} {k} | " + " | ".join(rate(res[n][kind].get(k, (0, 0))) for n in names) + " |")
        print()

    print("## Agreement with old on the speech dev texts\n")
    old_docs = list(nlps["old"].pipe(speed_sets["speech"]))
    print("| pipeline | tokens | tag_ same | sentence start same | entities old / new / same span |")
    print("|---|---:|---:|---:|---:|")
    for n in names[1:]:
        a = agreement(old_docs, list(nlps[n].pipe(speed_sets["speech"])))
        print(f"| {n} | {a['tokens']} | {a['tag']:.5f} | {a['sent_start']:.5f} | "
              f"{a['ents_old']} / {a['ents_new']} / {a['ents_same']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
