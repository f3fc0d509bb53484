"""Apple Health export.xml: both readers agree, XML tricks cannot hide or fake records, entity
attacks do nothing, and broken files give reasons."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from connectors.wearables import (
    Metric,
    ParseReport,
    WearableDataError,
    apple_health,
    read_apple_health,
)

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_GB">\n <ExportDate value="2025-01-11 09:00:00 +0000"/>\n'
TAIL = "</HealthData>\n"


def hr(minute: int, value: str = "60", source: str = "Watch") -> str:
    t = f"2025-01-10 08:{minute:02d}:00 +0000"
    return (
        f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="{source}" unit="count/min" '
        f'creationDate="{t}" startDate="{t}" endDate="{t}" value="{value}"/>\n'
    )


def write(tmp_path: Path, body: str, head: str = HEAD, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_text(head + body + TAIL, encoding="utf-8")
    return path


def both(path: Path, **kw: object) -> list[list[tuple[object, ...]]]:
    results = []
    for parser in ("fast", "lxml"):
        report = ParseReport()
        samples = list(read_apple_health(path, parser=parser, report=report, **kw))  # type: ignore[arg-type]
        results.append([(s.metric, s.value, s.start, s.end, s.source, s.components) for s in samples])
    return results


def test_readers_agree_on_the_synthetic_export(files: dict[str, Path]) -> None:
    fast, strict = both(files["apple"])
    assert fast == strict
    metrics = {m for m, *_ in fast}
    assert metrics == set(Metric)


def test_quantities_sleep_and_blood_pressure(tmp_path: Path) -> None:
    t = "2025-01-10 07:00:00 +0100"
    body = (
        hr(0)
        + f' <Record type="HKQuantityTypeIdentifierOxygenSaturation" sourceName="Watch" unit="%" startDate="{t}" endDate="{t}" value="0.89"/>\n'
        + f' <Record type="HKQuantityTypeIdentifierBodyTemperature" sourceName="Thermo" unit="degF" startDate="{t}" endDate="{t}" value="100.4"/>\n'
        + ' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2025-01-09 23:00:00 +0000" endDate="2025-01-10 07:00:00 +0000" value="HKCategoryValueSleepAnalysisInBed"/>\n'
        + ' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2025-01-09 23:30:00 +0000" endDate="2025-01-10 03:00:00 +0000" value="HKCategoryValueSleepAnalysisAsleepCore"/>\n'
        + ' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2025-01-10 03:00:00 +0000" endDate="2025-01-10 03:20:00 +0000" value="HKCategoryValueSleepAnalysisAwake"/>\n'
        + ' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2025-01-10 03:20:00 +0000" endDate="2025-01-10 06:50:00 +0000" value="HKCategoryValueSleepAnalysisAsleepDeep"/>\n'
        # Real exports repeat a correlation's members at top level: they must not count twice.
        + f' <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="{t}" endDate="{t}" value="150"/>\n'
        + f' <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" startDate="{t}" endDate="{t}" value="95"/>\n'
        + f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Cuff" startDate="{t}" endDate="{t}">\n'
        + f'  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="{t}" endDate="{t}" value="150"/>\n'
        + f'  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" startDate="{t}" endDate="{t}" value="95"/>\n'
        + " </Correlation>\n"
        + ' <Record type="HKQuantityTypeIdentifierActiveEnergyBurned" sourceName="Watch" unit="kcal" startDate="2025-01-10 08:00:00 +0000" endDate="2025-01-10 08:01:00 +0000" value="3"/>\n'
    )
    fast, strict = both(write(tmp_path, body))
    assert fast == strict
    by_metric: dict[Metric, list[tuple[object, ...]]] = {}
    for row in fast:
        by_metric.setdefault(row[0], []).append(row)  # type: ignore[arg-type]
    assert by_metric[Metric.SPO2][0][1] == pytest.approx(89.0)
    assert by_metric[Metric.BODY_TEMPERATURE][0][1] == pytest.approx(38.0)
    assert sorted(r[1] for r in by_metric[Metric.SLEEP_DURATION]) == [210.0, 210.0]  # asleep only
    [bp] = by_metric[Metric.BLOOD_PRESSURE]
    assert [c.value for c in bp[5]] == [150.0, 95.0]  # type: ignore[attr-defined]
    assert by_metric[Metric.SPO2][0][2].utcoffset().total_seconds() == 3600  # type: ignore[union-attr]


def test_comments_cdata_and_odd_attributes_cannot_fake_or_hide_records(tmp_path: Path) -> None:
    body = (
        " <!-- " + hr(1, "99") + " -->\n"
        + " <![CDATA[ " + hr(2, "98") + " ]]>\n"
        + " <?note " + hr(3, "97") + " ?>\n"
        # A different attribute order, a ">" inside a value and escaped characters still work.
        + ' <Record value="61" endDate="2025-01-10 08:04:00 +0000" startDate="2025-01-10 08:04:00 +0000" unit="count/min" '
        + 'sourceName="Bob&apos;s &lt;Watch&gt; &#233;" note="a > b" type="HKQuantityTypeIdentifierHeartRate"/>\n'
        + hr(5, "62")
    )
    head = HEAD.replace("<HealthData", '<!DOCTYPE HealthData [\n<!ENTITY fake "<Record type=\'HKQuantityTypeIdentifierHeartRate\'/>">\n<!-- ]> -->\n]>\n<HealthData')
    fast, strict = both(write(tmp_path, body, head=head))
    assert fast == strict
    assert [r[1] for r in fast] == [61.0, 62.0]
    assert fast[0][4] == "Bob's <Watch> é"


def test_entity_attacks_are_not_expanded(tmp_path: Path) -> None:
    """Billion laughs and an external entity (XXE): nothing is expanded or read from disk."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    lol = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
    head = (
        '<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n<!ENTITY lol0 "lol">\n' + lol
        + f'<!ENTITY xxe SYSTEM "file://{secret}">\n]>\n<HealthData locale="en">\n'
    )
    body = hr(0, source="&lol9;") + hr(1, source="&xxe;") + hr(2, source="Watch").replace("/>", ">&lol9;&xxe;</Record>")
    path = write(tmp_path, body, head=head)
    report = ParseReport()
    samples = list(read_apple_health(path, report=report))
    assert [s.source for s in samples] == ["Watch"]
    assert report.rejected == 2 and "never expanded" in report.reasons[0]
    try:  # the strict reader either refuses the document or leaves the entities alone
        strict = list(read_apple_health(path, parser="lxml"))
    except WearableDataError as exc:
        assert "amplification" in exc.reason or "entity" in exc.reason
    else:
        assert all("TOP-SECRET" not in s.source and len(s.source) < 100 for s in strict)


def test_chunk_boundaries_do_not_matter(tmp_path: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    body = "".join(" <!-- a comment " + "x" * i + " -->\n" + hr(i % 60, str(50 + i % 40)) for i in range(300))
    path = write(tmp_path, body)
    whole = [(s.value, s.start) for s in read_apple_health(path)]
    monkeypatch.setattr(apple_health, "CHUNK_BYTES", 97)
    chunked = [(s.value, s.start) for s in read_apple_health(path)]
    assert chunked == whole and len(whole) == 300


def test_zip_export(tmp_path: Path) -> None:
    xml = HEAD + hr(0) + hr(1) + TAIL
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
        zf.writestr("apple_health_export/export.xml", xml)
    assert [s.value for s in read_apple_health(path)] == [60.0, 60.0]


def test_bad_records_are_rejected_with_reasons(tmp_path: Path) -> None:
    body = (
        hr(0, "abc") + hr(1, "900") + hr(2, "61")
        + ' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" startDate="yesterday" endDate="yesterday" value="60"/>\n'
        + ' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="furlongs" startDate="2025-01-10 08:03:00 +0000" endDate="2025-01-10 08:03:00 +0000" value="60"/>\n'
    )
    for parser in ("fast", "lxml"):
        report = ParseReport()
        samples = list(read_apple_health(write(tmp_path, body), parser=parser, report=report))  # type: ignore[arg-type]
        assert [s.value for s in samples] == [61.0]
        assert report.rejected == 4
        text = " | ".join(report.reasons)
        assert "outside the plausible range" in text and "not an Apple Health date" in text and "furlongs" in text
        with pytest.raises(WearableDataError):
            list(read_apple_health(write(tmp_path, body), parser=parser, strict=True))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b'{"resourceType": "Bundle"}', "not an XML document"),
        (b'<?xml version="1.0"?>\n<ClinicalDocument><Record/></ClinicalDocument>', "root element is not HealthData"),
        ((HEAD + hr(0) + ' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="C" startDate="2025-01-10 08:00:00 +0000" endDate="2025-01-10 08:00:00 +0000">\n').encode(), "inside a Correlation"),
        ((HEAD + " <!-- never closed").encode(), "unterminated"),
    ],
)
def test_broken_files_give_reasons(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(content)
    with pytest.raises(WearableDataError, match=reason):
        list(read_apple_health(path))
    with pytest.raises(WearableDataError):
        list(read_apple_health(path, parser="lxml"))
