"""Public guidance cited by rules in more than one red-flag module."""

NICE_HEAD = "https://www.nice.org.uk/guidance/ng232"
NICE_SEPSIS = "https://www.nice.org.uk/guidance/ng51"
NHS_MENINGITIS = "https://www.nhs.uk/conditions/meningitis/"
NHS_CELLULITIS = "https://www.nhs.uk/conditions/cellulitis/"
