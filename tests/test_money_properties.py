"""The money engine: properties over random invoices."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from collab.invoice.currencies import minor_units
from collab.invoice.money import (
    TAX_CATEGORIES,
    Discount,
    InvoiceInput,
    Line,
    compute_totals,
    group_key,
)
from tests.money_helpers import D

# --- properties over random invoices ----------------------------------------------------------

RATES = ["0", "2.1", "5.5", "7", "10", "19.6", "20", "20.00", "21"]
CURRENCIES = ["EUR", "JPY", "KWD", "CLF"]


def _units(value: Decimal, places: int) -> int:
    return int(value.scaleb(places))


@st.composite
def decimals_up_to(draw: st.DrawFn, places: int, low: int, high: int) -> Decimal:
    used = draw(st.integers(0, places))
    return draw(st.decimals(min_value=low, max_value=high, places=used))


@st.composite
def discounts(draw: st.DrawFn, base: Decimal, places: int) -> Discount | None:
    """No discount, a percent, or an amount at most |base| (the engine refuses more)."""
    kind = draw(st.sampled_from(["none", "percent", "amount"]))
    if kind == "percent":
        return Discount("percent", draw(decimals_up_to(4, 0, 100)))
    if kind == "amount":
        units = draw(st.integers(0, abs(_units(base, places))))
        return Discount("amount", D(units).scaleb(-places))
    return None


@st.composite
def lines(draw: st.DrawFn, places: int) -> Line:
    quantity = draw(decimals_up_to(4, -200, 500))
    unit_price = draw(decimals_up_to(6, 0, 2000))
    with localcontext() as ctx:
        ctx.prec = 50
        extended = (quantity * unit_price).quantize(D(1).scaleb(-places), ROUND_HALF_UP)
    category = draw(st.sampled_from(sorted(TAX_CATEGORIES)))
    # The engine computes whatever rate it is given (validation says which suit the category),
    # except that category O has none (BR-O-05).
    rate = None if category == "O" else D(draw(st.sampled_from(RATES)))
    return Line(quantity, unit_price, rate, category, draw(discounts(extended, places)))


@st.composite
def invoices(draw: st.DrawFn) -> InvoiceInput:
    currency = draw(st.sampled_from(CURRENCIES))
    places = minor_units(currency)
    drawn = tuple(draw(st.lists(lines(places), max_size=10)))
    line_total = compute_totals(InvoiceInput(drawn, currency)).line_total
    prepaid = draw(decimals_up_to(places, 0, 10**6))  # "5" as well as "5.00": both are valid
    return InvoiceInput(drawn, currency, draw(discounts(line_total, places)), prepaid)


def _fields(value: object, name: str = "") -> Iterator[tuple[str, object]]:
    """Every leaf of a result, with the name of the field holding it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _fields(getattr(value, field.name), field.name)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _fields(item, name)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _fields(item, key)
    else:
        yield name, value


def _round(value: Decimal, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        return value.quantize(D(1).scaleb(-places), ROUND_HALF_UP)


@given(invoices())
def test_totals_are_the_sums_of_their_parts(invoice: InvoiceInput) -> None:
    totals = compute_totals(invoice)

    for result in totals.lines:
        assert result.net == result.extended - result.discount
    assert totals.line_total == sum(r.net for r in totals.lines)
    assert totals.net == totals.line_total - totals.document_discount
    assert totals.net == sum(g.base for g in totals.tax_breakdown)
    assert totals.tax == sum(g.amount for g in totals.tax_breakdown)
    assert totals.gross == totals.net + totals.tax
    assert totals.due == totals.gross - totals.prepaid
    assert totals.prepaid == invoice.prepaid


@given(invoices())
def test_each_group_base_is_its_line_nets_less_its_discount_share(invoice: InvoiceInput) -> None:
    totals = compute_totals(invoice)
    places = minor_units(invoice.currency)

    group_nets = [
        sum(
            r.net
            for li, r in zip(invoice.lines, totals.lines, strict=True)
            if group_key(li) == (group.category, group.rate)
        )
        for group in totals.tax_breakdown
    ]
    # Only the groups that go the invoice's way share the discount, pro rata (issue 12).
    same_way = sum(n for n in group_nets if n * totals.line_total > 0)
    shares = []
    for group, nets in zip(totals.tax_breakdown, group_nets, strict=True):
        shares.append(nets - group.base)
        with localcontext() as ctx:
            ctx.prec = 80
            takes = nets * totals.line_total > 0
            exact = totals.document_discount * nets / same_way if takes else D(0)
        assert abs(nets - group.base - exact) <= D(1).scaleb(-places) * len(totals.tax_breakdown)
    assert sum(shares) == totals.document_discount
    # ... so no group loses more than the whole discount, and together exactly the discount.
    assert sum(abs(share) for share in shares) == abs(totals.document_discount)


@given(invoices())
def test_vat_per_group_is_its_summed_base_times_rate_rounded_half_up(
    invoice: InvoiceInput,
) -> None:
    totals = compute_totals(invoice)
    places = minor_units(invoice.currency)

    for group in totals.tax_breakdown:
        with localcontext() as ctx:
            ctx.prec = 80
            assert group.amount == _round(group.base * group.rate / 100, places)
    keys = [(g.category, g.rate) for g in totals.tax_breakdown]
    assert keys == sorted(set(keys))


@given(invoices(), st.data())
def test_totals_do_not_depend_on_line_order(invoice: InvoiceInput, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(invoice.lines))))
    shuffled = dataclasses.replace(invoice, lines=tuple(invoice.lines[i] for i in order))

    before, after = compute_totals(invoice), compute_totals(shuffled)

    assert after.to_json() | {"lines": []} == before.to_json() | {"lines": []}
    assert after.lines == tuple(before.lines[i] for i in order)


@given(invoices())
def test_every_amount_has_exactly_the_currency_minor_units(invoice: InvoiceInput) -> None:
    totals = compute_totals(invoice)
    places = minor_units(invoice.currency)
    pattern = r"-?[0-9]+" + (rf"\.[0-9]{{{places}}}" if places else "")

    for name, value in _fields(totals):
        if isinstance(value, Decimal) and name != "rate":
            assert value.as_tuple().exponent == -places, (name, value)
            assert not (value.is_zero() and value.is_signed()), (name, value)
    for name, text in _fields(totals.to_json()):
        if name not in {"rate", "category", "currency"}:
            assert isinstance(text, str) and re.fullmatch(pattern, text), (name, text)


@given(invoices())
def test_no_float_anywhere_in_the_result(invoice: InvoiceInput) -> None:
    totals = compute_totals(invoice)

    leaves = list(_fields(totals)) + list(_fields(totals.to_json()))

    assert leaves
    assert not [leaf for leaf in leaves if isinstance(leaf[1], float)]
    assert {type(v) for _, v in _fields(totals)} <= {Decimal, str}
    assert {type(v) for _, v in _fields(totals.to_json())} == {str}


def _percent_only(discount: Discount | None) -> Discount | None:
    return discount if discount is not None and discount.kind == "percent" else None


@given(invoices())
def test_negating_every_quantity_negates_every_amount_under_percent_discounts(
    invoice: InvoiceInput,
) -> None:
    # Percent allowances are a share of their base, so they follow its sign; amount allowances
    # are subtracted as stated (next test) and so break the symmetry on purpose.
    debit = dataclasses.replace(
        invoice,
        lines=tuple(
            dataclasses.replace(li, discount=_percent_only(li.discount)) for li in invoice.lines
        ),
        discount=_percent_only(invoice.discount),
        prepaid=D(0),
    )
    credit = dataclasses.replace(
        debit, lines=tuple(dataclasses.replace(li, quantity=-li.quantity) for li in debit.lines)
    )

    negated = compute_totals(credit)
    original = compute_totals(debit)

    for (name, a), (_, b) in zip(_fields(negated), _fields(original), strict=True):
        if isinstance(a, Decimal) and isinstance(b, Decimal) and name != "rate":
            assert a == -b, name


@given(invoices())
def test_an_amount_discount_lowers_its_line_by_exactly_its_amount(invoice: InvoiceInput) -> None:
    totals = compute_totals(invoice)

    for li, result in zip(invoice.lines, totals.lines, strict=True):
        if li.discount is not None and li.discount.kind == "amount":
            assert result.net == result.extended - li.discount.value  # BT-131, whatever the sign
    if invoice.discount is not None and invoice.discount.kind == "amount":
        assert totals.net == totals.line_total - invoice.discount.value  # BR-CO-13
