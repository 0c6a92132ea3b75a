"""The operating-point objective of scripts/train_decision.py: gold pools and unlabeled real text."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "train_decision.py"


@pytest.fixture(scope="module")
def training():
    spec = importlib.util.spec_from_file_location("train_decision", _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# (mentions, caught, predicted characters, right characters, non-space characters) per group
GOLD = {"real-sms": (10, 9, 100, 80, 1000), "synthetic": (20, 20, 200, 190, 2000)}


def test_unlabeled_text_counts_only_as_the_share_redacted(training):
    scores = {**GOLD, "unlabeled-speech": (0, 0, 20, 0, 1000), "unlabeled-posts": (0, 0, 60, 0, 2000)}
    assert training.pooled(scores) == training.pooled(GOLD)  # no pool takes unlabeled groups
    assert training.redacted_share(scores) == pytest.approx((0.02 + 0.03) / 2)
    assert training.redacted_share(GOLD) == 0.0


def test_of_two_points_with_the_same_gold_score_the_one_that_redacts_less_wins(training):
    less = {**GOLD, "unlabeled-speech": (0, 0, 10, 0, 1000)}
    more = {**GOLD, "unlabeled-speech": (0, 0, 30, 0, 1000)}
    assert training.objective(less, 2.0) == training.objective(more, 2.0)  # no weight: a tie
    assert training.objective(less, 2.0, unlabeled_weight=0.1) > training.objective(more, 2.0, unlabeled_weight=0.1)


def test_unlabeled_documents_are_never_trained_on(training):
    docs = [{"group": "real-sms"}, {"group": "unlabeled-posts"}, {"group": "synthetic-upper"}]
    assert [d["group"] for d in training.labelled(docs)] == ["real-sms", "synthetic-upper"]


def test_candidates_are_read_as_redact_reads_them_and_land_on_the_gold(training, redactor):
    from redact.evaluate import GoldDoc

    # Full-width letters and an HTML entity: the detector reads the normalised view ("Tom & Maria
    # Quintero"), so the name lists know the name; the candidates come back in the document's own
    # offsets, where the gold is.
    text = "Tom &amp; \uff2d\uff41\uff52\uff49\uff41 Quintero met at the library on Tuesday."
    start = text.index("\uff2d")
    end = text.index("Quintero") + len("Quintero")
    doc = GoldDoc("a", text, [{"start": start, "end": end, "label": "PERSON"}])
    [record] = training.collect(redactor.detector, [("real-posts", [doc], None)])
    assert record["text"] == text and len(record["spans"]) == len(record["rows"]) == len(record["share"])
    found = {(s, e): (share, row["first_name"])
             for (s, e, _), share, row in zip(record["spans"], record["share"], record["rows"])}
    assert found[(start, end)] == (1.0, 1.0)
