"""Decimal inputs of the money engine: reading decimal strings and checking values.

Split from `collab.money` so that the arithmetic stays readable: this module says what a valid
number is and how an invalid one is reported (`MoneyError` with a stable `code` and the field).
"""

from __future__ import annotations

import re
from decimal import Decimal

# No invoice amount comes near a quadrillion; the bound keeps every intermediate of the money
# engine within its 60 digits (a quantity x unit price has at most 15 + 15 integer and 4 + 6
# fractional digits).
MAX_MAGNITUDE = Decimal(10) ** 15
MAX_TEXT_LENGTH = 40  # longest decimal string parse_decimal reads, so "9" * 10**6 costs nothing

_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_EXPONENT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+", re.ASCII)


class MoneyError(ValueError):
    """An input the money engine refuses, with enough detail to show it on the right field.

    `code` is a stable machine-readable reason ("too_precise", "discount_exceeds_base", ...).
    `field` names the input relative to its owner: "quantity", "discount.value", "prepaid",
    "currency"; `line` is the index of the offending line when the error concerns one, and
    `adjustment` the index of the allowance or charge (among its line's, or the document's).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        field: str | None = None,
        line: int | None = None,
        adjustment: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.line = line
        self.adjustment = adjustment


class MoneyTypeError(MoneyError, TypeError):
    """A float, string or other non-decimal where a Decimal is required."""


def parse_decimal(text: str) -> Decimal:
    """Read a decimal string as it travels in the document: "1234.50", "-3", "12".

    Only ASCII digits, an optional leading "-" and an optional "." followed by digits. No
    spaces, "+", exponents, separators, NaN or Infinity: one spelling per number.

    Raises:
        MoneyError: the text is not such a number; the message says what is wrong.
        MoneyTypeError: `text` is not a string (a float, for instance).
    """
    if not isinstance(text, str):
        raise MoneyTypeError(
            _type_message("expected a decimal string,", text), code=_type_code(text)
        )
    # The length check comes first so a megabyte of digits is refused before it is parsed.
    if len(text) > MAX_TEXT_LENGTH or _DECIMAL_TEXT.fullmatch(text) is None:
        message, code = _diagnose(text)
        raise MoneyError(message, code=code)
    number = Decimal(text)
    return number.copy_abs() if number.is_zero() else number


def _diagnose(text: str) -> tuple[str, str]:
    """Why `text` is not a decimal string, as (message, code): the most specific reason wins."""
    shown = repr(text) if len(text) <= MAX_TEXT_LENGTH else repr(text[:MAX_TEXT_LENGTH] + "...")
    reason, code = _reason(text)
    return f"{shown} {reason}", code


def _reason(text: str) -> tuple[str, str]:
    body = text.removeprefix("-")
    if text == "":
        return "is empty: expected a number such as 1234.50", "empty"
    if len(text) > MAX_TEXT_LENGTH:
        return f"is longer than {MAX_TEXT_LENGTH} characters", "too_long"
    if text != text.strip():
        return "has spaces around it", "whitespace"
    if body.lower() in {"nan", "snan", "inf", "infinity"}:
        return "is not a finite number", "not_finite"
    if "," in text:
        return "contains a comma: use '.' for decimals and no thousands separators", "separator"
    if any(separator in text for separator in " _'"):
        return "contains a digit separator", "separator"
    if text.startswith("+"):
        return "starts with '+': write the number without it", "plus_sign"
    if _EXPONENT_TEXT.fullmatch(text):
        return "uses exponent notation: write the digits out", "exponent"
    if body.endswith(".") and _DIGITS.fullmatch(body[:-1]):
        return "is incomplete: add digits after the decimal point", "incomplete"
    if body.startswith(".") and _DIGITS.fullmatch(body[1:]):
        return f"needs a digit before the decimal point, such as 0{body}", "incomplete"
    if body == "":
        return "is incomplete: digits expected after '-'", "incomplete"
    return "is not a number: expected digits, optionally '-' and '.', as in 1234.50", "syntax"


def checked(
    value: object, field: str, *, minimum: Decimal | None = None, maximum: Decimal | None = None
) -> Decimal:
    """`value` as a finite Decimal within bounds; an int is converted, anything else refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise MoneyTypeError(
            _type_message(f"{field} must be a Decimal,", value),
            code=_type_code(value),
            field=field,
        )
    number = Decimal(value)
    if not number.is_finite():
        raise MoneyError(
            f"{field} must be a finite number, not {number}", code="not_finite", field=field
        )
    if number.is_zero():
        number = number.copy_abs()  # Decimal("-0") would print as "-0" on the invoice
    if number.copy_abs() >= MAX_MAGNITUDE:
        raise MoneyError(f"{field} is too large: {number}", code="too_large", field=field)
    if minimum is not None and number < minimum:
        raise MoneyError(
            f"{field} cannot be below {minimum}, got {number}",
            code="negative" if minimum == 0 else "out_of_range",
            field=field,
        )
    if maximum is not None and number > maximum:
        raise MoneyError(
            f"{field} cannot exceed {maximum}, got {number}", code="out_of_range", field=field
        )
    return number


def check_places(
    value: Decimal, places: int, field: str, *, currency: str | None = None, line: int | None = None
) -> None:
    if decimal_places(value) > places:
        what = f"{currency} amounts have" if currency else f"{field} has"
        raise MoneyError(
            f"{field} {value} has too many decimals: {what} at most {places}",
            code="too_precise",
            field=field,
            line=line,
        )


def decimal_places(value: Decimal) -> int:
    """Decimals the value needs: 1.50 needs 1, 100 and 1E+2 need 0."""
    if value.is_zero():
        return 0
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite values only reach here
    places = max(0, -exponent)
    for digit in reversed(digits):  # trailing zeros of the coefficient do not count
        if places == 0 or digit != 0:
            break
        places -= 1
    return places


def _type_code(value: object) -> str:
    return "float" if isinstance(value, float) else "not_decimal"


def _type_message(expected: str, value: object) -> str:
    if isinstance(value, float):
        return f"{expected} got the float {value!r}: floats are inexact, use Decimal(str) instead"
    return f"{expected} got {type(value).__name__}"
