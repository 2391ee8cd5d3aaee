"""The pure scoring: components, weights, bounds and reasons (no app, no database)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from marketplace.matching import scoring
from marketplace.matching.scoring import Facts

TODAY = date(2026, 5, 4)
BERLIN = (52.5321, 13.3847)


def facts(id=1, kind="offer", **kw) -> Facts:
    values = {
        "id": id,
        "kind": kind,
        "category_id": 10,
        "category_parent_id": 1,
        "resource_type": "material",
        "quantity_remaining": Decimal("40"),
        "unit": "piece",
        "kg_per_unit": Decimal("25"),
        "lat": BERLIN[0],
        "lon": BERLIN[1],
        "available_until": None,
        "condition": "good",
        "price_eur": Decimal("0"),
        "created_at": datetime(2026, 5, 1, 9, 0),
        "organisation_id": id,
    }
    values.update(kw)
    return Facts(**values)


REQUEST = facts(0, "request", quantity_remaining=Decimal("20"), condition=None)


def codes(scored) -> set[str]:
    return {r.code for r in scored.reasons}


def test_weights_add_up_to_one():
    assert sum(scoring.WEIGHTS.values()) == pytest.approx(1.0)


def test_a_perfect_match_scores_near_one_with_reasons():
    scored = scoring.score_pair(REQUEST, facts(), 1.0, TODAY)
    assert 0.95 <= scored.score <= 1.0
    assert {"same_category", "similar_text", "distance", "covers", "free"} <= codes(scored)


def test_scores_stay_within_zero_and_one_for_any_input():
    extremes = [
        facts(price_eur=Decimal("9999"), condition="for_parts", lat=None, lon=None),
        facts(category_id=99, category_parent_id=None, resource_type="space", unit="hour"),
        facts(quantity_remaining=Decimal("100000"), available_until=TODAY),
    ]
    for candidate in extremes:
        for text in (-3.0, 0.0, 0.5, 1.0, 7.0):
            assert 0.0 <= scoring.score_pair(REQUEST, candidate, text, TODAY).score <= 1.0


def test_an_unrelated_candidate_scores_nothing_however_near_and_free():
    unrelated = facts(category_id=77, category_parent_id=None, resource_type="equipment")
    assert scoring.score_pair(REQUEST, unrelated, 0.0, TODAY).score == 0.0


def test_distance_matters_enough_to_order_otherwise_equal_candidates():
    near = facts(1)
    far = facts(2, lat=48.137, lon=11.575)  # Munich
    ranked = scoring.rank(REQUEST, [(far, 5.0), (near, 5.0)], TODAY)
    assert [s.candidate.id for s in ranked] == [1, 2]
    assert ranked[0].score - ranked[1].score > 0.15


def test_distance_beats_a_slightly_better_wording():
    near = facts(1)
    far = facts(2, lat=48.137, lon=11.575)
    ranked = scoring.rank(REQUEST, [(far, 6.0), (near, 5.0)], TODAY)
    assert ranked[0].candidate.id == 1


def test_same_category_beats_related_beats_resource_type():
    same = scoring.category_score(REQUEST, facts())
    related = scoring.category_score(REQUEST, facts(category_id=11))
    kin = scoring.category_score(REQUEST, facts(category_id=12, category_parent_id=2))
    assert same == (1.0, "same_category")
    assert related == (0.6, "related_category")
    assert kin == (0.15, None)


def test_coverage_converts_units_through_kg():
    request = facts(0, "request", quantity_remaining=Decimal("500"), unit="kg", kg_per_unit=None)
    offer = facts(quantity_remaining=Decimal("10"), unit="piece", kg_per_unit=Decimal("25"))
    assert scoring.coverage(offer, request) == Decimal("0.5")
    tonnes = facts(quantity_remaining=Decimal("1"), unit="t")
    assert scoring.coverage(tonnes, request) == 1
    unknown = facts(unit="m2", kg_per_unit=None)
    assert scoring.coverage(unknown, request) is None


def test_covers_reason_gives_the_percentage():
    offer = facts(quantity_remaining=Decimal("5"))
    scored = scoring.score_pair(REQUEST, offer, 1.0, TODAY)
    covers = [r for r in scored.reasons if r.code == "covers"]
    assert covers[0].value("percent") == 25


def test_an_offer_ending_soon_is_urgent_and_says_so():
    soon = facts(available_until=TODAY + timedelta(days=3))
    later = facts(available_until=TODAY + timedelta(days=60))
    s_soon = scoring.score_pair(REQUEST, soon, 1.0, TODAY)
    s_later = scoring.score_pair(REQUEST, later, 1.0, TODAY)
    assert s_soon.score > s_later.score
    assert [r.value("days") for r in s_soon.reasons if r.code == "expires_in"] == [3]
    assert "expires_in" not in codes(s_later)


def test_price_free_best_then_within_budget_then_over_it():
    budget = facts(0, "request", price_eur=Decimal("50"), quantity_remaining=Decimal("20"))
    free = scoring.score_pair(budget, facts(price_eur=Decimal("0")), 1.0, TODAY)
    within = scoring.score_pair(budget, facts(price_eur=Decimal("30")), 1.0, TODAY)
    over = scoring.score_pair(budget, facts(price_eur=Decimal("80")), 1.0, TODAY)
    assert free.score > within.score > over.score
    assert "free" in codes(free) and "within_budget" in codes(within)


def test_an_offer_as_target_scores_requests_the_same_way_round():
    offer = facts(5)
    request = facts(6, "request", quantity_remaining=Decimal("20"))
    assert scoring.score_pair(offer, request, 1.0, TODAY).score == pytest.approx(
        scoring.score_pair(request, offer, 1.0, TODAY).score
    )


def test_rank_normalises_text_and_drops_the_irrelevant():
    best, weaker = facts(1), facts(2)
    unrelated = facts(3, category_id=77, category_parent_id=None, resource_type="space")
    ranked = scoring.rank(REQUEST, [(weaker, 2.0), (best, 8.0), (unrelated, 0.0)], TODAY)
    assert [s.candidate.id for s in ranked] == [1, 2]
    assert ranked[0].components["text"] == 1.0
    assert ranked[1].components["text"] == pytest.approx(0.25)


def test_sharing_one_word_of_several_is_not_a_perfect_text_match():
    ranked = scoring.rank(REQUEST, [(facts(1), 3.0)], TODAY, ideal_text=8.0)
    assert ranked[0].components["text"] == pytest.approx(0.75)  # 3 / (half of the ideal 8)
    assert ranked[0].components["text"] < 1


def test_text_alone_counts_half_across_resource_types():
    room = facts(1, category_id=50, category_parent_id=None, resource_type="space")
    assert scoring.score_pair(REQUEST, room, 1.0, TODAY).components["text"] == 0.5


def test_a_request_to_borrow_is_answered_by_a_loan_and_says_so():
    borrow = facts(0, "request", quantity_remaining=Decimal("1"), condition=None, mode="lend")
    loan = scoring.score_pair(borrow, facts(mode="lend"), 1.0, TODAY)
    gift = scoring.score_pair(borrow, facts(mode="give"), 1.0, TODAY)
    assert "can_borrow" in codes(loan) and "can_borrow" not in codes(gift)
    assert loan.score == pytest.approx(gift.score)


def test_a_loan_answers_a_request_to_keep_something_only_in_part():
    keep = facts(0, "request", quantity_remaining=Decimal("1"), condition=None)
    loan = scoring.score_pair(keep, facts(mode="lend"), 1.0, TODAY)
    gift = scoring.score_pair(keep, facts(mode="give"), 1.0, TODAY)
    assert loan.score == pytest.approx(gift.score * scoring.LOAN_FOR_KEEPS_FACTOR, abs=1e-3)
    assert "can_borrow" not in codes(loan)
