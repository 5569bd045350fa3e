"""Benchmark: how well the review rules find bug reports and feature requests. Prints figures;
asserts nothing (tests/test_review_themes_quality.py holds the figures above a floor).

Run: `.venv/bin/python bench/themes_bench.py --data FILE.jsonl` (the development set:
`tests/fixtures/review_labels/themes-dev-en.jsonl`; the held-out split: `themes-heldout-en.jsonl`)

Each line of the data is a JSON object `{"text", "title", "rating", "labels"}`; `labels` lists
`bug` and/or `feature` (anything else is neither). Each review is read as the evidence reads it
(title and text as one passage, its language told from the text): `bug` is predicted when the
"crashes & bugs" theme is raised, `feature` when a feature request is found. For each class one
line: `<class> precision P recall R f1 F`. `--errors` also lists the misread reviews (for
development data only: reading the held-out split's errors makes it development data).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.advice import passage, read_review  # noqa: E402

CLASSES = ("bug", "feature")


@dataclass(frozen=True)
class LabelledReview:
    title: str
    text: str
    rating: int | None
    labels: frozenset[str]


@dataclass(frozen=True)
class ClassScore:
    name: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def line(self) -> str:
        return (
            f"{self.name} precision {self.precision:.3f} recall {self.recall:.3f} "
            f"f1 {self.f1:.3f}"
        )


def load(path: Path) -> list[LabelledReview]:
    reviews = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels = frozenset(label for label in row.get("labels", ()) if label in CLASSES)
            reviews.append(
                LabelledReview(row.get("title") or "", row.get("text") or "", row.get("rating"),
                               labels)
            )
    return reviews


def predict(review: LabelledReview) -> frozenset[str]:
    """The classes the rules find in a review, read as the evidence reads it."""
    reading = read_review(passage(review.title, review.text))
    if reading is None:
        return frozenset()
    found = {"bug"} if reading.reports_bug else set()
    if reading.request is not None:
        found.add("feature")
    return frozenset(found)


def score(reviews: Iterable[LabelledReview]) -> dict[str, ClassScore]:
    counts = {name: [0, 0, 0] for name in CLASSES}
    for review in reviews:
        found = predict(review)
        for name in CLASSES:
            if name in found and name in review.labels:
                counts[name][0] += 1
            elif name in found:
                counts[name][1] += 1
            elif name in review.labels:
                counts[name][2] += 1
    return {name: ClassScore(name, *counts[name]) for name in CLASSES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="labelled reviews, JSONL")
    parser.add_argument("--errors", action="store_true", help="list the misread reviews")
    args = parser.parse_args()
    reviews = load(args.data)
    if args.errors:
        for review in reviews:
            found = predict(review)
            for name in CLASSES:
                if (name in found) != (name in review.labels):
                    kind = "FP" if name in found else "FN"
                    print(f"{kind} {name}: {review.title!r} {review.text[:150]!r}")
    print(f"{len(reviews)} reviews from {args.data}")
    for result in score(reviews).values():
        print(result.line())


if __name__ == "__main__":
    main()
