"""Red flags for medicines gone wrong fire on the signs NHS/NICE name, and not on near misses."""

from __future__ import annotations

import pytest

from tests.policies.triage.test_red_flags import flags


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("on lithium, tummy bug, hands shaking so bad I can't hold a cup and walking like I'm drunk", "lithium_toxicity"),
        ("on warfarin, my pee is red and I've got big bruises I didn't bump, gums bleeding too", "bleeding_on_anticoagulant"),
        ("been taking my methotrexate every day instead of once a week", "weekly_medicine_taken_daily"),
        ("on prednisolone for 2 years, ran out 4 days ago, now so weak I can barely stand and been sick", "adrenal_crisis"),
        ("day 6 after chemo, watery diarrhoea 8 times today and very dizzy when I stand", "chemotherapy_toxicity"),
        ("missed my dialysis on Friday, breathing is bad and my ankles are like balloons", "missed_dialysis"),
        ("prostate cancer spread to the bones, back pain much worse and my legs feel weak and wobbly", "spinal_cord_compression"),
        ("upped my sertraline and started tramadol, now agitated, sweating buckets, jerking legs, temp 38.5", "serotonin_syndrome"),
        ("dad's on morphine patches, pupils are pinpoint and his breathing is slow", "opioid_toxicity"),
    ],
)
def test_medicine_flags_fire(text: str, flag: str) -> None:
    assert flag in flags(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("on lithium 3 months, fine tremor in my hands and a bit thirsty, level was 0.6", "lithium_toxicity"),
        ("on apixaban, small bruise on my shin after knocking it on the bed", "bleeding_on_anticoagulant"),
        ("I take methotrexate once a week on Mondays, can I have a flu jab?", "weekly_medicine_taken_daily"),
        ("on a short course of prednisolone for my asthma, feeling fine", "adrenal_crisis"),
        ("finished chemo last year, loose stools once today", "chemotherapy_toxicity"),
        ("dialysis went fine today, bit tired", "missed_dialysis"),
        ("breast cancer 10 years ago, now a stiff back after gardening, legs fine", "spinal_cord_compression"),
        ("on sertraline, bit sweaty at night since starting", "serotonin_syndrome"),
        ("on codeine for my back, a bit constipated", "opioid_toxicity"),
    ],
)
def test_medicine_flags_do_not_fire_on_near_misses(text: str, flag: str) -> None:
    assert flag not in flags(text)
