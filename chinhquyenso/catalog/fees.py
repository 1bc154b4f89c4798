"""Fee calculation: a pure function of the fee rules in force, the quantity and the exemptions.

``fee_quote(procedure, on=date, quantity=3, exemptions={"poor_household"})`` answers "how much
does this cost" in integer VND for the payments issue and the procedure page. ``quote_rules`` is
the calculator itself over plain ``FeeRuleSpec`` values (no database), so it can be tested with
generated inputs. Rules:

- ``fixed``: the amount, whatever the quantity;
- ``per_unit``: amount × quantity (per copy, per page, per room);
- ``tiered`` + ``graduated``: each unit is charged at the rate of its band (pages 1–2 at 2.000 đ,
  page 3 on at 1.000 đ — Circular 226/2016/TT-BTC for certified copies);
- ``tiered`` + ``bracket``: the quantity selects one band whose flat amount is due (karaoke
  appraisal by number of rooms, Circular 01/2021/TT-BTC);
- ``max_vnd`` caps a line; an exemption category the applicant belongs to makes the line 0;
- a conditional rule (late registration, extra copies) is charged only when named in ``include``;
- an amount not yet entered (set by a People's Council resolution) gives an ``unknown`` line and
  a quote that is not ``complete``: the total is then a lower bound, never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chinhquyenso.core.errors import DomainError


@dataclass(frozen=True)
class Tier:
    start: int  # first unit of the band (1-based)
    end: int | None  # last unit, None = no upper bound
    amount_vnd: int

    def contains(self, n: int) -> bool:
        return n >= self.start and (self.end is None or n <= self.end)


@dataclass(frozen=True)
class FeeRuleSpec:
    code: str
    label: str
    kind: str = "fixed"
    amount_vnd: int | None = 0
    unit_label: str = ""
    tier_mode: str = ""
    tiers: tuple[Tier, ...] = ()
    max_vnd: int | None = None
    exempt_categories: frozenset[str] = frozenset()
    conditional: bool = False
    condition_note: str = ""

    @classmethod
    def from_rule(cls, rule) -> FeeRuleSpec:
        return cls(
            code=rule.code, label=rule.label, kind=rule.kind, amount_vnd=rule.amount_vnd,
            unit_label=rule.unit_label, tier_mode=rule.tier_mode,
            tiers=tuple(Tier(int(t["from"]), None if t.get("to") is None else int(t["to"]), int(t["amount_vnd"]))
                        for t in rule.tiers or ()),
            max_vnd=rule.max_vnd, exempt_categories=frozenset(rule.exempt_categories or ()),
            conditional=rule.conditional, condition_note=rule.condition_note,
        )


@dataclass(frozen=True)
class FeeLine:
    code: str
    label: str
    quantity: int
    amount_vnd: int
    exempted_by: str | None = None  # the exemption category that waived the line
    unknown: bool = False  # amount not entered yet (People's Council resolution)
    capped: bool = False


@dataclass(frozen=True)
class FeeQuote:
    lines: tuple[FeeLine, ...]
    total_vnd: int
    complete: bool = True
    terms_id: int | None = None
    effective_from: dt.date | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_free(self) -> bool:
        return self.complete and self.total_vnd == 0


def _graduated(tiers: Sequence[Tier], quantity: int) -> int | None:
    """Band by band (validated tiers are contiguous from 1 and do not overlap); None if a unit
    falls in no band."""
    total = covered = 0
    for tier in tiers:
        low, high = max(tier.start, 1), quantity if tier.end is None else min(tier.end, quantity)
        if high >= low:
            total += (high - low + 1) * tier.amount_vnd
            covered += high - low + 1
    return total if covered == quantity else None


def _bracket(tiers: Sequence[Tier], quantity: int) -> int | None:
    tier = next((t for t in tiers if t.contains(quantity)), None)
    return None if tier is None else tier.amount_vnd


def rule_amount(rule: FeeRuleSpec, quantity: int) -> int | None:
    """Amount of one rule before exemptions and cap; None when it cannot be known."""
    if rule.kind == "fixed":
        return rule.amount_vnd
    if rule.kind == "per_unit":
        return None if rule.amount_vnd is None else rule.amount_vnd * quantity
    if rule.kind == "tiered":
        if rule.tier_mode == "bracket":
            return _bracket(rule.tiers, quantity)
        return _graduated(rule.tiers, quantity)
    raise ValueError(f"unknown fee kind {rule.kind!r}")


def quote_rules(rules: Iterable[FeeRuleSpec], *, quantity: int = 1, exemptions: Iterable[str] = (),
                include: Iterable[str] = ()) -> FeeQuote:
    if quantity < 1:
        raise DomainError("invalid_quantity", "Số lượng phải từ 1 trở lên.", "quantity")
    exemptions = frozenset(exemptions)
    include = frozenset(include)
    lines: list[FeeLine] = []
    for rule in rules:
        if rule.conditional and rule.code not in include:
            continue
        qty = 1 if rule.kind == "fixed" else quantity
        waived = sorted(rule.exempt_categories & exemptions)
        if waived:
            lines.append(FeeLine(rule.code, rule.label, qty, 0, exempted_by=waived[0]))
            continue
        amount = rule_amount(rule, quantity)
        if amount is None:
            lines.append(FeeLine(rule.code, rule.label, qty, 0, unknown=True))
            continue
        capped = rule.max_vnd is not None and amount > rule.max_vnd
        lines.append(FeeLine(rule.code, rule.label, qty, min(amount, rule.max_vnd) if capped else amount,
                             capped=capped))
    return FeeQuote(lines=tuple(lines), total_vnd=sum(line.amount_vnd for line in lines),
                    complete=not any(line.unknown for line in lines))


def fee_quote(procedure, *, on: dt.date | None = None, quantity: int = 1, exemptions: Iterable[str] = (),
              include: Iterable[str] = (), terms=None) -> FeeQuote:
    """The fee of ``procedure`` under the terms in force ``on`` (today by default). A caller that
    already holds those terms (with ``fee_rules`` prefetched) passes them to save the queries."""
    from chinhquyenso.catalog.selectors import terms_in_force

    terms = terms if terms is not None else terms_in_force(procedure, on=on)
    if terms is None:
        raise DomainError("no_terms_in_force", "Thủ tục chưa có thời hạn, phí, lệ phí áp dụng vào ngày này.", "on")
    quote = quote_rules([FeeRuleSpec.from_rule(r) for r in terms.fee_rules.all()], quantity=quantity,
                        exemptions=exemptions, include=include)
    return FeeQuote(lines=quote.lines, total_vnd=quote.total_vnd, complete=quote.complete, terms_id=terms.pk,
                    effective_from=terms.effective_from, notes=(terms.fee_note,) if terms.fee_note else ())


def format_vnd(amount: int | None) -> str:
    """10000 → "10.000 đ" (Vietnamese thousands separator)."""
    if amount is None:
        return "—"
    return f"{amount:,}".replace(",", ".") + " đ"


def describe_rule(rule) -> str:
    """A one-line human description of a rule (page, spreadsheet export)."""
    spec = rule if isinstance(rule, FeeRuleSpec) else FeeRuleSpec.from_rule(rule)
    unit = f"/{spec.unit_label}" if spec.unit_label else ""
    if spec.kind == "fixed":
        text = "chưa nhập mức thu" if spec.amount_vnd is None else format_vnd(spec.amount_vnd)
    elif spec.kind == "per_unit":
        text = "chưa nhập mức thu" if spec.amount_vnd is None else f"{format_vnd(spec.amount_vnd)}{unit}"
    else:
        bands = []
        for t in spec.tiers:
            span = f"từ {t.start}" if t.end is None else (f"{t.start}" if t.start == t.end else f"{t.start}–{t.end}")
            label = f" {spec.unit_label}" if spec.unit_label else ""
            per = unit if spec.tier_mode != "bracket" else ""
            bands.append(f"{format_vnd(t.amount_vnd)}{per} ({span}{label})")
        text = "; ".join(bands)
    if spec.max_vnd is not None:
        text += f"; tối đa {format_vnd(spec.max_vnd)}"
    return text
