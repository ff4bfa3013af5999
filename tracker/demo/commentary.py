"""What the demonstration's owners write: commentary composed from SEND-specific fragments.

Each action is matched to a topic by the words of its title (EHCP timeliness, the ND pathway,
preparation for adulthood, workforce training, the Local Offer, co-production with the Parent
Carer Forum and POWAR, sufficiency, commissioning, early help, inclusion), falling back to its
workstream. A ``Writer`` draws sentences for that topic from a seeded ``random.Random``, fills
in figures and months, and never gives one action the same sentence twice, so a year of updates
reads like a year of progress rather than one paragraph repeated.
"""

from __future__ import annotations

import random
from datetime import date

from tracker.formatting import MONTHS

_TOPIC_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("local_offer", ("local offer",)),
    ("nd", ("neurodive", "nd pathway", "diagnos", "waiting times")),
    ("ehcp", ("ehcp", "echp", "annual review", "invision", "educational psychology")),
    ("pfa", ("post 16", "post 19", "adulthood", "internship", "employer", "adult's")),
    ("coproduction", ("co-produc", "powar", "parent carer", "voice", "survey", "let's talk")),
    ("coproduction", ("roadshow", "engagement", "participation", "seldom heard")),
    ("sufficiency", ("capital plan", "send units", "special school", "nearest school")),
    ("commissioning", ("commissioning", "jsna")),
    ("early_help", ("family hubs", "early help", "public health", "leisure", "break time")),
    ("inclusion", ("exclusion", "unable to attend", "inclusivity", "exploitation")),
    ("workforce", ("training", "academy", "ordinarily available", "graduated approach")),
)
_WORKSTREAM_TOPIC = {
    "data_dashboard": "data",
    "ehcp_improvement": "ehcp",
    "nd_pathway": "nd",
    "communication_engagement": "coproduction",
    "preparation_for_adulthood": "pfa",
    "workforce_development": "workforce",
}

PROGRESS: dict[str, tuple[str, ...]] = {
    "ehcp": (
        "{pct}% of new EHCPs were issued within 20 weeks in {month}, against {pct2}% a quarter "
        "earlier.",
        "Two further Educational Psychologists started in {month}, bringing the service to "
        "{n} of its {n2} funded posts.",
        "The backlog of overdue Annual Reviews has fallen to {count}, and each has a named "
        "caseworker and a date.",
        "The Invision 360 audit of {n3} plans found {pct}% good or better; the themes have gone "
        "to the caseworker practice forum.",
        "Advice requests to health partners are now tracked weekly; {pct}% came back within six "
        "weeks in {month}.",
        "A second multi-agency audit panel, with the Designated Clinical Officer and a Parent "
        "Carer Forum representative, met in {month}.",
        "Caseworker caseloads are down to an average of {n3} following the restructure of the "
        "north and east teams.",
        "Parents now receive a named contact and a fortnightly update while the plan is drafted.",
    ),
    "nd": (
        "The ND pathway waiting list stood at {count} in {month}, down {n} from the previous "
        "month.",
        "Pre-diagnostic support sessions ran in {n} family hubs this cycle, attended by {n3} "
        "families.",
        "The needs-led referral form is live in all three localities; schools no longer need a "
        "diagnosis to refer for support.",
        "Waits of over 18 weeks for a first assessment fell to {count}; the longest waits are in "
        "the east locality.",
        "Post-diagnostic workshops, co-designed with the Parent Carer Forum, were rated helpful "
        "by {pct}% of parents who attended.",
        "The voluntary sector partner has taken on the neurodiversity helpline, which answered "
        "{n3} calls in {month}.",
        "The PINS learning has been shared with {n} primary schools through the inclusion hubs.",
    ),
    "pfa": (
        "{n} young people started a Supported Internship in September, with {n2} host employers "
        "across the county.",
        "The Post 16 pathways map was agreed with the four colleges in {month}.",
        "Preparing for Adulthood outcomes were present in {pct}% of Year 9 reviews sampled in "
        "{month}.",
        "The transition protocol between children's and adult social care was signed off by "
        "both directors.",
        "The Preparing for Adulthood pages of the Local Offer were rewritten with POWAR members "
        "and relaunched in {month}.",
        "Employer engagement events in Preston and Burnley recruited {n} new placement hosts.",
        "The opportunities directory now lists {n3} internships, apprenticeships and volunteering "
        "roles.",
    ),
    "workforce": (
        "{n3} staff completed SEND Academy modules this cycle; {pct}% rated them good or better.",
        "Ordinarily available provision training reached {n} SENCOs across {n2} clusters.",
        "The graduated approach toolkit was refreshed with feedback from {n} schools and "
        "published in {month}.",
        "Health visitors and school nurses joined the neurodiversity awareness programme; {n3} "
        "have now completed it.",
        "The training needs analysis for early years settings closed in {month} with {n3} "
        "responses.",
        "Confidence scores in the post-course survey rose from {score} to {score2} out of 5.",
        "A new module on writing outcomes for EHCPs was piloted with the north caseworker team.",
    ),
    "local_offer": (
        "Page views of the Local Offer rose to {count} in {month}; the most visited pages were "
        "on transport and short breaks.",
        "{n} Local Offer pages were reviewed with parent carers this cycle and {n2} rewritten "
        "in plain English.",
        "The 'you said, we did' page now shows the changes made since the last SEND survey.",
        "A feedback button on every page collected {n3} comments, each answered within ten "
        "working days.",
        "Search on the Local Offer was rebuilt after parents told us they could not find "
        "respite information.",
    ),
    "coproduction": (
        "The Parent Carer Forum co-chaired the {month} working group and signed off the draft "
        "together with officers.",
        "POWAR members interviewed candidates for two SEND Service posts in {month}.",
        "{n3} parent carers joined the termly 'Let's talk' sessions, up from {n} last term.",
        "The Four Cornerstones model was introduced to {n} service teams through joint sessions "
        "led by the Forum.",
        "The co-produced SEND survey closed with {count} responses, the highest so far.",
        "SEND roadshows ran in {n} family hubs; the questions raised are logged with answers.",
        "Seldom-heard families were reached through {n} community groups, including two for "
        "families whose first language is not English.",
        "The engagement strategy was agreed by the Transformation Board and published on the "
        "Local Offer.",
    ),
    "sufficiency": (
        "Two new SEND units opened in September, adding {n} places in the south locality.",
        "The capital plan was approved by Cabinet in {month}; design work on the first special "
        "school expansion has begun.",
        "Independent placements fell to {count}, {n} fewer than at the start of the year.",
        "The quality assurance visits to commissioned units found {n} of {n2} consistent with "
        "the service specification.",
        "Sufficiency modelling has been refreshed with the {month} census and EHCP forecasts.",
    ),
    "commissioning": (
        "The SEND JSNA refresh was presented to the Health and Wellbeing Board in {month}.",
        "The Joint Commissioning Network agreed {n} priorities for the coming year from the JSNA.",
        "The joint commissioning plan now has named leads in the council and the ICB for each "
        "recommendation.",
        "The Post 19 commissioning framework went to market in {month} with {n} providers "
        "expressing interest.",
        "The pooled budget arrangement for jointly funded placements was agreed by both "
        "finance directors.",
    ),
    "early_help": (
        "{n} family hubs now run a weekly SEND drop-in; {n3} families used them in {month}.",
        "The Early Help SEND pathway was piloted in the central locality with {n} schools.",
        "Break Time sessions reached {n3} children and young people this term.",
        "Health visiting teams now complete the two-year check with a SEND prompt in {pct}% "
        "of visits.",
        "Family hubs staff completed the SEND awareness module; {pct}% report feeling more "
        "confident.",
    ),
    "inclusion": (
        "The inclusion hub reviewed {n} pupils at risk of exclusion in {month}; {n2} remain in "
        "their school with an agreed plan.",
        "Medical needs decisions are now made at a weekly panel, with parents told the outcome "
        "within five working days.",
        "Suspensions of pupils with EHCPs fell by {pct}% compared with the same term last year.",
        "The reintegration protocol was agreed with the Pupil Referral Units in {month}.",
        "{n} schools have signed up to the inclusive schools charter.",
    ),
    "data": (
        "The SEND dashboard now refreshes weekly from the case management system.",
        "{n} of the 35 success measures are now reported automatically on the dashboard.",
        "Data quality checks found {n} duplicate records, which have been corrected at source.",
        "The locality breakdown of EHCP timeliness was added to the dashboard in {month}.",
        "Health data on waiting times is now shared monthly under the new data sharing agreement.",
        "The early identification pilot in {n} schools is using SEN Support data to target "
        "outreach.",
    ),
}

OPENERS: tuple[str, ...] = (
    "Since the last board, ",
    "This cycle, ",
    "In {month}, ",
    "",
    "",
    "Update for {month}: ",
    "Progress continues: ",
    "",
)

CONCERNS: tuple[str, ...] = (
    "Recruitment to the two vacant posts has not succeeded and agency cover ends in {month2}.",
    "Demand has risen faster than forecast: new requests are {pct}% above last year.",
    "Health advice is still arriving late for about one plan in four.",
    "The delivery partner's contract ends before the work is finished and extension is not "
    "yet agreed.",
    "Capacity in the team has been diverted to the inspection response this cycle.",
    "Sign-off from the ICB has been delayed until the next Quality Committee.",
    "Schools in the east locality have taken up the offer more slowly than planned.",
    "The data extract needed for this work is not yet available from the new system.",
    "Funding for the second year has not yet been confirmed in the budget round.",
    "Feedback from families shows the change is not yet felt on the ground.",
)

PATHS_TO_GREEN: tuple[str, ...] = (
    "Agency caseworkers start in {month2}; the backlog should clear within two cycles.",
    "Interim funding has been requested from the Transformation Board; if agreed, work resumes "
    "in {month2}.",
    "A recovery plan with weekly milestones is in place and reported to the Operations Board.",
    "The Designated Clinical Officer is escalating late health advice with each provider.",
    "Scope reduced to the two localities with most need first; the remainder follows in {month2}.",
    "A joint post with the ICB is out to advert, closing in {month2}.",
    "The Head of SEND Service is meeting the provider monthly until delivery is back on plan.",
    "Additional sessions have been booked for {month2} to make up the shortfall.",
)

NEXT_STEPS: tuple[str, ...] = (
    "Report the {month2} figures to the next Operations Board.",
    "Agree the final draft with the Parent Carer Forum before publication.",
    "Present the evaluation to the Transformation Board in {month2}.",
    "Extend the pilot to the remaining localities.",
    "Review the survey results with POWAR and agree three changes.",
    "Finalise the specification and start procurement.",
    "Share the learning with SENCOs at the termly network meeting.",
    "Complete the audit of the remaining plans by {month2}.",
    "Publish the update on the Local Offer.",
    "Confirm funding for next year with finance colleagues.",
)

CLOSING_NOTES: tuple[str, ...] = (
    "Complete: delivered as planned and signed off by the board; ongoing work moves into "
    "business as usual.",
    "Complete: the final version was published in {month} after review with the Parent Carer "
    "Forum.",
    "Complete: evaluation shows the intended change; monitoring continues through the success "
    "measures.",
    "Complete: handed over to the service team, with a review date in six months.",
)

DUE_DATE_REASONS: tuple[str, ...] = (
    "Delayed by recruitment: the post was filled three months later than planned.",
    "Extended to allow co-production with the Parent Carer Forum, at their request.",
    "Moved to align with the new academic year so schools can take part.",
    "The ICB's procurement timetable has moved; the date follows it.",
    "Re-planned after the inspection response took priority for two months.",
    "Extended so that the pilot can be evaluated before roll-out.",
)

ESCALATION_REASONS: tuple[str, ...] = (
    "Red for two cycles with no agreed funding to recover; the board is asked to decide on "
    "interim resources.",
    "Delivery depends on a decision outside this board's authority (joint funding with the ICB).",
    "Statutory timeliness is at risk; the board is asked to note and support the recovery plan.",
)

# Sentence openings that read as lower case after "Since the last board, "; anything else (a
# name such as POWAR, a figure) keeps its capital.
_COMMON_WORDS = frozenset(
    [
        "The",
        "Two",
        "A",
        "Parents",
        "Page",
        "Caseworker",
        "Advice",
        "Waits",
        "Data",
        "Medical",
        "Search",
        "Suspensions",
        "Confidence",
        "Independent",
        "Sufficiency",
        "Employer",
        "Family",
        "Ordinarily",
        "Pre-diagnostic",
        "Post-diagnostic",
        "Seldom-heard",
    ]
)


def topic_for(title: str, workstream_key: str | None) -> str:
    """The fragment bank an action's commentary is drawn from."""
    lowered = title.lower()
    for topic, words in _TOPIC_WORDS:
        if any(word in lowered for word in words):
            return topic
    return _WORKSTREAM_TOPIC.get(workstream_key or "", "data")


def month_name(day: date) -> str:
    return MONTHS[day.month - 1]


class Writer:
    """Composes one action's texts; remembers what it has said so it does not say it again."""

    def __init__(self, rng: random.Random, *, topic: str) -> None:
        self._rng = rng
        self._topic = topic
        self._used: set[str] = set()

    def _pick(self, options: tuple[str, ...]) -> str:
        fresh = [o for o in options if o not in self._used] or list(options)
        choice = self._rng.choice(fresh)
        if choice:
            self._used.add(choice)
        return choice

    def _fill(self, template: str, when: date) -> str:
        r = self._rng
        later = date(when.year + (when.month + 1) // 12, (when.month + 1) % 12 + 1, 1)
        return template.format(
            month=month_name(when),
            month2=month_name(later),
            n=r.randint(3, 14),
            n2=r.randint(15, 30),
            n3=r.randint(40, 260),
            count=r.randint(180, 1900),
            pct=r.randint(52, 88),
            pct2=r.randint(35, 60),
            score=f"{r.uniform(2.6, 3.3):.1f}",
            score2=f"{r.uniform(3.5, 4.3):.1f}",
        )

    def commentary(self, *, rag: str, when: date) -> str:
        opener = self._fill(self._pick(OPENERS), when)
        first = self._fill(self._pick(PROGRESS[self._topic]), when)
        if opener:
            word = first.split(" ", 1)[0]
            first = opener + (first[0].lower() + first[1:] if word in _COMMON_WORDS else first)
        parts = [first]
        if not opener or self._rng.random() < 0.5:
            parts.append(self._fill(self._pick(PROGRESS[self._topic]), when))
        if rag in ("amber", "red"):
            parts.append(self._fill(self._pick(CONCERNS), when))
        return " ".join(parts)

    def path_to_green(self, when: date) -> str:
        return self._fill(self._pick(PATHS_TO_GREEN), when)

    def next_steps(self, when: date) -> str:
        return self._fill(self._pick(NEXT_STEPS), when)

    def closing_note(self, when: date) -> str:
        note = self._fill(self._pick(CLOSING_NOTES), when)
        evidence = self._fill(self._pick(PROGRESS[self._topic]), when)
        return f"{note} {evidence}"

    def due_date_reason(self) -> str:
        return self._pick(DUE_DATE_REASONS)

    def escalation_reason(self) -> str:
        return self._pick(ESCALATION_REASONS)
