"""Code systems and the specific codes the patient context looks for."""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"

#: Short names used in summaries for the systems we recognise; others show their URI.
SYSTEM_NAMES = {SNOMED: "SNOMED CT", LOINC: "LOINC", RXNORM: "RxNorm"}

# Vital signs by LOINC code -> the short key the triage facts use.
TEMPERATURE_CODES = frozenset(
    {"8310-5", "8331-1", "8332-9", "8333-7"}
)  # body, oral, axillary, tympanic
HEART_RATE_CODES = frozenset({"8867-4"})
SPO2_CODES = frozenset({"59408-5", "2708-6"})  # pulse oximetry, arterial saturation
VITAL_SIGN_CODES = (
    TEMPERATURE_CODES
    | HEART_RATE_CODES
    | SPO2_CODES
    | {
        "9279-1",  # respiratory rate
        "8480-6",  # systolic blood pressure
        "8462-4",  # diastolic blood pressure
        "85354-9",  # blood pressure panel (its components carry the values)
        "55284-4",  # blood pressure, as Synthea codes the panel
        "29463-7",  # body weight
        "8302-2",  # body height
        "39156-5",  # body mass index
        "72514-3",  # pain severity 0-10
    }
)

#: Labs a clinician scanning a triage summary usually wants first; other labs follow.
KEY_LAB_CODES = (
    "4548-4",  # haemoglobin A1c
    "2339-0",  # glucose
    "2345-7",  # glucose, serum/plasma
    "2160-0",  # creatinine, serum/plasma
    "38483-4",  # creatinine, blood
    "33914-3",  # eGFR
    "718-7",  # haemoglobin
    "6690-2",  # leukocytes
    "777-3",  # platelets
    "2823-3",  # potassium, serum/plasma
    "6298-4",  # potassium, blood
    "2951-2",  # sodium, serum/plasma
    "2947-0",  # sodium, blood
    "2093-3",  # total cholesterol
    "18262-6",  # LDL cholesterol
    "1988-5",  # C-reactive protein
)

# Pregnancy. Observations: the LOINC "pregnancy status" questions, answered with SNOMED codes.
PREGNANCY_STATUS_CODES = frozenset({"82810-3", "11449-6"})
PREGNANT_ANSWERS = frozenset({"77386006"})  # pregnant
NOT_PREGNANT_ANSWERS = frozenset({"60001007"})  # not pregnant
# Conditions that mean "currently pregnant" while active.
PREGNANCY_CONDITION_CODES = frozenset(
    {
        "77386006",  # pregnancy
        "72892002",  # normal pregnancy
        "47200007",  # high-risk pregnancy
        "16356006",  # multiple pregnancy
        "237240001",  # teenage pregnancy
        "79586000",  # tubal (ectopic) pregnancy: pregnant, and urgent if symptomatic
    }
)

ACTIVE_CLINICAL_STATUSES = frozenset({"active", "recurrence", "relapse"})
REFUTED_VERIFICATION = frozenset({"refuted", "entered-in-error"})
