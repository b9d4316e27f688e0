"""The payment page as HTML: one Jinja2 template, autoescaped, no script, and the strict
Content-Security-Policy it is served with (its one style block allowed by hash)."""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Final

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from server.paypage import labels
from server.paypage.service import Page

_FOLDER: Final = Path(__file__).with_name("templates")
_CSS: Final = (_FOLDER / "pay.css").read_text()
_CSS_HASH: Final = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()


def security_policy(checkout_origin: str | None) -> str:
    """Nothing runs, nothing loads; the form posts here only (and follows the redirect to the
    provider's checkout, which form-action also governs)."""
    form = "'self'" + (f" {checkout_origin}" if checkout_origin else "")
    return (
        f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src data:; "
        f"form-action {form}; frame-ancestors 'none'; base-uri 'none'"
    )


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_FOLDER),
        autoescape=select_autoescape(["html"]),  # every name the seller typed is text
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(page: Page, *, token: str, card_done: bool) -> str:
    lang = page.lang

    def money(value: str) -> str:
        return labels.money(value, page.currency, lang)

    def day(value: date | str | None) -> str:
        return labels.day(value, lang)

    return (
        _environment()
        .get_template("pay.html")
        .render(
            page=page,
            lang=lang,
            t=labels.LABELS[lang],
            css=_CSS,
            money=money,
            day=day,
            has_paid=Decimal(page.paid) != 0,
            qr=_qr(page.epc_payload),
            pdf_url=f"/pay/{token}/invoice.pdf",
            card_url=f"/pay/{token}/card",
            card_done=card_done,
        )
    )


def _qr(payload: str | None) -> str:
    """The EPC QR code as inline SVG; error correction M as EPC069-12 requires."""
    if payload is None:
        return ""
    code = segno.make_qr(payload, error="m", encoding="utf-8", boost_error=False)
    svg: str = code.svg_inline(scale=4, border=4, title="EPC QR code")
    return svg
