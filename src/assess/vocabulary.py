"""The codes of the partner files, each with the words a report uses for it.

One home for every coded value a partner file may hold: the readers
(:mod:`assess.sources.partner`) accept exactly these codes, the demo generator writes them, and
the chapters print their labels. A mapping's order is the order in which a report lists them.
Answers of the resident survey are written as the survey's own words, so they are their own labels.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Flags a force (or partner) counts per month in ``force_flags.csv``, with their labels.
FORCE_FLAGS: dict[str, str] = {
    "domestic_abuse": "Domestic abuse (all flagged crimes)",
    "domestic_violence": "Domestic violence (violent crimes flagged domestic abuse)",
    "hate_crime": "Hate crime",
    "alcohol_affected": "Alcohol-affected crime",
    "alcohol_related_violence": "Alcohol-related violence",
    "knife_crime": "Knife crime",
    "gun_crime": "Gun crime",
    "drug_related_violence": "Drug-related violence",
    "threats_to_kill": "Threats to kill",
    "public_place_violence": "Public-place violence",
    "violence_with_injury": "Violence with injury",
    "violence_without_injury": "Violence without injury",
    "burglary_dwelling": "Burglary (dwelling)",
    "burglary_other": "Burglary (other)",
    "theft_of_vehicle": "Theft of a vehicle",
    "theft_from_vehicle": "Theft from a vehicle",
    "rape": "Rape",
    "other_sexual_offences": "Other sexual offences",
    "missing_person_child": "Missing persons (children)",
    "missing_person_adult": "Missing persons (adults)",
    "child_sexual_exploitation": "Child sexual exploitation",
    "high_risk_domestic_abuse": "High-risk domestic abuse (cases heard at MARAC)",
}

#: The five monitored strands of hate crime (Home Office, *Hate crime, England and Wales*); a
#: crime may be counted in more than one.
HATE_CRIME_STRANDS: dict[str, str] = {
    "race": "Race",
    "religion": "Religion",
    "sexual_orientation": "Sexual orientation",
    "disability": "Disability",
    "transgender": "Transgender identity",
}

#: Answers to "How safe do you feel ...?" (resident survey), safest first.
SAFETY_ANSWERS: tuple[str, ...] = (
    "Very safe",
    "Fairly safe",
    "Neither safe nor unsafe",
    "Fairly unsafe",
    "Very unsafe",
    "Don't know",
)
#: Answers to "Is there more or less crime than a year ago?".
CRIME_CHANGE_ANSWERS: tuple[str, ...] = ("More crime", "About the same", "Less crime", "Don't know")
#: Answers to "The police / the council deal with the issues that matter", agreement first.
AGREE_ANSWERS: tuple[str, ...] = (
    "Strongly agree",
    "Tend to agree",
    "Neither",
    "Tend to disagree",
    "Strongly disagree",
    "Don't know",
)
#: The ``problem_*`` questions of the resident survey ("is ... a problem in your area?").
SURVEY_PROBLEMS: tuple[str, ...] = (
    "problem_asb",
    "problem_drugs",
    "problem_alcohol",
    "problem_begging",
    "problem_rough_sleeping",
    "problem_litter",
    "problem_speeding",
    "problem_burglary",
    "problem_violence",
)

#: Services supervising a known offender, in display order, with their names.
SUPERVISING_SERVICES: dict[str, str] = {
    "IOM": "Integrated Offender Management",
    "NPS": "National Probation Service",
    "CRC": "Community Rehabilitation Company",
    "YOS": "Youth Offending Service",
    "none": "Not supervised",
}
#: Age bands of the known offenders file.
OFFENDER_AGE_BANDS: tuple[str, ...] = ("10-17", "18-24", "25-34", "35-49", "50+", "unknown")
#: Sexes recorded for known offenders.
SEXES: tuple[str, ...] = ("male", "female", "unknown")
#: Criminogenic needs recorded for offenders (OASys / AssetPlus areas), with their labels.
OFFENDER_NEEDS: dict[str, str] = {
    "need_relationships": "Relationships",
    "need_emotional_wellbeing": "Emotional wellbeing",
    "need_alcohol": "Alcohol misuse",
    "need_drugs": "Drug misuse",
    "need_accommodation": "Accommodation",
    "need_education_employment": "Education, training and employment",
}

#: Measures of the youth justice file, in the order the chapter tabulates them.
YOUTH_JUSTICE_MEASURES: tuple[str, ...] = (
    "first_time_entrants",
    "custodial_sentences",
    "population_10_17",
    "reoffending_cohort",
    "reoffenders",
    "reoffences",
)
#: How a rough sleeping figure was arrived at (MHCLG's autumn snapshot).
ROUGH_SLEEPING_METHODS: tuple[str, ...] = ("count", "estimate", "evidence-based estimate")
#: Channels of police calls for service.
CALL_CHANNELS: tuple[str, ...] = ("999", "101", "online")
#: Areas a national benchmark may describe.
BENCHMARK_AREAS: tuple[str, ...] = ("England", "England and Wales")

#: The safeguarding topics with few or no public figures: chapter 11's sections on them, in order,
#: with their titles. Each is also a topic id a partner narrative file may be named by
#: (``data/raw/partner/narrative/cuckooing.md``).
SAFEGUARDING_TOPICS: dict[str, str] = {
    "missing_children": "Missing children",
    "child_exploitation": "Child exploitation (sexual and criminal)",
    "modern_slavery": "Trafficking and modern slavery",
    "cuckooing": "Cuckooing",
    "female_genital_mutilation": "Female genital mutilation",
    "prevent": "Prevent",
}

#: What a partner may count on each topic in ``safeguarding_topics.csv``: measure -> (topic, label),
#: in the order a topic's table lists them. Each label names the thing counted in one year.
SAFEGUARDING_MEASURES: dict[str, tuple[str, str]] = {
    "missing_episodes": ("missing_children", "Missing episodes of children recorded by children's services"),
    "children_missing": ("missing_children", "Children reported missing at least once"),
    "missing_from_care": ("missing_children", "Missing episodes of children in care"),
    "return_interviews": ("missing_children", "Return home interviews completed"),
    "cse_referrals": ("child_exploitation", "Referrals for child sexual exploitation"),
    "cce_referrals": ("child_exploitation", "Referrals for child criminal exploitation"),
    "exploitation_panel_children": ("child_exploitation", "Children discussed at the multi-agency exploitation panel"),
    "nrm_referrals": ("modern_slavery", "Referrals to the National Referral Mechanism"),
    "nrm_child_referrals": ("modern_slavery", "Referrals to the National Referral Mechanism of children"),
    "modern_slavery_crimes": ("modern_slavery", "Modern slavery crimes recorded by the police"),
    "cuckooing_addresses": ("cuckooing", "Addresses identified as cuckooed"),
    "cuckooing_closure_orders": ("cuckooing", "Closure orders granted on cuckooed addresses"),
    "fgm_new_cases": ("female_genital_mutilation", "Newly recorded cases of FGM in the NHS FGM Enhanced Dataset"),
    "fgm_protection_orders": ("female_genital_mutilation", "FGM protection orders made"),
    "prevent_referrals": ("prevent", "Referrals to Prevent"),
    "channel_cases": ("prevent", "Cases adopted by the Channel panel"),
}


def topic_measures(topic: str) -> list[str]:
    """The measure codes of ``topic`` in :data:`SAFEGUARDING_MEASURES`, in order."""
    return [m for m, (t, _label) in SAFEGUARDING_MEASURES.items() if t == topic]


def label(vocabulary: Mapping[str, str], code: str) -> str:
    """The label of ``code`` in ``vocabulary``; an unknown code in sentence case
    (``"sexual_orientation"`` -> ``"Sexual orientation"``)."""
    return vocabulary.get(code, code.replace("_", " ").capitalize())
