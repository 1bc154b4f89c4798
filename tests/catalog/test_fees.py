"""The fee calculator: properties over generated rules, and quotes under versioned terms."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinhquyenso.catalog.fees import FeeRuleSpec, Tier, describe_rule, fee_quote, format_vnd, quote_rules, rule_amount
from chinhquyenso.catalog.models import ExemptionCategory
from chinhquyenso.catalog.services import procedure_terms_add
from chinhquyenso.core.errors import DomainError

CATEGORIES = ExemptionCategory.values
amounts = st.integers(min_value=0, max_value=50_000_000)
quantities = st.integers(min_value=1, max_value=500)


@st.composite
def contiguous_tiers(draw):
    """Bands 1..a, a+1..b, …, last open-ended or closed."""
    n = draw(st.integers(min_value=1, max_value=5))
    start, tiers = 1, []
    for i in range(n):
        last = i == n - 1
        end = None if last and draw(st.booleans()) else start + draw(st.integers(min_value=0, max_value=20))
        tiers.append(Tier(start, end, draw(amounts)))
        if end is None:
            break
        start = end + 1
    return tuple(tiers)


@st.composite
def rules(draw, code=None):
    kind = draw(st.sampled_from(["fixed", "per_unit", "tiered"]))
    tiers = draw(contiguous_tiers()) if kind == "tiered" else ()
    return FeeRuleSpec(
        code=code or draw(st.text(alphabet="abcdefgh_", min_size=1, max_size=8)),
        label="khoản thu",
        kind=kind,
        amount_vnd=None if kind == "tiered" else draw(st.one_of(st.none(), amounts)),
        tier_mode=draw(st.sampled_from(["graduated", "bracket"])) if kind == "tiered" else "",
        tiers=tiers,
        max_vnd=draw(st.one_of(st.none(), amounts)),
        exempt_categories=frozenset(draw(st.sets(st.sampled_from(CATEGORIES), max_size=3))),
        conditional=draw(st.booleans()),
    )


@st.composite
def rule_lists(draw):
    n = draw(st.integers(min_value=0, max_value=5))
    return [draw(rules(code=f"r{i}")) for i in range(n)]


def _covers(tiers, q) -> bool:
    return any(t.start <= q and (t.end is None or q <= t.end) for t in tiers)


@given(tiers=contiguous_tiers(), quantity=quantities)
def test_graduated_tiers_charge_each_unit_at_its_band_rate(tiers, quantity):
    rule = FeeRuleSpec(code="x", label="x", kind="tiered", tier_mode="graduated", tiers=tiers)
    oracle = 0
    for n in range(1, quantity + 1):
        band = next((t for t in tiers if t.start <= n and (t.end is None or n <= t.end)), None)
        if band is None:
            oracle = None
            break
        oracle += band.amount_vnd
    assert rule_amount(rule, quantity) == oracle


@given(tiers=contiguous_tiers(), quantity=quantities)
def test_bracket_tiers_charge_the_one_band_the_quantity_falls_in(tiers, quantity):
    rule = FeeRuleSpec(code="x", label="x", kind="tiered", tier_mode="bracket", tiers=tiers)
    amount = rule_amount(rule, quantity)
    if _covers(tiers, quantity):
        assert amount in {t.amount_vnd for t in tiers}
    else:
        assert amount is None


@given(amount=amounts, quantity=quantities)
def test_per_unit_is_price_times_quantity_and_fixed_ignores_quantity(amount, quantity):
    per_unit = FeeRuleSpec(code="a", label="a", kind="per_unit", amount_vnd=amount)
    fixed = FeeRuleSpec(code="b", label="b", kind="fixed", amount_vnd=amount)
    quote = quote_rules([per_unit, fixed], quantity=quantity)
    assert [line.amount_vnd for line in quote.lines] == [amount * quantity, amount]
    assert quote.total_vnd == amount * quantity + amount


@settings(max_examples=200)
@given(rs=rule_lists(), quantity=quantities, exemptions=st.sets(st.sampled_from(CATEGORIES), max_size=3),
       include=st.sets(st.sampled_from(["r0", "r1", "r2", "r3", "r4"])))
def test_quote_invariants(rs, quantity, exemptions, include):
    quote = quote_rules(rs, quantity=quantity, exemptions=exemptions, include=include)
    # money is whole dong, never negative, and the total is the sum of the lines
    assert all(isinstance(line.amount_vnd, int) and line.amount_vnd >= 0 for line in quote.lines)
    assert quote.total_vnd == sum(line.amount_vnd for line in quote.lines)
    charged = {line.code: line for line in quote.lines}
    for rule in rs:
        # a conditional charge appears only when asked for; every other charge always appears
        assert (rule.code in charged) == (not rule.conditional or rule.code in include)
        line = charged.get(rule.code)
        if line is None:
            continue
        if rule.exempt_categories & exemptions:
            assert line.amount_vnd == 0 and line.exempted_by in rule.exempt_categories
        elif line.unknown:
            assert line.amount_vnd == 0 and not quote.complete
        else:
            assert rule.max_vnd is None or line.amount_vnd <= rule.max_vnd
    assert quote.complete == (not any(line.unknown for line in quote.lines))


@given(rs=rule_lists(), quantity=quantities, exemptions=st.sets(st.sampled_from(CATEGORIES), max_size=3))
def test_an_exemption_never_raises_the_total(rs, quantity, exemptions):
    include = {r.code for r in rs}
    without = quote_rules(rs, quantity=quantity, include=include)
    with_exemptions = quote_rules(rs, quantity=quantity, exemptions=exemptions, include=include)
    assert with_exemptions.total_vnd <= without.total_vnd


@given(rule=rules(code="r"), q=st.integers(min_value=1, max_value=200))
def test_more_units_never_cost_less_for_graduated_and_per_unit_rules(rule, q):
    if rule.kind == "tiered" and rule.tier_mode == "bracket":
        return  # a bracket may be cheaper per band by design; monotonic only by law, not by arithmetic
    a, b = rule_amount(rule, q), rule_amount(rule, q + 1)
    if a is not None and b is not None:
        assert b >= a


def test_certified_copy_fee_follows_circular_226():
    rule = FeeRuleSpec(code="chung_thuc", label="Chứng thực bản sao", kind="tiered", tier_mode="graduated",
                       unit_label="trang", tiers=(Tier(1, 2, 2000), Tier(3, None, 1000)), max_vnd=200_000)
    assert [quote_rules([rule], quantity=q).total_vnd for q in (1, 2, 3, 10)] == [2000, 4000, 5000, 12000]
    assert quote_rules([rule], quantity=1000).total_vnd == 200_000
    assert quote_rules([rule], quantity=1000).lines[0].capped
    assert describe_rule(rule) == "2.000 đ/trang (1–2 trang); 1.000 đ/trang (từ 3 trang); tối đa 200.000 đ"


def test_quantity_below_one_is_refused():
    with pytest.raises(DomainError) as exc:
        quote_rules([], quantity=0)
    assert exc.value.field == "quantity"


def test_format_vnd_uses_vietnamese_thousands_separator():
    assert format_vnd(2_000_000) == "2.000.000 đ"
    assert format_vnd(0) == "0 đ"


# --- Quotes from the database: terms versions -------------------------------------------------------

@pytest.mark.django_db
def test_fee_quote_uses_the_terms_in_force_on_the_given_day(make_procedure):
    procedure = make_procedure(terms=[
        {"effective_from": "2024-01-01", "processing_days": 5,
         "fee_rules": [{"code": "le_phi", "label": "Lệ phí", "kind": "fixed", "amount_vnd": 5000}]},
        {"effective_from": "2025-07-01", "processing_days": 3,
         "fee_rules": [{"code": "le_phi", "label": "Lệ phí", "kind": "fixed", "amount_vnd": 8000,
                        "exempt_categories": ["poor_household"]}]},
    ])
    assert fee_quote(procedure, on=dt.date(2024, 6, 1)).total_vnd == 5000
    assert fee_quote(procedure, on=dt.date(2025, 7, 1)).total_vnd == 8000
    assert fee_quote(procedure, on=dt.date(2025, 7, 1), exemptions=["poor_household"]).total_vnd == 0
    with pytest.raises(DomainError) as exc:
        fee_quote(procedure, on=dt.date(2023, 12, 31))
    assert exc.value.code == "no_terms_in_force"


@pytest.mark.django_db
def test_a_fee_set_by_resolution_but_not_entered_makes_an_incomplete_quote(make_procedure):
    procedure = make_procedure(terms=[{"effective_from": "2025-07-01", "processing_days": 3, "fee_rules": [
        {"code": "le_phi", "label": "Lệ phí (theo Nghị quyết HĐND)", "kind": "fixed", "amount_vnd": None}]}])
    quote = fee_quote(procedure, on=dt.date(2025, 8, 1))
    assert not quote.complete and quote.lines[0].unknown and quote.total_vnd == 0


@pytest.mark.django_db
def test_new_fees_apply_from_their_date_and_old_quotes_do_not_change(make_procedure):
    procedure = make_procedure()
    before = fee_quote(procedure, on=dt.date(2025, 8, 1))
    future = dt.date(2099, 1, 1)
    procedure_terms_add(actor=None, procedure=procedure, terms={
        "effective_from": future, "processing_days": 2,
        "fee_rules": [{"code": "le_phi", "label": "Lệ phí", "kind": "fixed", "amount_vnd": 20000}]})
    assert fee_quote(procedure, on=dt.date(2025, 8, 1)) == before
    assert fee_quote(procedure, on=future).total_vnd == 20000
