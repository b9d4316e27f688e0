"""Mail templates: ours in server/mail/templates/{language}/{purpose}.txt, or an organization's
own, both rendered in Jinja2's sandbox (an admin's template cannot reach Python objects).

A template is written as a message is read: a `Subject:` line, a blank line, the body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

LANGUAGES: Final = ("en", "fr")
PURPOSES: Final = ("invoice", "reminder")
MAX_SUBJECT_CHARS: Final = 300
MAX_BODY_CHARS: Final = 20_000
_DIR = Path(__file__).parent / "templates"
# Text, not HTML: nothing to escape; the sandbox refuses attribute access to internals.
_ENV = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)


class TemplateRefused(ValueError):
    """An organization's template that does not render (a syntax error, too long)."""


@dataclass(frozen=True, slots=True)
class Composed:
    subject: str
    body: str


def ours(purpose: str, language: str) -> tuple[str, str]:
    """Our (subject, body) source for a purpose and language."""
    return split((_DIR / language / f"{purpose}.txt").read_text(encoding="utf-8"))


def split(text: str) -> tuple[str, str]:
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject:") or "\n" in head:
        raise TemplateRefused("a template starts with one `Subject:` line, then a blank line")
    return head.removeprefix("Subject:").strip(), body


def render(subject: str, body: str, variables: dict[str, Any]) -> Composed:
    try:
        done = Composed(
            " ".join(_ENV.from_string(subject).render(variables).split()),  # one line
            _ENV.from_string(body).render(variables),
        )
    except TemplateError as exc:
        raise TemplateRefused(f"the template does not render: {exc}") from exc
    if len(done.subject) > MAX_SUBJECT_CHARS or len(done.body) > MAX_BODY_CHARS:
        raise TemplateRefused(
            f"a message has at most {MAX_SUBJECT_CHARS} characters of subject and "
            f"{MAX_BODY_CHARS} of body"
        )
    return done
