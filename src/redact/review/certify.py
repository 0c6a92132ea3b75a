"""The release record: what a review found, the residual identifier rate with its exact upper
bound, what produced the export, and an HMAC-SHA256 signature with the program secret, so a later
edit of the record, or a record shown beside another export, is detected. Counts and hashes only:
nothing in the record is a value from the data."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
from datetime import datetime, timezone
from pathlib import Path

from redact.errors import ConfigError
from redact.review.documents import manifest_sha256, read_manifest
from redact.review.sampling import PER, upper_bound
from redact.review.store import ReviewFile

RECORD = "redact-release-record"
METHOD = "one-sided exact binomial (Clopper-Pearson) over reviewed words"


def hash_tree(path: Path) -> str | None:
    """sha256 over every file under a folder (relative names and bytes), in a stable order."""
    path = Path(path)
    if not path.exists():
        return None
    digest = hashlib.sha256()
    for file in sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0" if file != path else b"")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _policy(names: set[str]) -> dict:
    """The policies the manifest names, each with the sha256 of its loaded form."""
    from redact.policy import load_policy

    found = {}
    for name in sorted(names):
        try:
            found[name] = hashlib.sha256(load_policy(name).model_dump_json().encode()).hexdigest()
        except Exception:  # a policy file that no longer exists: recorded without a hash
            found[name] = None
    return found


def _model() -> dict:
    """The detection model as installed now: the spaCy pipeline and the shipped models/ folder."""
    import importlib.util

    from redact.config import load_detection_config, models_dir
    from redact.nlp import resolve_model_name

    name = resolve_model_name(load_detection_config())
    folder = Path(name)
    if not folder.is_dir():
        spec = importlib.util.find_spec(name.replace("-", "_"))
        folder = Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else folder
    return {"name": folder.name, "sha256": hash_tree(folder), "detection_sha256": hash_tree(models_dir())}


def canonical(record: dict) -> bytes:
    body = {k: v for k, v in record.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign(record: dict, secret: bytes) -> str:
    return hmac.new(secret, b"redact:release-record\0" + canonical(record), hashlib.sha256).hexdigest()


def build_record(export: Path, review: ReviewFile, secret: bytes) -> dict:
    """The signed release record of a review of `export`."""
    from redact import __version__

    manifest = read_manifest(export)
    summary = review.summary()
    confidence = review.data["confidence"]
    misses = sum(summary["misses"].values())
    words = summary["words_reviewed"]
    bound = upper_bound(misses, words, confidence) * PER
    record = {
        "record": RECORD, "version": 1,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "tool": {"name": "redact", "version": __version__},
        "export": {"manifest_sha256": manifest_sha256(export),
                   "documents": sum(1 for line in manifest if line.get("status") == "ok"),
                   "words": sum(int(line.get("words", 0)) for line in manifest if line.get("status") == "ok"),
                   "run_config_sha256": sorted({line["config"] for line in manifest if line.get("config")})},
        "policy": _policy({line["policy"] for line in manifest if line.get("policy")}),
        "model": _model(),
        "sample": {"seed": review.data["seed"], "target_rate_per_1000_words": review.data["target_rate"],
                   "confidence": confidence, "words_needed": review.data["words_needed"],
                   "stratified_by": "format and top folder",
                   "documents_sampled": summary["documents_sampled"],
                   "documents_reviewed": summary["documents_reviewed"],
                   "words_sampled": summary["words_sampled"], "words_reviewed": words,
                   "complete": summary["documents_reviewed"] == summary["documents_sampled"]},
        "findings": {"misses": summary["misses"], "over_redactions": summary["over_redactions"],
                     "misses_total": misses, "over_redactions_total": sum(summary["over_redactions"].values())},
        "residual_rate_per_1000_words": {"estimate": round(PER * misses / words, 4) if words else None,
                                         "upper_bound": round(bound, 4), "confidence": confidence,
                                         "method": METHOD},
    }
    record["meets_target"] = bool(words) and record["sample"]["complete"] and bound <= review.data["target_rate"]
    record["signature"] = {"algorithm": "HMAC-SHA256", "value": sign(record, secret)}
    return record


def check_record(record_path: Path, export: Path, secret: bytes) -> str | None:
    """None when the record is intact and describes this export; else the one-line reason."""
    try:
        record = json.loads(Path(record_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read release record {record_path}: {type(exc).__name__}") from None
    if not isinstance(record, dict) or record.get("record") != RECORD:
        raise ConfigError(f"{record_path} is not a redact release record")
    claimed = (record.get("signature") or {}).get("value", "")
    if not hmac.compare_digest(str(claimed), sign(record, secret)):
        return "signature does not match: the record was edited or signed with another secret"
    if record["export"]["manifest_sha256"] != manifest_sha256(export):
        return f"manifest of {export} differs from the one certified"
    return None


def render_html(record: dict) -> str:
    """A readable, self-contained page of the record (no script, no external resource)."""
    e = html.escape
    rate = record["residual_rate_per_1000_words"]
    sample = record["sample"]

    def rows(counts: dict) -> str:
        return "".join(f"<tr><td>{e(k)}</td><td>{v}</td></tr>" for k, v in counts.items()) or \
            "<tr><td colspan=2>none</td></tr>"
    verdict = "meets" if record["meets_target"] else "does not meet"
    estimate = "n/a" if rate["estimate"] is None else f"{rate['estimate']:.3f}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Release record</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #bbb;padding:.2rem .6rem;text-align:left}}
code{{font-size:12px;word-break:break-all}}</style></head><body>
<h1>Release record</h1>
<p>Residual identifier rate: <strong>{estimate} per 1,000 words</strong>, at most
<strong>{rate['upper_bound']:.3f}</strong> with {rate['confidence']:.0%} confidence ({e(rate['method'])}).
The export <strong>{verdict}</strong> the target of {sample['target_rate_per_1000_words']} per 1,000 words.</p>
<h2>Sample</h2>
<table><tr><th>documents reviewed</th>
<td>{sample['documents_reviewed']} of {sample['documents_sampled']} sampled</td></tr>
<tr><th>words reviewed</th><td>{sample['words_reviewed']:,} of {sample['words_sampled']:,} sampled
({sample['words_needed']:,} needed)</td></tr>
<tr><th>export</th><td>{record['export']['documents']} documents, {record['export']['words']:,} words</td></tr>
<tr><th>seed, strata</th><td>{sample['seed']}, {e(sample['stratified_by'])}</td></tr></table>
<h2>Missed identifiers by kind</h2><table>{rows(record['findings']['misses'])}</table>
<h2>Needless replacements by kind</h2><table>{rows(record['findings']['over_redactions'])}</table>
<h2>Provenance</h2><table>
<tr><th>tool</th><td>redact {e(record['tool']['version'])}</td></tr>
<tr><th>policy</th><td>{"<br>".join(f"{e(k)} <code>{e(str(v))}</code>" for k, v in record['policy'].items())}</td></tr>
<tr><th>model</th><td>{e(record['model']['name'])} <code>{e(str(record['model']['sha256']))}</code></td></tr>
<tr><th>detection files</th><td><code>{e(str(record['model']['detection_sha256']))}</code></td></tr>
<tr><th>manifest sha256</th><td><code>{e(record['export']['manifest_sha256'])}</code></td></tr>
<tr><th>signature</th><td>{e(record['signature']['algorithm'])} <code>{e(record['signature']['value'])}</code></td></tr>
<tr><th>created</th><td>{e(record['created'])}</td></tr></table>
<p>Check with <code>redact certify --check RECORD.json EXPORT</code>.</p>
</body></html>
"""
