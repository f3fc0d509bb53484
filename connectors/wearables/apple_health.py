"""Apple Health ``export.xml`` (or the ``export.zip`` it comes in) as a stream of samples.

Exports reach gigabytes, and one year of minute-level heart rate must summarise in under two
seconds, so there are two readers producing identical samples:

* ``parser="fast"`` (default): a streaming scanner that reads the file in chunks and picks out
  only ``Record`` and ``Correlation`` tags with compiled regular expressions. A full XML parser
  spends most of its time building elements we throw away (on this project's 2-core machine
  lxml's iterparse alone takes longer than the whole budget), while the export's records are
  flat, attribute-only tags. The scanner still understands the parts of XML that could hide or
  fake a tag: the prolog, the DOCTYPE's internal subset, comments, CDATA and processing
  instructions are skipped as units, and quoted attribute values may contain ``>``.
* ``parser="lxml"``: ``lxml.etree.iterparse`` over the same tags, clearing each processed element
  and its preceding siblings; slower, but checks that the whole document is well-formed.

Neither resolves entities or reads a DTD: the export carries an internal DTD, and resolving it
would open the door to XXE (external entities reading local files) and "billion laughs"
(exponential entity expansion). The fast scanner never expands anything; an attribute that
uses an entity other than the five predefined ones and character references is rejected.

Mapping: quantity records for heart rate, resting heart rate, steps, oxygen saturation (stored as
a fraction), respiratory rate and body temperature; ``HKCategoryTypeIdentifierSleepAnalysis``
asleep stages (not "in bed" or "awake") as sleep minutes; blood pressure from the
``HKCorrelationTypeIdentifierBloodPressure`` correlation. The export also repeats a
correlation's systolic and diastolic records at top level; those copies are counted as ignored
so a reading is never counted twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Literal

from connectors.wearables.jsonstream import open_binary
from connectors.wearables.models import (
    DIASTOLIC_LOINC,
    METRICS,
    SYSTOLIC_LOINC,
    Component,
    Metric,
    ParseReport,
    Sample,
    WearableDataError,
    invalid,
)
from connectors.wearables.times import parse_apple_date
from connectors.wearables.units import (
    BOUNDS,
    DIASTOLIC_BOUNDS,
    Linear,
    apply,
    check_bounds,
    linear,
    mmhg,
)

QUANTITY_TYPES: dict[str, Metric] = {
    "HKQuantityTypeIdentifierHeartRate": Metric.HEART_RATE,
    "HKQuantityTypeIdentifierRestingHeartRate": Metric.RESTING_HEART_RATE,
    "HKQuantityTypeIdentifierStepCount": Metric.STEPS,
    "HKQuantityTypeIdentifierOxygenSaturation": Metric.SPO2,
    "HKQuantityTypeIdentifierRespiratoryRate": Metric.RESPIRATORY_RATE,
    "HKQuantityTypeIdentifierBodyTemperature": Metric.BODY_TEMPERATURE,
}
SLEEP_TYPE = "HKCategoryTypeIdentifierSleepAnalysis"
#: Sleep stages that count as asleep. "InBed" and "Awake" do not.
ASLEEP_VALUES = frozenset(
    {
        "HKCategoryValueSleepAnalysisAsleep",  # before iOS 16
        "HKCategoryValueSleepAnalysisAsleepUnspecified",
        "HKCategoryValueSleepAnalysisAsleepCore",
        "HKCategoryValueSleepAnalysisAsleepDeep",
        "HKCategoryValueSleepAnalysisAsleepREM",
    }
)
BP_CORRELATION = "HKCorrelationTypeIdentifierBloodPressure"
SYSTOLIC_TYPE = "HKQuantityTypeIdentifierBloodPressureSystolic"
DIASTOLIC_TYPE = "HKQuantityTypeIdentifierBloodPressureDiastolic"
_APPLE_UNITS = {"count/min": "/min", "degC": "Cel", "degF": "[degF]", "count": "{steps}", "%": "%"}

CHUNK_BYTES = 4 * 1024 * 1024
MAX_PROLOG_BYTES = 16 * 1024 * 1024  # a DOCTYPE larger than this is not an Apple export

Parser = Literal["fast", "lxml"]


def read_apple_health(
    path: str | Path,
    *,
    parser: Parser = "fast",
    report: ParseReport | None = None,
    strict: bool = False,
) -> Iterator[Sample]:
    """Stream samples from ``export.xml`` (or ``export.zip``). Timestamps keep the offset the
    export wrote, i.e. the wearer's local time when the reading was taken."""
    with open_binary(path, zip_member_suffix="export.xml") as fh:
        if parser == "fast":
            yield from _FastScanner(fh, report, strict, Path(path).name).samples()
        elif parser == "lxml":
            yield from _lxml_samples(fh, report, strict, Path(path).name)
        else:
            raise ValueError(f"unknown parser {parser!r}")


# --- record interpretation shared by both readers ---------------------------------------------


class _Interpreter:
    """Turns record attributes into samples, caching per-(type, unit) converters and decoded
    source names: these repeat millions of times in a large export."""

    def __init__(self) -> None:
        self._converters: dict[tuple[Metric, str | None], Linear] = {}

    def converter(self, metric: Metric, unit: str | None) -> Linear:
        key = (metric, unit)
        conv = self._converters.get(key)
        if conv is None:
            conv = self._converters[key] = linear(metric, _APPLE_UNITS.get(unit or "", unit))
        return conv

    def quantity(self, metric: Metric, unit: str | None, value: str | None, start: datetime, end: datetime | None, source: str) -> Sample:
        if value is None:
            raise WearableDataError("record has no value")
        v = apply(self.converter(metric, unit), float(value))
        check_bounds(metric, v)
        return Sample(metric, start, v, METRICS[metric].unit, source, end)

    @staticmethod
    def sleep(value: str | None, start: datetime, end: datetime | None, source: str) -> Sample | None:
        if value not in ASLEEP_VALUES:
            return None
        if end is None or end < start:
            raise WearableDataError("sleep record ends before it starts")
        minutes = round((end - start).total_seconds() / 60.0, 3)
        check_bounds(Metric.SLEEP_DURATION, minutes)
        return Sample(Metric.SLEEP_DURATION, start, minutes, "min", source, end)

    @staticmethod
    def blood_pressure(parts: list[tuple[str, str | None, str | None]], start: datetime, end: datetime | None, source: str) -> Sample:
        found: dict[str, float] = {}
        for rtype, unit, value in parts:
            if rtype in (SYSTOLIC_TYPE, DIASTOLIC_TYPE):
                if value is None:
                    raise WearableDataError("blood pressure record has no value")
                found[rtype] = mmhg(float(value), unit)
        if SYSTOLIC_TYPE not in found or DIASTOLIC_TYPE not in found:
            raise WearableDataError("blood pressure correlation lacks a systolic or diastolic record")
        systolic, diastolic = found[SYSTOLIC_TYPE], found[DIASTOLIC_TYPE]
        check_bounds(Metric.BLOOD_PRESSURE, systolic)
        check_bounds(Metric.BLOOD_PRESSURE, diastolic, DIASTOLIC_BOUNDS)
        if diastolic >= systolic:
            raise WearableDataError(f"diastolic {diastolic:g} is not below systolic {systolic:g}")
        comps = (Component(SYSTOLIC_LOINC, systolic, "mm[Hg]"), Component(DIASTOLIC_LOINC, diastolic, "mm[Hg]"))
        return Sample(Metric.BLOOD_PRESSURE, start, systolic, "mm[Hg]", source, end, comps)


def _dates(start_s: str | None, end_s: str | None) -> tuple[datetime, datetime | None]:
    if not start_s:
        raise WearableDataError("record has no startDate")
    start = parse_apple_date(start_s)
    if not end_s or end_s == start_s:
        return start, None
    end = parse_apple_date(end_s)
    if end < start:
        raise WearableDataError("record ends before it starts")
    return start, end


# --- the fast streaming scanner ----------------------------------------------------------------

# Apple writes record attributes in a fixed order; the first alternative reads such a record in
# one match. Anything else (other orders, extra attributes, correlations, comments...) falls to
# the second alternative and is handled generically.
_TAG = re.compile(
    rb'<Record type="([^"]*)" sourceName="([^"]*)"(?: sourceVersion="[^"]*")?(?: device="[^"]*")?'
    rb'(?: unit="([^"]*)")?(?: creationDate="[^"]*")? startDate="([^"]*)" endDate="([^"]*)"'
    rb'(?: value="([^"]*)")?\s*(/?)>'
    rb"|<(Record|Correlation|HealthData)(?=[\s/>])|<(/Correlation|/HealthData)\s*>|<(!--|!\[CDATA\[|\?|!DOCTYPE)"
)
_ATTRS = re.compile(rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>")
_ATTR = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*);")
_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_SKIP_END = {b"!--": b"-->", b"![CDATA[": b"]]>", b"?": b"?>"}
# Declarations inside a DOCTYPE's internal subset, each skipped whole (quoted literals may hold
# anything, including "<Record" or "]>").
_DTD_TOKEN = re.compile(
    rb"\s+|%[^\s;]+;|<!--.*?-->|<\?.*?\?>|<!(?:[^\"'>]|\"[^\"]*\"|'[^']*')*>", re.DOTALL
)
_DTD_CLOSE = re.compile(rb"\]\s*>")
_DOCTYPE_HEAD = re.compile(
    rb"<!DOCTYPE\s+[^\s\[>]+(?:\s+(?:SYSTEM|PUBLIC)(?:\s+(?:\"[^\"]*\"|'[^']*'))+)?\s*(\[)?"
)


def _text(raw: bytes) -> str:
    """Attribute bytes to text, decoding only the predefined entities and character references."""
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WearableDataError("attribute is not valid UTF-8") from None
    if "&" not in s:
        return s

    def sub(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#x"):
            return chr(int(ref.removeprefix("#x"), 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        if ref in _PREDEFINED:
            return _PREDEFINED[ref]
        raise WearableDataError(f"attribute uses the entity &{ref}; (entities are never expanded)")

    return _ENTITY.sub(sub, s)


class _FastScanner:
    def __init__(self, fh: IO[bytes], report: ParseReport | None, strict: bool, name: str) -> None:
        self.fh = fh
        self.report = report
        self.strict = strict
        self.name = name
        self.interp = _Interpreter()
        self.sources: dict[bytes, str] = {}
        self.offset = 0  # bytes consumed before the current buffer, for error positions
        self.correlation: tuple[str, datetime, datetime | None, str] | None = None
        self.parts: list[tuple[str, str | None, str | None]] = []
        self.ignored = 0
        self.accepted = 0

    def _reject(self, reason: str, at: int) -> None:
        invalid(self.report, self.strict, reason, f"{self.name} (byte {self.offset + at})")

    def _read(self, buf: bytes, pos: int) -> tuple[bytes, bool]:
        chunk = self.fh.read(CHUNK_BYTES)
        self.offset += pos
        return buf[pos:] + chunk, not chunk

    def samples(self) -> Iterator[Sample]:
        buf, eof = self._read(b"", 0)
        pos, buf, eof = self._prolog(buf, eof)
        try:
            yield from self._body(buf, pos, eof)
        finally:
            if self.report is not None:
                self.report.ignored += self.ignored
                self.report.accepted += self.accepted

    def _prolog(self, buf: bytes, eof: bool) -> tuple[int, bytes, bool]:
        """Skip the XML declaration, comments and DOCTYPE; stop at the root element, which must
        be HealthData. Returns the position of the root tag."""
        pos = 0
        while True:
            while pos < len(buf) and buf[pos : pos + 1] in (b" ", b"\t", b"\r", b"\n", b"\xef", b"\xbb", b"\xbf"):
                pos += 1
            rest = buf[pos:]
            end: int | None = None
            if rest.startswith(b"<?"):
                i = buf.find(b"?>", pos + 2)
                end = i + 2 if i >= 0 else None
            elif rest.startswith(b"<!--"):
                i = buf.find(b"-->", pos + 4)
                end = i + 3 if i >= 0 else None
            elif rest.startswith(b"<!DOCTYPE"):
                end = self._doctype_end(buf, pos, eof)
            elif rest.startswith(b"<HealthData") and len(rest) > 11:
                if rest[11:12] not in (b" ", b"\t", b"\r", b"\n", b">", b"/"):
                    raise WearableDataError("not an Apple Health export (root element is not HealthData)", where=self.name)
                return pos, buf, eof
            elif len(rest) >= 12 or (eof and rest):
                if not rest.startswith(b"<"):
                    raise WearableDataError("not an XML document", where=self.name)
                raise WearableDataError("not an Apple Health export (root element is not HealthData)", where=self.name)
            if end is not None:
                pos = end
                continue
            if eof:
                if not buf.strip():
                    raise WearableDataError("the file is empty", where=self.name)
                raise WearableDataError("the XML prolog is unterminated or malformed", where=self.name)
            if len(buf) > MAX_PROLOG_BYTES:
                raise WearableDataError("the XML prolog (DOCTYPE) is too large for an Apple Health export", where=self.name)
            more = self.fh.read(CHUNK_BYTES)
            eof = not more
            buf += more

    @staticmethod
    def _doctype_end(buf: bytes, pos: int, eof: bool) -> int | None:
        head = _DOCTYPE_HEAD.match(buf, pos)
        if head is None:
            return None
        i = head.end()
        if head.group(1) is None:  # no internal subset
            j = buf.find(b">", i)
            return j + 1 if j >= 0 else None
        while i < len(buf):
            if buf[i : i + 1] == b"]":
                m = _DTD_CLOSE.match(buf, i)
                return m.end() if m else None
            m = _DTD_TOKEN.match(buf, i)
            if m is None or m.end() == i:
                if len(buf) - i > 65536 or eof:
                    raise WearableDataError("malformed DOCTYPE internal subset")
                return None
            i = m.end()
        return None

    def _body(self, buf: bytes, pos: int, eof: bool) -> Iterator[Sample]:
        interp = self.interp
        quantity_types = {k.encode(): v for k, v in QUANTITY_TYPES.items()}
        sleep_type = SLEEP_TYPE.encode()
        sources = self.sources
        convs: dict[tuple[Metric, bytes | None], tuple[Linear, bool, float, float, str]] = {}
        dates = _DateCache()
        hours, mmss = dates.hours, dates.offsets
        last_metric: Metric | None = None
        last_unit: bytes | None = None
        lin, identity, lo, hi, canonical = Linear(1.0, 0.0, None), True, 0.0, 0.0, ""
        accepted = 0
        root_closed = False
        try:
            while True:
                limit = len(buf) if eof else buf.rfind(b"<")
                limit = max(limit, pos)
                jump: int | None = None
                for m in _TAG.finditer(buf, pos, limit):
                    typ, src_b, unit_b, sd, ed, val = m.group(1, 2, 3, 4, 5, 6)
                    if typ is not None:
                        # Fast path: a record in Apple's own attribute order.
                        if root_closed:
                            raise WearableDataError("content after the end of HealthData", where=self.name)
                        if self.correlation is not None:
                            try:
                                self.parts.append((_text(typ), _opt(unit_b), _opt(val)))
                            except WearableDataError as exc:
                                self._reject(exc.reason, m.start())
                            continue
                        metric = quantity_types.get(typ)
                        if metric is None and typ != sleep_type:
                            self.ignored += 1
                            continue
                        try:
                            source = sources.get(src_b)
                            if source is None:
                                source = sources[src_b] = _text(src_b)
                            # Inline form of _DateCache.parse for the common case (cache hits).
                            base = hours.get(sd[:13] + sd[19:]) if len(sd) == 25 and sd[13] == 58 else None
                            offset = mmss.get(sd[14:19]) if base is not None else None
                            start = base + offset if offset is not None else dates.parse(sd)  # type: ignore[operator]
                            if ed == sd:
                                end = None
                            else:
                                end = dates.parse(ed)
                                if end < start:
                                    raise WearableDataError("record ends before it starts")
                            if metric is not None:
                                if val is None:
                                    raise WearableDataError("record has no value")
                                if metric is not last_metric or unit_b != last_unit:
                                    conv = convs.get((metric, unit_b))
                                    if conv is None:
                                        lin = interp.converter(metric, None if unit_b is None else _text(unit_b))
                                        identity = lin.scale == 1.0 and lin.offset == 0.0 and not lin.fraction_if_at_most_one
                                        conv = convs[(metric, unit_b)] = (lin, identity, *BOUNDS[metric], METRICS[metric].unit)
                                    lin, identity, lo, hi, canonical = conv
                                    last_metric, last_unit = metric, unit_b
                                v = float(val)
                                if not identity:
                                    v = apply(lin, v)
                                if not lo <= v <= hi:
                                    check_bounds(metric, v)
                                sample = Sample(metric, start, v, canonical, source, end)
                            else:
                                sample = interp.sleep(_opt(val), start, end, source)
                                if sample is None:
                                    self.ignored += 1
                                    continue
                        except (WearableDataError, ValueError, UnicodeDecodeError) as exc:
                            self._reject(getattr(exc, "reason", None) or f"unreadable record ({exc})", m.start())
                            continue
                        accepted += 1
                        yield sample
                        continue
                    opener = m.group(8) or m.group(9) or m.group(10)
                    if opener in (b"Record", b"Correlation", b"HealthData"):
                        attrs_m = _ATTRS.match(buf, m.end(), limit)
                        if attrs_m is None:
                            raise WearableDataError(f"malformed <{opener.decode()}> tag", where=f"{self.name} (byte {self.offset + m.start()})")
                        out = self._generic(opener, attrs_m.group(1), attrs_m.group(2) == b"/", m.start())
                        if out is not None:
                            yield out
                        jump = attrs_m.end()
                        break
                    if opener == b"/Correlation":
                        out = self._close_correlation(m.start())
                        if out is not None:
                            yield out
                        continue
                    if opener == b"/HealthData":
                        root_closed = True
                        continue
                    if opener == b"!DOCTYPE":
                        raise WearableDataError("DOCTYPE inside the document body", where=self.name)
                    terminator = _SKIP_END[opener]
                    close = buf.find(terminator, m.end())
                    if close < 0:
                        if eof:
                            raise WearableDataError(f"unterminated <{opener.decode()} section", where=self.name)
                        jump = -m.start() - 1  # resume at the section start once more data is read
                    else:
                        jump = close + len(terminator)
                    break
                if jump is not None and jump >= 0:
                    pos = jump
                    continue
                if jump is not None:
                    pos = -jump - 1
                else:
                    pos = limit
                if eof:
                    break
                buf, eof = self._read(buf, pos)
                pos = 0
        finally:
            self.accepted += accepted
        if self.correlation is not None:
            raise WearableDataError("the file ends inside a Correlation", where=self.name)

    def _generic(self, opener: bytes, attr_bytes: bytes, self_closing: bool, at: int) -> Sample | None:
        try:
            attrs = {k.decode("ascii"): _text(v1 or v2) for k, v1, v2 in _ATTR.findall(attr_bytes)}
        except (WearableDataError, UnicodeDecodeError) as exc:
            self._reject(getattr(exc, "reason", None) or "unreadable attribute", at)
            return None
        if opener == b"HealthData":
            return None
        if opener == b"Correlation":
            if self.correlation is not None:
                self._reject("nested Correlation", at)
                return None
            if attrs.get("type") != BP_CORRELATION:
                if not self_closing:
                    self.correlation = ("other", _EPOCH, None, "")
                self.ignored += 1
                return None
            try:
                start, end = _dates(attrs.get("startDate"), attrs.get("endDate"))
            except WearableDataError as exc:
                self._reject(exc.reason, at)
                if not self_closing:
                    self.correlation = ("other", _EPOCH, None, "")
                return None
            if self_closing:
                self._reject("blood pressure correlation has no records", at)
                return None
            self.correlation = (BP_CORRELATION, start, end, attrs.get("sourceName") or "Apple Health")
            self.parts = []
            return None
        # A Record in a non-standard attribute order.
        rtype = attrs.get("type", "")
        if self.correlation is not None:
            self.parts.append((rtype, attrs.get("unit"), attrs.get("value")))
            return None
        return self._record(rtype, attrs, at)

    def _record(self, rtype: str, attrs: dict[str, str], at: int) -> Sample | None:
        metric = QUANTITY_TYPES.get(rtype)
        if metric is None and rtype != SLEEP_TYPE:
            self.ignored += 1
            return None
        try:
            start, end = _dates(attrs.get("startDate"), attrs.get("endDate"))
            source = attrs.get("sourceName") or "Apple Health"
            if metric is not None:
                sample = self.interp.quantity(metric, attrs.get("unit"), attrs.get("value"), start, end, source)
            else:
                maybe = self.interp.sleep(attrs.get("value"), start, end, source)
                if maybe is None:
                    self.ignored += 1
                    return None
                sample = maybe
        except (WearableDataError, ValueError) as exc:
            self._reject(getattr(exc, "reason", None) or f"unreadable record ({exc})", at)
            return None
        self.accepted += 1
        return sample

    def _close_correlation(self, at: int) -> Sample | None:
        if self.correlation is None:
            raise WearableDataError("</Correlation> without an opening tag", where=f"{self.name} (byte {self.offset + at})")
        kind, start, end, source = self.correlation
        parts, self.correlation, self.parts = self.parts, None, []
        if kind != BP_CORRELATION:
            return None
        try:
            sample = self.interp.blood_pressure(parts, start, end, source)
        except (WearableDataError, ValueError) as exc:
            self._reject(getattr(exc, "reason", None) or f"unreadable blood pressure ({exc})", at)
            return None
        self.accepted += 1
        return sample


_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


class _DateCache:
    """Apple dates ("2024-01-31 07:05:00 -0800") parsed via a cache of hour starts and of
    minute:second offsets. Besides being faster than parsing every string, it makes readings
    with the same UTC offset share one tzinfo object, which makes comparing them cheap."""

    MAX_HOURS = 50_000  # about 5 years of distinct hours; the cache restarts beyond that

    def __init__(self) -> None:
        self.hours: dict[bytes, datetime] = {}
        self.offsets: dict[bytes, timedelta] = {}
        self.zones: dict[bytes, timezone] = {}

    def parse(self, raw: bytes) -> datetime:
        if len(raw) != 25 or raw[13:14] != b":" or raw[16:17] != b":":
            return parse_apple_date(raw.decode("ascii", "replace"))
        key = raw[:13] + raw[19:]
        base = self.hours.get(key)
        if base is None:
            base = self._hour(raw)
        offset = self.offsets.get(raw[14:19])
        if offset is None:
            offset = self._minute_second(raw)
        return base + offset

    def _hour(self, raw: bytes) -> datetime:
        text = raw.decode("ascii", "replace")
        full = parse_apple_date(text[:14] + "00:00" + text[19:])
        zone_key = raw[20:]
        zone = self.zones.get(zone_key)
        if zone is None:
            zone = self.zones[zone_key] = timezone(full.utcoffset() or timedelta(0))
        if len(self.hours) >= self.MAX_HOURS:
            self.hours.clear()
        base = self.hours[raw[:13] + raw[19:]] = full.replace(tzinfo=zone)
        return base

    def _minute_second(self, raw: bytes) -> timedelta:
        mm, ss = raw[14:16], raw[17:19]
        if not (mm.isdigit() and ss.isdigit()) or int(mm) > 59 or int(ss) > 59:
            raise WearableDataError(f"{raw.decode('ascii', 'replace')!r} is not an Apple Health date")
        offset = self.offsets[raw[14:19]] = timedelta(minutes=int(mm), seconds=int(ss))
        return offset


def _opt(raw: bytes | None) -> str | None:
    return None if raw is None else _text(raw)


# --- the strict lxml reader --------------------------------------------------------------------


def _lxml_samples(fh: IO[bytes], report: ParseReport | None, strict: bool, name: str) -> Iterator[Sample]:
    from lxml import etree

    interp = _Interpreter()
    context = etree.iterparse(
        fh,
        events=("end",),
        tag=("Record", "Correlation", "Workout", "ActivitySummary"),
        resolve_entities=False,  # never expand entities (XXE, billion laughs)
        no_network=True,
        load_dtd=False,
        huge_tree=False,  # keep libxml2's own size and depth limits
    )
    accepted = ignored = 0
    root_checked = False
    try:
        for _, el in context:
            parent = el.getparent()
            if not root_checked:
                root = parent
                while root is not None and root.getparent() is not None:
                    root = root.getparent()
                if root is None or root.tag != "HealthData":
                    raise WearableDataError("not an Apple Health export (root element is not HealthData)", where=name)
                root_checked = True
            if parent is not None and parent.tag == "Correlation":
                continue  # read with its correlation
            where = f"{name} (line {el.sourceline})"
            try:
                if el.tag == "Record":
                    sample = _lxml_record(interp, el)
                elif el.tag == "Correlation" and el.get("type") == BP_CORRELATION:
                    start, end = _dates(el.get("startDate"), el.get("endDate"))
                    parts = [(c.get("type", ""), c.get("unit"), c.get("value")) for c in el if c.tag == "Record"]
                    sample = interp.blood_pressure(parts, start, end, el.get("sourceName") or "Apple Health")
                else:
                    sample = None
            except (WearableDataError, ValueError) as exc:
                invalid(report, strict, getattr(exc, "reason", None) or f"unreadable record ({exc})", where)
                sample = None
            else:
                if sample is None:
                    ignored += 1
                else:
                    accepted += 1
                    yield sample
            # Free what has been read: this element and everything before it.
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
        if not root_checked:
            root = context.root
            if root is None or root.tag != "HealthData":
                raise WearableDataError("not an Apple Health export (root element is not HealthData)", where=name)
    except etree.XMLSyntaxError as exc:
        raise WearableDataError(f"malformed XML ({exc.msg})", where=f"{name} (line {exc.lineno})") from None
    finally:
        if report is not None:
            report.accepted += accepted
            report.ignored += ignored


def _lxml_record(interp: _Interpreter, el: object) -> Sample | None:
    get = el.get  # type: ignore[attr-defined]
    rtype = get("type", "")
    if rtype in (SYSTOLIC_TYPE, DIASTOLIC_TYPE):
        return None  # top-level copies of correlation members
    metric = QUANTITY_TYPES.get(rtype)
    if metric is None and rtype != SLEEP_TYPE:
        return None
    start, end = _dates(get("startDate"), get("endDate"))
    source = get("sourceName") or "Apple Health"
    if metric is not None:
        return interp.quantity(metric, get("unit"), get("value"), start, end, source)
    return interp.sleep(get("value"), start, end, source)
