"""The judged set (judged_pairs.py): what the candidate search shows as matches is mostly what a
person would call one, and a good share of the relevant offers is found."""

from tests.matching.judged_pairs import JUDGED, build_judged_listings, evaluate

MIN_PRECISION_AT_5 = 0.8
MIN_RECALL_AT_5 = 0.8


def test_the_judged_set_is_large_and_bilingual():
    assert len(JUDGED) >= 60
    assert sum(good for _, _, good in JUDGED) >= 20 and sum(not g for _, _, g in JUDGED) >= 20


def test_precision_at_5_over_the_judged_pairs(app_ctx):
    figures = evaluate(build_judged_listings())
    assert figures.precision_at_5 >= MIN_PRECISION_AT_5, figures.misses
    # showing nothing would be precise too: the relevant offers must still be found
    assert figures.recall_at_5 >= MIN_RECALL_AT_5
