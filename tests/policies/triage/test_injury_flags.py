"""Injury, wound and limb red flags fire on the signs NHS/NICE name, and not on near misses."""

from __future__ import annotations

import pytest

from tests.policies.triage.test_red_flags import flags


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("my mums left foot suddenly went cold, white and really painful, cant feel a pulse on her foot", "cold_pale_limb"),
        ("his arm's been in plaster since yesterday, fingers swollen and pale, screaming and calpol's not touching it", "compartment_syndrome"),
        ("nosebleed for over 20 minutes, we've pinched it the whole time and it's still pouring", "nosebleed_not_stopping"),
        ("got kicked in the balls at football an hour ago, still really painful and swelling up", "testicle_injury"),
        ("baby crying, her toe is purple with a hair wrapped tight round it", "hair_tourniquet"),
        ("stood on a rusty fork 10 days ago, now my jaw feels stiff and my neck keeps going into spasms", "tetanus_signs"),
        ("bitten by a stray dog in Thailand yesterday, broke the skin", "rabies_risk"),
        ("something bit my ankle in the long grass, two little marks, swelling fast and I feel sick", "fang_marks"),
        ("split his chin open, it's gaping and I can see white stuff underneath", "gaping_wound"),
        ("rolled the quad bike, belly getting more sore and swollen and I go dizzy when I stand", "abdominal_trauma"),
        ("felt a thwack at the back of my heel, now walking flat-footed and can't go up on my tiptoes", "achilles_rupture"),
        ("my son swallowed a 10p two hours ago and now he's dribbling and pointing at his neck", "swallowed_object_stuck"),
        ("day 6 after my tonsils out, spitting fresh blood with clots", "bleeding_after_tonsillectomy"),
        ("32 weeks pregnant, small car crash, the seatbelt went tight across my bump", "trauma_in_pregnancy"),
        ("fell down the stairs and hit my head, now clear watery stuff is dripping from my nose", "fluid_after_head_injury"),
        ("fell off the shed roof onto the patio, landed on my back, bit of a headache", "fall_from_height"),
        ("ride on mower went over my foot, two toes are mangled", "major_limb_trauma"),
        ("back from winter climbing, two fingers went white and hard and now they're numb and blistering", "frostbite"),
        ("a nail went straight through my trainer into my foot, last tetanus was years ago", "tetanus_prone_wound"),
    ],
)
def test_injury_flags_fire(text: str, flag: str) -> None:
    assert flag in flags(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("my feet are always cold in winter, no pain", "cold_pale_limb"),
        ("cast on my wrist since Monday, a bit achy at night, fingers pink and wiggling", "compartment_syndrome"),
        ("nosebleed for 5 minutes, stopped after pinching", "nosebleed_not_stopping"),
        ("dull ache in my balls after long bike rides, no injury", "testicle_injury"),
        ("bitten by our own cat at home, small scratch", "rabies_risk"),
        ("our cat bit me on the hand, 2 little puncture wounds, bit swollen", "fang_marks"),
        ("small clean cut on my finger from a knife, edges together", "gaping_wound"),
        ("fell off my bike, grazed knee, feel fine", "abdominal_trauma"),
        ("my son swallowed a 1p coin, eating and drinking fine", "swallowed_object_stuck"),
        ("28 weeks pregnant, bit of heartburn, baby kicking away", "trauma_in_pregnancy"),
        ("runny nose with clear snot and a cold", "fluid_after_head_injury"),
        ("tripped on the kerb and grazed my palm", "fall_from_height"),
        ("cold hands when I go skiing but they warm up fine", "frostbite"),
        ("stood on a nail, up to date with tetanus, small hole", "tetanus_prone_wound"),
    ],
)
def test_injury_flags_do_not_fire_on_near_misses(text: str, flag: str) -> None:
    assert flag not in flags(text)
