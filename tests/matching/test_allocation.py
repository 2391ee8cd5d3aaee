"""The pure allocation: a known optimum, never more than supplied, never worse than greedy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.matching.allocation import (
    Side,
    allocate,
    candidate_edges,
    edge_figures,
    greedy,
    is_feasible,
)


def test_hand_made_instance_reaches_the_known_optimum_greedy_misses():
    # Offer 0 (10) is the favourite of the first request, but the second request can use nothing
    # else; offer 1 (10) serves the first request almost as well. Optimum 10*2 + 10*2.5 = 45.
    supply, demand = [10, 10], [10, 10]
    eo, er, value = [0, 1, 0], [0, 0, 1], [3.0, 2.0, 2.5]
    lp = allocate(supply, demand, eo, er, value)
    first_come = greedy(supply, demand, eo, er, value)
    assert lp.flow.tolist() == [0, 10, 10] and lp.objective == pytest.approx(45)
    assert first_come.flow.tolist() == [10, 0, 0] and first_come.objective == pytest.approx(30)


def test_splits_an_offer_over_requests_and_a_request_over_offers():
    supply, demand = [6, 5], [4, 7]
    eo, er, value = [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 1.0, 1.0, 1.0]
    lp = allocate(supply, demand, eo, er, value)
    assert lp.objective == pytest.approx(11)
    assert is_feasible(supply, demand, eo, er, lp.flow)


def test_greedy_serves_requests_in_the_given_order():
    supply, demand = [5], [5, 5]
    eo, er, value = [0, 0], [0, 1], [1.0, 1.0]
    assert greedy(supply, demand, eo, er, value, order=[1, 0]).flow.tolist() == [0, 5]
    assert greedy(supply, demand, eo, er, value).flow.tolist() == [5, 0]


def test_non_positive_values_move_nothing():
    result = allocate([5], [5], [0], [0], [-1.0])
    assert result.flow.tolist() == [0] and result.objective == 0


def test_quanta_and_ratios_round_down_within_both_limits():
    # One offer of 7.5 pieces worth 2 kg each (quantum 1) for a request of 9 kg: 4 pieces fit.
    lp = allocate([7.5], [9.0], [0], [0], [2.0], ratio=[2.0], quantum=[1.0])
    assert lp.flow.tolist() == [4.0]
    assert is_feasible([7.5], [9.0], [0], [0], lp.flow, ratio=[2.0])


def _side(quantity, category, family, unit, kg, org, lat, lon, factor=None):
    arrays = [np.asarray(a) for a in (quantity, category, family, unit, kg, org, lat, lon)]
    return Side(*arrays, factor=None if factor is None else np.asarray(factor, float))


def test_candidate_edges_keep_the_nearest_compatible_offers_of_other_organisations():
    offers = _side(
        [10, 10, 10, 10, 10],
        [1, 1, 2, 1, 3],
        [1, 1, 1, 1, 3],
        [0, 0, 0, 1, 0],
        [25.0, 25.0, 25.0, np.nan, 25.0],
        [1, 2, 2, 2, 2],
        [51.34, 51.35, 51.34, 51.34, 51.34],
        [12.37, 12.50, 12.38, 12.37, 12.37],
        factor=[0.2] * 5,
    )
    requests = _side([5], [1], [1], [0], [np.nan], [1], [51.34], [12.37])
    edges = candidate_edges(offers, requests, k=1)
    # offer 0 is the request's own organisation, 3 another unit, 4 another family: the nearest
    # remaining compatible offer is 2 (parent category only).
    assert edges.offer.tolist() == [2] and not edges.same_category[0]
    edges = candidate_edges(offers, requests, k=5, exclude={(2, 0)})
    assert edges.offer.tolist() == [1]
    figures = edge_figures(offers, edges, objective="co2e", transport_per_kg_km=0.001)
    assert figures.co2e[0] == pytest.approx(5.0)
    assert figures.value[0] == pytest.approx(5.0 - 25 * edges.km[0] * 0.001)


def test_mass_requests_accept_offers_of_known_weight():
    offers = _side([4], [1], [1], [2], [25.0], [2], [51.3], [12.3], factor=[0.5])
    requests = _side([100], [1], [1], [0], [1.0], [1], [51.3], [12.3])
    edges = candidate_edges(offers, requests, k=3)
    assert edges.ratio.tolist() == [25.0]
    figures = edge_figures(offers, edges, objective="kg", transport_penalty=False)
    lp = allocate(
        offers.quantity,
        requests.quantity,
        edges.offer,
        edges.request,
        figures.value,
        ratio=edges.ratio,
        quantum=[1],
    )
    assert lp.flow.tolist() == [4] and lp.objective == pytest.approx(100)


@st.composite
def instances(draw, integral=True):
    n_o = draw(st.integers(1, 7))
    n_r = draw(st.integers(1, 7))
    supply = draw(st.lists(st.integers(0, 30), min_size=n_o, max_size=n_o))
    demand = draw(st.lists(st.integers(0, 30), min_size=n_r, max_size=n_r))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_o - 1), st.integers(0, n_r - 1)),
            min_size=1,
            max_size=n_o * n_r,
            unique=True,
        )
    )
    values = draw(
        st.lists(
            st.floats(-2, 10, allow_nan=False, allow_infinity=False),
            min_size=len(pairs),
            max_size=len(pairs),
        )
    )
    ratio = None
    if not integral:
        ratio = draw(
            st.lists(
                st.sampled_from([0.5, 1.0, 2.5, 11.9, 25.0]),
                min_size=len(pairs),
                max_size=len(pairs),
            )
        )
    order = draw(st.permutations(list(range(n_r))))
    eo, er = [p[0] for p in pairs], [p[1] for p in pairs]
    return supply, demand, eo, er, values, ratio, order


@settings(max_examples=150, deadline=None)
@given(instances())
def test_integral_instances_are_solved_exactly_and_beat_greedy(instance):
    supply, demand, eo, er, values, _, order = instance
    lp = allocate(supply, demand, eo, er, values, order=order)
    first_come = greedy(supply, demand, eo, er, values, order=order)
    assert is_feasible(supply, demand, eo, er, lp.flow)
    assert is_feasible(supply, demand, eo, er, first_come.flow)
    assert np.all(lp.flow == np.round(lp.flow))  # integral, as total unimodularity promises
    assert lp.objective >= first_come.objective - 1e-9
    given_out = np.bincount(eo, weights=lp.flow, minlength=len(supply))
    assert np.all(given_out <= np.asarray(supply))  # never more than an offer has, exactly


@settings(max_examples=150, deadline=None)
@given(instances(integral=False), st.sampled_from([1.0, 0.001]))
def test_mixed_units_stay_feasible_and_never_lose_to_greedy(instance, quantum):
    supply, demand, eo, er, values, ratio, order = instance
    lp = allocate(supply, demand, eo, er, values, ratio=ratio, quantum=quantum, order=order)
    first_come = greedy(supply, demand, eo, er, values, ratio=ratio, quantum=quantum, order=order)
    assert is_feasible(supply, demand, eo, er, lp.flow, ratio=ratio)
    assert lp.objective >= first_come.objective - 1e-9
    steps = lp.flow / quantum
    assert np.allclose(steps, np.round(steps))
