"""Red flags for spreading infections fire on the signs NHS/NICE name, and not on near misses."""

from __future__ import annotations

import pytest

from tests.policies.triage.test_red_flags import flags


@pytest.mark.parametrize(
    ("text", "age", "flag"),
    [
        ("red line creeping up my arm from a cat scratch and I've started feeling hot and shivery", None, "red_streak_with_fever"),
        ("eyelid red and puffy and now it hurts to look to the side and the eye is pushing forward", 5, "orbital_cellulitis"),
        ("tooth abscess and the swelling is spreading down into my neck, can't open my mouth properly", None, "spreading_dental_infection"),
        ("worst sore throat ever, can't swallow my own spit and my voice is muffled", None, "throat_abscess"),
        ("had my hip done 8 days ago, wound red with yellow stuff leaking, temp 38.6 and heart racing", None, "infection_after_surgery"),
        ("he's boiling hot, yelled at me for switching the light on and keeps being sick", None, "meningitis_light"),
        ("started new epilepsy tablets two weeks ago, now my lips are peeling and blistery spots coming up", None, "severe_drug_rash"),
        ("I do peritoneal dialysis and this morning's drain bag was cloudy", None, "dialysis_peritonitis"),
        ("scratched my shin gardening, now the skin round it is red, hot and swollen and bigger than yesterday", None, "spreading_skin_redness"),
        ("drew round the red patch on my leg last night and it's spread past the line", None, "spreading_skin_redness"),
        ("rose thorn scratch, big red hot area spreading fast, the pain is unreal, much worse than it looks", None, "necrotising_skin_infection"),
        ("red swollen area on my calf spreading and now there's a purplish bit in the middle", None, "necrotising_skin_infection"),
    ],
)
def test_infection_flags_fire(text: str, age: float | None, flag: str) -> None:
    assert flag in flags(text, age=age)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("red line on my arm where the cat scratched, no temperature, feel fine", "red_streak_with_fever"),
        ("sticky red eyelid, eye moves fine and vision normal", "orbital_cellulitis"),
        ("toothache for two days, no swelling, eating fine", "spreading_dental_infection"),
        ("sore throat for 3 days, swallowing is painful but I can eat and drink", "throat_abscess"),
        ("two weeks after my knee op, wound healing well, no temperature", "infection_after_surgery"),
        ("migraine, light hurts my eyes, same as usual, no fever", "meningitis_light"),
        ("a blister on my heel from new shoes", "severe_drug_rash"),
        ("on haemodialysis three times a week, feel fine", "dialysis_peritonitis"),
        ("itchy red bite on my ankle, it isn't spreading or hot", "spreading_skin_redness"),
        ("cold sore coming, lip a bit swollen, how do I avoid spreading it to the baby", "spreading_skin_redness"),
        ("red hot swollen leg, spreading, sore but not too bad", "necrotising_skin_infection"),
    ],
)
def test_infection_flags_do_not_fire_on_near_misses(text: str, flag: str) -> None:
    assert flag not in flags(text)
