"""Synthetic partner words for Wessex Vale: an account of every chapter and of four safeguarding
topics, the partners' counts on the topics, and the partnership's recommendations.

Written by ``assess demo`` beside the other partner files (formats in ``data/raw/README.md``).
Every text says it is synthetic: each account opens with :data:`SYNTHETIC_NOTE`, each author is
marked "(fictional)", each count's source says it is a synthetic demonstration figure, and the
recommendations file opens with a comment saying so. The organisations, schemes and figures are
invented, modelled on the kind of work a partnership reports (Southampton Safe City Partnership's
strategic assessment, 2016/17). The topics are chosen to show every case chapter 11 handles:
counts and an account (missing children, child exploitation, cuckooing), counts alone (trafficking
and modern slavery), an account alone (Prevent) and neither (female genital mutilation).
"""

from __future__ import annotations

from dataclasses import dataclass

from assess.demo.geography import rng_for

SYNTHETIC_NOTE = (
    "*Synthetic demonstration text, written by `assess demo`: Wessex Vale, its partners, their schemes "
    "and every figure below are invented.*"
)
SYNTHETIC_SOURCE = "Synthetic demonstration figure (modelled on {})"


@dataclass(frozen=True)
class DemoAccount:
    """One partner narrative file: its author, date, optional title and Markdown text."""

    author: str
    date: str  # YYYY-MM-DD
    text: str
    title: str | None = None

    def markdown(self) -> str:
        """The file's text: the front matter, the synthetic note, then the account."""
        front = [f"author: {self.author}", f"date: {self.date}"] + ([f"title: {self.title}"] if self.title else [])
        return "---\n" + "\n".join(front) + "\n---\n" + SYNTHETIC_NOTE + "\n\n" + self.text.strip() + "\n"


CSP = "Wessex Vale Community Safety Partnership (fictional)"
POLICE = "Wessex Police, Wessex Vale district (fictional)"
COUNCIL = "Wessex Vale Council, Community Safety Team (fictional)"
YOS = "Wessex Vale Youth Offending Service (fictional)"
PROBATION = "Wessex Vale Probation Delivery Unit (fictional)"
SAFEGUARDING = "Wessex Vale Safeguarding Children Partnership (fictional)"
DOMESTIC_ABUSE = "Wessex Vale Domestic Abuse Partnership (fictional)"
SUBSTANCE = "Wessex Vale Drug and Alcohol Partnership (fictional)"
HOUSING = "Wessex Vale Council, Housing Options (fictional)"

#: The accounts, by the name of the file they are written to (a chapter name or a topic id).
ACCOUNTS: dict[str, DemoAccount] = {
    "00_summary": DemoAccount(CSP, "2025-06-02", title="What the partnership will do with this assessment", text="""
The partnership board read this assessment at its June meeting. Three things stood out to its members:
violence in the town centre at night, the exploitation of children and of vulnerable adults by drug
dealing networks, and the number of young people still entering the justice system.

The board agreed the recommendations listed under each priority of this summary. Each names the
organisation that leads it and the findings it rests on, and each will be reported on at the board's
quarterly meetings. The Community Safety Team will refresh this assessment every year from the same
inputs, so that the board can see whether what it does makes a difference.
"""),
    "01_recorded_crime": DemoAccount(POLICE, "2025-05-14", text="""
Wessex Police changed its crime recording system in the autumn of 2023. The district commander's view
is that part of the rise in recorded crime since then reflects better recording of crimes reported
online (about **1 in 8 reports** now arrive that way), rather than more crime.

The district's **Operation Lantern** patrols on Friday and Saturday nights continued all year, with
officers and street pastors working from a shared base in the town centre.
"""),
    "02_offence_types": DemoAccount(POLICE, "2025-05-14", text="""
Shoplifting rose again, mostly in the two retail parks, where the **Business Crime Partnership** now shares
images of prolific offenders with its 46 member shops. Burglary continued to fall after the
*Lock It, Light It* campaign reached about 9,000 homes in the wards most affected.

Knife crime is discussed at the monthly serious violence meeting, which brings together the police,
the council, health and education under the Serious Violence Duty.
"""),
    "03_places": DemoAccount(COUNCIL, "2025-05-20", text="""
The partnership's neighbourhood problem-solving meetings focus on the wards and streets this chapter
shows to be the busiest. The **car-park lockdown pilot** (closing two multi-storey car parks between
midnight and 6am) ran for six months; the council's own count is that reports of damage and anti-social
behaviour in them fell from 41 to 12 over the pilot.
"""),
    "04_perceptions": DemoAccount(COUNCIL, "2025-05-20", text="""
The resident survey is run by the council every year in the autumn. Residents' comments most often
mention poor street lighting and groups gathering in parks after dark. The council replaced about
300 street lights with brighter LED units in the areas residents named, and the survey will be used
to see whether feelings of safety after dark change where they were replaced.
"""),
    "05_offenders": DemoAccount(PROBATION, "2025-05-16", text="""
The **Integrated Offender Management** scheme manages about 120 of the people who commit the most crime
in Wessex Vale, jointly by the police and probation. The scheme's own figures show that people who stay
with it for a year are convicted of fewer offences than before they joined, although the scheme selects
those most likely to reoffend, so the comparison is not a test of it.

Accommodation remains the need that most often stands in the way: the scheme's housing worker found
homes for 37 people leaving prison this year.
"""),
    "06_young_people": DemoAccount(YOS, "2025-05-15", title="Diverting young people from the justice system", text="""
The **Joint Decision Making Panel** of the police and the Youth Offending Service meets every week to
decide how a young person who has admitted an offence should be dealt with. The panel diverted
64 young people to an intervention outside the courts this year, which the service believes is the main
reason first-time entrants to the youth justice system keep falling.

The **deferred sentence strategy**, agreed with the magistrates, gives a young person who complies with
a plan for six months the chance of a lesser sentence: of the 18 young people deferred, 14 completed
their plan.
"""),
    "07_anti_social_behaviour": DemoAccount(COUNCIL, "2025-05-20", text="""
The council and the police hold a weekly anti-social behaviour case review. **Operation Bulkhead**, on
street begging in the town centre, paired enforcement with an offer of support from outreach workers:
the team met 52 people begging, and 19 took up an offer of accommodation or treatment.

Where a victim has reported three incidents in six months, the *community trigger* lets them ask for a
review of the case; the council received 11 such requests this year.
"""),
    "08_hate_crime": DemoAccount(CSP, "2025-05-22", text="""
Hate crime is under-reported. The partnership funds **third-party reporting centres** (in the library,
two community centres and the college) where someone can report a hate incident without going to the
police; the centres took 38 reports this year, 21 of them about disability.

The partnership's hate crime forum reviews every report from the centres each quarter, with the police,
the council's equality officer and community representatives.
"""),
    "09_begging_rough_sleeping": DemoAccount(HOUSING, "2025-05-19", text="""
The street outreach team counted rough sleepers on one night in November, as the government asks, and
also keeps a list of everyone it meets sleeping rough during the year: 148 people this year, most of
them for a few nights only.

The **Somewhere Safe to Stay** hub opened in January with eight beds for people at risk of sleeping rough
for the first time. Begging and rough sleeping are different problems: most people the team met begging
had somewhere to stay.
"""),
    "10_drugs_alcohol": DemoAccount(SUBSTANCE, "2025-05-21", text="""
The partnership adopted its **Drug and Alcohol Strategy** in 2023, under the national strategy *From harm
to hope*. The treatment service had 1,240 adults in treatment this year, and its naloxone programme gave
kits to 310 people at risk of overdose and to their families.

Every drug-related death is reviewed by a panel of the treatment service, public health, the police and
the coroner's officer, which looks for what might have been done differently.

The town centre's late-night licensed premises take part in a **Best Bar None** scheme; see the
[chapter on anti-social behaviour](07_anti_social_behaviour.html) for the town centre at night.
"""),
    "11_vulnerable_people": DemoAccount(DOMESTIC_ABUSE, "2025-05-23", text="""
The Multi-Agency Risk Assessment Conference (**MARAC**) met fortnightly until September 2024 and now
meets every weekday morning as the **daily high-risk domestic abuse meeting**, so that a victim at the
highest risk is discussed within one working day of the police or another agency identifying them.
The meeting hears more cases than the fortnightly conference did, which the partnership reads as
earlier identification rather than more abuse.

The independent domestic violence advisers supported 610 victims; two in three said they felt safer
when their case closed.
"""),
    "12_scorecard": DemoAccount(CSP, "2025-06-02", text="""
The board set the scorecard's targets in 2023, before the change in police recording described in the
chapter on recorded crime. It will review the all-crime target when two full years of the new system
are available, rather than read a red rating against it as a rise in crime.
"""),
    "13_appendix_reconciliation": DemoAccount(POLICE, "2025-05-14", text="""
The district's analysts check every quarter that the street-level data they publish agree with the
force's recorded crime return to the Home Office. Crimes with no location, and those recorded at the
police station rather than where they happened, are the usual reasons the two differ.
"""),
    "missing_children": DemoAccount(SAFEGUARDING, "2025-05-27", text="""
Every child who goes missing is offered a **return home interview** by an independent worker within 72
hours of coming back. Children in care go missing most often: the children's services' figures show
that eight children accounted for about a third of all episodes this year, and each of them has a
safety plan reviewed at the exploitation panel.
"""),
    "child_exploitation": DemoAccount(SAFEGUARDING, "2025-05-27", title="Exploitation, sexual and criminal", text="""
The **multi-agency exploitation panel** meets monthly to discuss every child thought to be at risk of
sexual or criminal exploitation, and the places and people linked to them. Referrals for criminal
exploitation (children made to carry drugs or money, often out of the area along *county lines*) now
outnumber those for sexual exploitation.

The panel's partners trained 420 staff of schools, shops, taxis and hotels this year to spot the signs.
"""),
    "cuckooing": DemoAccount(POLICE, "2025-05-14", text="""
*Cuckooing* is the taking over of a vulnerable person's home by drug dealers to sell drugs from it. The
district's neighbourhood teams, the council's housing officers and adult social care now share every
address of concern at a fortnightly meeting.

Where a tenant is at risk, the council can seek a **closure order** on the address for up to three
months while the tenant is supported elsewhere. The district identified more cuckooed addresses this
year, which officers attribute to the training of housing staff rather than to more cuckooing.
"""),
    "prevent": DemoAccount(COUNCIL, "2025-05-20", text="""
The council chairs the **Channel panel**, which decides what support to offer a person referred to
Prevent as at risk of being drawn into terrorism. The Home Office publishes Prevent figures for police
force areas only, and the numbers for Wessex Vale are small; the partnership has not published them.

The council's Prevent coordinator trained staff of every secondary school and the college this year,
as the [Prevent duty guidance](https://www.gov.uk/government/publications/prevent-duty-guidance)
requires.
"""),
}

#: The measures of ``safeguarding_topics.csv`` in the demo: each one's topic, mean in the first
#: year, change a year, and the record it is modelled on.
_TOPIC_COUNTS: dict[str, tuple[str, float, float, str]] = {
    # measure: (topic, first-year mean, change per year, what it is modelled on)
    "missing_episodes": ("missing_children", 430.0, 12.0, "children's services' missing episode records"),
    "children_missing": ("missing_children", 150.0, 4.0, "children's services' missing episode records"),
    "missing_from_care": ("missing_children", 190.0, 10.0, "children's services' missing episode records"),
    "return_interviews": ("missing_children", 330.0, 20.0, "the return home interview service's records"),
    "cse_referrals": ("child_exploitation", 42.0, -2.0, "the multi-agency safeguarding hub's referrals"),
    "cce_referrals": ("child_exploitation", 36.0, 11.0, "the multi-agency safeguarding hub's referrals"),
    "exploitation_panel_children": ("child_exploitation", 28.0, 5.0, "the exploitation panel's minutes"),
    "nrm_referrals": ("modern_slavery", 26.0, 4.0, "Home Office National Referral Mechanism statistics"),
    "nrm_child_referrals": ("modern_slavery", 9.0, 1.5, "Home Office National Referral Mechanism statistics"),
    "modern_slavery_crimes": ("modern_slavery", 17.0, 2.0, "police recorded modern slavery crimes"),
    "cuckooing_addresses": ("cuckooing", 18.0, 7.0, "the police and housing cuckooing register"),
    "cuckooing_closure_orders": ("cuckooing", 2.5, 0.8, "the council's closure order records"),
}
TOPIC_YEARS = ("2021/22", "2022/23", "2023/24", "2024/25")


def safeguarding_topics(seed: int) -> list[tuple]:
    """Rows (topic, financial_year, measure, count, source) of safeguarding_topics.csv: four years of
    each demo measure (Poisson counts about a linear trend), sources marked synthetic."""
    rng = rng_for(seed, "partner/safeguarding_topics")
    rows = []
    for measure, (topic, level, slope, modelled_on) in _TOPIC_COUNTS.items():
        source = SYNTHETIC_SOURCE.format(modelled_on)
        for k, fy in enumerate(TOPIC_YEARS):
            rows.append((topic, fy, measure, int(rng.poisson(max(level + slope * k, 0.5))), source))
    return rows


def narrative_files() -> dict[str, bytes]:
    """The narrative files of the demo, by file name (``06_young_people.md`` ...)."""
    return {f"{key}.md": account.markdown().encode("utf-8") for key, account in ACCOUNTS.items()}


RECOMMENDATIONS_YAML = """\
# Recommendations of the Wessex Vale Community Safety Partnership.
# SYNTHETIC DEMONSTRATION DATA: the recommendations of a fictional partnership.
# Each: priority (the number of a priority in config/csp/wessex-vale.yaml, from 1, or its exact
# text), recommendation (Markdown), metrics (the ids of the findings it rests on, as in
# metrics.json) and, optionally, lead (the organisation that leads it). See data/raw/README.md.
recommendations:
  - priority: 1
    recommendation: >-
      Extend **Operation Lantern** to Thursday nights and to the two wards next to the town centre,
      and review it after six months against public-place violence and violence with injury.
    metrics: [public_place_violence, violence_with_injury]
    lead: Wessex Police (fictional)
  - priority: 1
    recommendation: >-
      Keep the **daily high-risk domestic abuse meeting**, and fund two more independent domestic
      violence advisers so that every victim heard there is offered one within a day.
    metrics: [high_risk_domestic_abuse, domestic_abuse, domestic_violence_share]
    lead: Wessex Vale Domestic Abuse Partnership (fictional)
  - priority: 2
    recommendation: >-
      Run joint problem-solving in the three wards with the highest rates of anti-social behaviour,
      and pair enforcement on begging with an offer of support, as Operation Bulkhead did.
    metrics: [anti_social_behaviour, begging_incidents]
    lead: Wessex Vale Council (fictional)
  - priority: Reduce the harm caused by drugs and alcohol
    recommendation: >-
      Refresh the Drug and Alcohol Strategy, with naloxone for everyone leaving prison and a review of
      every drug-related death within three months.
    metrics: [drug_related_deaths_rate, alcohol_related_violence]
    lead: Wessex Vale Drug and Alcohol Partnership (fictional)
  - priority: 4
    recommendation: >-
      Bring the exploitation panel, the missing children service and the cuckooing meeting together
      in one **exploitation hub**, so that a child or adult at risk is known to all three.
    metrics: [child_sexual_exploitation, missing_person_child]
    lead: Wessex Vale Safeguarding Children Partnership (fictional)
  - priority: 4
    recommendation: >-
      Open two more third-party hate crime reporting centres, one of them run by and for disabled people.
    metrics: [hate_crime, hate_crime_disability]
    lead: Wessex Vale Community Safety Partnership (fictional)
  - priority: 5
    recommendation: >-
      Keep the **Joint Decision Making Panel** and the deferred sentence strategy, and report to the
      board each year on the young people they divert.
    metrics: [first_time_entrants, youth_reoffending_rate]
    lead: Wessex Vale Youth Offending Service (fictional)
  - priority: 5
    recommendation: >-
      Give the Integrated Offender Management scheme a second housing worker for people leaving prison.
    metrics: [adult_reoffending_rate, repeat_offender_share]
    lead: Wessex Vale Probation Delivery Unit (fictional)
"""

