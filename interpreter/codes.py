"""Every diagnostic code, its short title, and the long explanation `safeproc explain` shows.

Codes are stable: a code once published keeps its meaning. They are grouped by
stage: P0xx reading and syntax, P1xx names, P2xx the shape of the flow.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    title: str
    explanation: str


CODES: dict[str, Code] = {
    # ---- reading the file and its syntax ------------------------------------
    "P001": Code(
        "file is not UTF-8 text",
        """safeproc reads procedures as plain text in the UTF-8 encoding. This file has
bytes that are not valid UTF-8, usually because it was saved by a word processor
or in an older encoding such as Windows-1252.

Open the file in a text editor and save it with the encoding UTF-8. Do not write
procedures in a word processor: it adds formatting that is not part of the text.""",
    ),
    "P002": Code(
        "file is not text",
        """The file looks like a binary file (a document, an image or a program), not a
procedure written as text. Check that you gave the right file name: procedures
end in `.proc` and open in any text editor.""",
    ),
    "P003": Code(
        "file is empty",
        """The file has nothing in it but spaces or blank lines. A procedure starts with a
header, for example:

    procedure "Child Safeguarding Practice Reviews"
      source "Pan-Sussex procedures, chapter 1.1"
      calendar england-and-wales
    end""",
    ),
    "P004": Code(
        "no procedure header",
        """Every procedure file begins with a header block that gives its title and,
optionally, its source, version, calendar and the national guidance it
implements:

    procedure "Child Safeguarding Practice Reviews"
      source "Pan-Sussex procedures, chapter 1.1"
      version "December 2023"
      calendar england-and-wales
      implements working_together_2023
    end""",
    ),
    "P005": Code(
        "file beyond safeproc's limits",
        """safeproc refuses, at once, a file that passes limits no real procedure or case
comes near: more than 50 MB of text, more than 200,000 declarations, or a title
longer than 10,000 characters. Such a file is almost always the wrong file, or
one made by a program gone wrong; reading it would take minutes and gigabytes.
The diagnostic points at the first place a limit is passed.""",
    ),
    "P010": Code(
        "unexpected word or symbol",
        """The parser found something it did not expect at this point. The message says
what it found and the label under it says what could come there instead.

Common causes: a clause written outside its block (after `end`), a missing
`end` on the block above, or a misspelt keyword (`cite` for `cites`).""",
    ),
    "P011": Code(
        "block not closed",
        """Steps, decisions, parallel splits, joins and the procedure header are blocks:
they start with their keyword and finish with a line that says `end`.

    step submit_sin "Submit the notification"
      by la_head
      next rapid_review
    end

The block named in the message reached the next declaration (or the end of the
file) without its `end`.""",
    ),
    "P012": Code(
        "branch without `->`",
        """A branch of a decision says which step a case goes to when its condition holds,
with an arrow between them:

    when child_died and abuse_suspected -> submit_sin
    otherwise -> no_further_action

The arrow is a hyphen followed by a greater-than sign.""",
    ),
    "P013": Code(
        "title missing its closing quote",
        """Titles and other text are written between straight double quotes, on one line:

    step submit_sin "Submit the Serious Incident Notification"

This title starts with a quote but the line ends before the closing one. If the
text itself contains a double quote, write it as \\".""",
    ),
    "P014": Code(
        "character not allowed here",
        """This character is not part of the language at this point. Names are made of
letters, digits and underscores (`scp_manager`); text goes between straight
double quotes; comments start with `#`. Curly quotes pasted from a word
processor are a common cause.""",
    ),
    "P015": Code(
        "nested too deeply",
        """A condition has brackets inside brackets more than fifty levels deep. No rule in
a procedure needs that; it usually means brackets were pasted by mistake. Split
the condition into simpler branches.""",
    ),
    "P016": Code(
        "keyword used as a name",
        """Some words begin declarations or build conditions (`step`, `role`, `end`, `and`,
`or`, `not`, `is`, `yes`, `no`, ...) and cannot also be names. Choose another
name, for example `end_of_review` instead of `end`.""",
    ),
    "P017": Code(
        "date that does not exist",
        """Dates are written year-month-day (2024-02-29), and the date must exist: there is
no 30 February, and 29 February only in leap years.""",
    ),
    "P018": Code(
        "file ends too soon",
        """The file ends in the middle of a declaration: a line is incomplete. The label
says what was still expected.""",
    ),
    "P019": Code(
        "duty written the wrong way",
        """How strong a duty is comes from the source's own words: `must`, `should` or
`may`. In a step it is written as a phrase that reads aloud:

    must be done by la_head
    should be done within 15 working days after submit_sin""",
    ),
    "P020": Code(
        "length of time without a unit",
        """A length of time is a number and a unit: working days, days, weeks, months,
years or hours (singular for one: `1 working day`). Procedures often mean
working days where they say days; write what the source means.""",
    ),
    "P021": Code(
        "deadline without a length of time",
        """A deadline says how long, and counted from what:

    within 5 working days after aware
    at least 7 working days before publication
    for at least 1 year after publication""",
    ),
    "P022": Code(
        "declaration without a name",
        """Every declaration has a name that other lines use to refer to it, then an
optional title in quotes:

    step submit_sin "Submit the Serious Incident Notification"

Names are letters, digits and underscores, and start with a letter.""",
    ),
    "P023": Code(
        "number too large",
        """A number in a deadline or condition is larger than any procedure could mean.
Check for a typing mistake.""",
    ),
    "P024": Code(
        "closure that ends before it starts",
        """A local closure period (`closed on 2026-12-29 to 2026-12-31`) gives its first and
last days in that order.""",
    ),
    "P025": Code(
        "clause given twice",
        """A step has one owner and one `next` step; a decision has one `otherwise`; the
header has one title, source, version and calendar. Keep one of the two lines.""",
    ),
    "P026": Code(
        "closure outside the calendar's years",
        """A local closure day (`closed on 2026-12-24`) falls outside the years safeproc's
working-day calendar knows, 1995 to 2074: it could never move a deadline, and is
most likely a typing mistake in its year (2204 for 2024).""",
    ),
    # ---- names ---------------------------------------------------------------
    "P101": Code(
        "unknown step",
        """A `next`, a branch, `otherwise`, a parallel branch, `escalate to` or `start at`
names a step that this procedure does not declare. Check the spelling against
the step's declaration, or declare it:

    step rapid_review "Carry out the rapid review"
      ...
    end""",
    ),
    "P102": Code(
        "unknown role",
        """A `by`, `notify` or group membership names a role that this procedure does not
declare. Declare it near the top of the file:

    role scp_manager "SCP Manager"
    external role national_panel "Child Safeguarding Practice Review Panel"
    group leads "The three safeguarding leads" of social_care, nhs, police""",
    ),
    "P103": Code(
        "unknown fact",
        """A condition tests a fact of the case that this procedure does not declare.
Declare it with its type:

    fact child_died "The child has died" is yes or no
    fact crg_view "The CRG's view" is one of notify, do_not_notify, split
    fact age "The care leaver's age" is a number""",
    ),
    "P104": Code(
        "unknown event or step in a deadline",
        """A deadline counts from an event (something that happens outside the
procedure, such as the local authority becoming aware) or from a step being
done. The name it counts from is not declared. Declare an event with:

    event aware "The local authority first becomes aware of the incident\"""",
    ),
    "P105": Code(
        "name declared twice",
        """All roles, facts, events, steps, decisions and outcomes share one set of names,
so that each name means one thing. Rename one of the two declarations.""",
    ),
    "P106": Code(
        "name of the wrong kind",
        """The name exists but is the wrong kind of thing for this place: `next` and
branches lead to steps, decisions or outcomes; `by` and `notify` name roles;
conditions test facts; deadlines count from events or steps. A common mistake
is `next crg` (a role) where the step that the CRG does was meant.""",
    ),
    "P107": Code(
        "value that is not one of the fact's choices",
        """A condition compares a fact with a value that is not among the choices the
fact declares. Check the spelling against the fact's `is one of` list.""",
    ),
    "P108": Code(
        "fact used against its type",
        """Yes-or-no facts are tested on their own (`child_died`, `not child_died`); facts
with choices with `is` (`crg_view is split`); numbers with a comparison
(`age < 18`). This condition tests the fact in a way its type does not allow.""",
    ),
    "P109": Code(
        "second procedure header",
        """A file describes one procedure, so it has one `procedure ... end` header.""",
    ),
    "P110": Code(
        "second start",
        """A procedure starts at one place. When cases come to light in different ways,
start at a decision on how the case came to light, with a branch for each way.""",
    ),
    "P111": Code(
        "unknown calendar",
        """The calendar decides which days are working days. The calendars are
england-and-wales (the default), scotland and northern-ireland.""",
    ),
    # ---- the shape of the flow -----------------------------------------------
    "P201": Code(
        "no start",
        """The procedure does not say where a case begins. Add `start at <step>` naming
the first step or decision.""",
    ),
    "P202": Code(
        "step that can never be reached",
        """No path from the start leads to this step, so the rule it encodes can never
apply to a case. Usually a `next` or a branch that should lead here names
another step, or the step was added and never linked in.""",
    ),
    "P203": Code(
        "dead end",
        """From this step no path leads to an outcome: a case that gets here never
finishes. Either the step has no `next`, or every path from it goes round in a
loop. Every path through a procedure ends in an `outcome`.""",
    ),
    "P204": Code(
        "decision that leaves a case nowhere to go",
        """For some facts none of the decision's branches holds and there is no
`otherwise`, so a case with those facts would stop there. The message gives such
facts as an example. safeproc tries every value that matters of the facts the
decision tests (both answers of a yes-or-no fact, each choice, and a number at
the constants it is compared with and either side), so a decision whose
branches cover every case, however they are written, gets no diagnostic.

In a decision that must be taken (`must be done by ...`) this is an error;
otherwise a warning. Add a branch for those facts, or `otherwise -> <step>`.""",
    ),
    "P205": Code(
        "role never used",
        """The role is declared but nothing names it: no step is done `by` it, no
escalation notifies it, and no group used in the procedure includes it.
Delete it, or give it the steps it owns.""",
    ),
    "P206": Code(
        "fact never used",
        """The fact is declared but no decision tests it, so it cannot change what
happens to a case. Delete it, or test it where it matters.""",
    ),
    "P207": Code(
        "event never used",
        """The event is declared but no deadline counts from it. Delete it, or use it:
`within 5 working days after <event>`.""",
    ),
    "P208": Code(
        "`must` with nobody to do it",
        """A step or decision that must be done needs a role responsible for it, so that
the simulation can say who is late and the flowchart where to draw it:
`must be done by <role>`.""",
    ),
    "P209": Code(
        "parallel split with one branch",
        """A parallel split starts two or more branches that run at the same time. With
one branch it is only a `next`.""",
    ),
    "P210": Code(
        "join that joins nothing",
        """A join is where two or more arrows meet: from the branches of a parallel
split, or from the branches of a decision. `waits for all` opens once every arrow
into it has arrived or can no longer arrive for the case (a decision on its way
went elsewhere), and at least one has arrived; `waits for any` opens on the first.
Fewer than two arrows lead to this one, so it joins nothing; lead each branch to
it with `next`, or remove it.""",
    ),
    "P212": Code(
        "branch that can never be taken",
        """Branches are tried in the order they are written, and the first whose
condition holds is taken. This branch is never taken: either its condition
cannot hold for any facts (often `and` written for `or`, or a fact tested both
ways), or every case it holds for meets a branch written before it, which is
named with an example. A rule of the source that the procedure never applies is
usually a mistake in the encoding.""",
    ),
    "P214": Code(
        "branches that overlap",
        """For some facts, given as an example, the conditions of two branches that
lead to different steps both hold. The branch written first wins, so the
procedure does say where such a case goes, but only by the order of the lines.
Where the source gives that order, say so: `# allow P214: <why>` on the line
above the later branch. Otherwise make the conditions exclude each other.""",
    ),
    "P213": Code(
        "two outcomes for one case",
        """Two branches of a parallel split can each reach an outcome, so a case with the
facts given as an example would end twice. A case has one outcome. If one branch
only runs alongside the others, end it with `this branch ends`; if reaching one
outcome settles the case whatever else is happening, mark it `outcome NAME
"Title" ends the whole case`. The path shows which decisions lead there.""",
    ),
    "P215": Code(
        "case that can finish without an outcome",
        """For the facts given as an example, every branch the case is on ends with
`this branch ends`, so the case finishes without reaching an outcome. At least
one branch of each parallel split should go on to an outcome.""",
    ),
    "P216": Code(
        "step no case reaches",
        """A path in the procedure leads to this step, but no facts do: on every way
to it, a decision earlier on the path has already settled the fact the last
decision tests, the other way. For example `when looked_after -> x` and,
after `x`, `when not looked_after -> this step`. The rule the step encodes is
never applied.""",
    ),
    "P218": Code(
        "soundness check stopped early",
        """The soundness check explores the states a case can be in, and stops after
a bound so that `check` stays quick. What it found before stopping is shown;
what lies beyond was not checked. It also stops when more branches stand at once
than any procedure runs side by side: a loop leads back into a parallel split
while the split's last branches still run, so they multiply each time round.""",
    ),
    "P219": Code(
        "loop a case can go round for ever",
        """A decision sends the case back to a step it has already passed, and for the
facts given as an example it will do so every time: a case's facts do not
change once known, so nothing ever lets it out. Give the loop a way out that
does not depend on those facts, or count the rounds with another step and a
decision on it.""",
    ),
    "P217": Code(
        "decision too large to analyse",
        """The decision tests so many facts that trying every combination of their
values would take too long, so its branches were not analysed for gaps,
overlaps and branches never taken. Splitting it into smaller decisions, each
testing a few facts, makes it easier to read as well as to check.""",
    ),
    "P220": Code(
        "the facts under which a case reaches a step",
        """`safeproc check --paths` shows, for each step, decision and outcome, the facts
under which a case gets there from the start: every decision on the way taken as
the facts say, each branch only when no branch before it holds. Each line is one
way, written as a `when` line would be; a step reached in several ways lists
them all. Escalations are left out: they follow lateness, not facts.

A step reached "never" cannot be reached by any facts: see P216. `verify` uses
these conditions to find cases the national guidance covers and the local
procedure misses.""",
    ),
    "P211": Code(
        "branch end outside a parallel split",
        """`this branch ends` says that one of the branches a parallel split started
finishes here, while the others go on. No parallel split leads to this step,
so there is no other branch: a case would stop here with no outcome. Lead the
step on with `next`, or to an outcome.""",
    ),
    # ---- time ------------------------------------------------------------------
    "P301": Code(
        "deadlines that can never all be met",
        """The deadlines and the order of the steps contradict each other on every
possible date: for example a report due at most 15 working days after the
notification that must also come at least 20 working days after it.

safeproc treats each deadline, and each `next`, as a bound on the time between
two moments, and looks for a chain of bounds that loops back on itself with
less than no room (a negative cycle in a Simple Temporal Network). The message
lists the chain, rule by rule, with the paragraphs each cites, and by how much
it falls short. Working days, months and hours are each given the most room
they can have over the calendar's years, so an error here fails on every date.""",
    ),
    "P302": Code(
        "deadlines that cannot be met on some dates",
        """Counted in calendar days, the deadlines fit on most dates but not on all: over
Christmas or Easter, working days stretch, and months differ in length. The
message names a start date on which the chain fails. Give one rule more room,
or, if the clash cannot happen in practice, say why in a comment
`# allow P302: <why>` beside the deadline.""",
    ),
    "P303": Code(
        "deadline counted from a step that comes later",
        """A deadline `within ... after X` counts from X, so X must come before the step;
a deadline `at least ... before X` counts back from X, so X must come after it.
Here the procedure's own order says the opposite.""",
    ),
    "P304": Code(
        "deadline counted from a step on another branch",
        """The deadline counts from a step that a case reaching this one never passes: the
two are on different branches of a decision. Count from a step that every path
to this one passes, or from an event.""",
    ),
    "P305": Code(
        "`must` deadline with no escalation",
        """A deadline that must be met says nothing of what happens when it is missed.
Where the source names who is told (the Panel, the safeguarding leads), add
`if late notify <role> "what they are told"`. Where the source names nobody,
acknowledge it with a comment at the end of the deadline's line or directly above it:

    # allow P305: the source names no escalation for this deadline""",
    ),
    "P306": Code(
        "deadline that cannot be counted",
        """The length of time reaches beyond the years the calendar knows (1995 to
2074), so no date can be given for it. Check the number and the unit.""",
    ),
    "P308": Code(
        "deadline counted from a parallel branch",
        """The deadline counts from a step on another branch of a parallel split, which
may not have happened yet when this step is due. Count from the step before the
split, or join the branches first.""",
    ),
    "P309": Code(
        "deadline counted from its own step",
        """A step's deadline counts from an event or an earlier step, not from the step
itself.""",
    ),
    "P310": Code(
        "the window a step falls in",
        """A note, shown with `safeproc check --windows`: the earliest and latest a step
can be done, relative to each event of the procedure and to each clock (event or
step) its own deadlines count from, once every deadline and the order of the
steps are taken together (the minimal network). Use it to see what the rules add
up to. Other clocks are left out: in a chain where each step counts from the one
before, every step would otherwise be given a window after every earlier step.""",
    ),
    "P311": Code(
        "escalation with no deadline",
        """The step says what happens if it is late, but has no deadline to be late for.
Add the deadline or remove the escalation.""",
    ),
    # ---- `safeproc date` -------------------------------------------------------
    "P320": Code(
        "a date expression that does not count from a date",
        """`safeproc date` counts from a date written year-month-day, or from `today`:

    safeproc date "15 working days after 2022-09-12"
    safeproc date "6 months after today\"""",
    ),
    "P322": Code(
        "a date outside the calendar's years",
        """The calendars know the bank holidays from 1995 to 2074. A date, or the answer
counted from it, falls outside those years.""",
    ),
    # ---- case scenarios and simulation ---------------------------------------
    "P401": Code(
        "second case header",
        """A .case file describes one case, so it has one `case "..." ... end` header.""",
    ),
    "P402": Code(
        "no case header",
        """A case scenario begins with its header: what the case is, the procedure it runs
against (a path relative to the .case file) and the date it is seen from:

    case "Death with suspected abuse, notified on time"
      procedure "../cspr.proc"
      as of 2024-03-01
    end""",
    ),
    "P403": Code(
        "case without a procedure",
        """The case header does not say which procedure the case runs against. Add
`procedure "path/to/file.proc"` (relative to the .case file), or name the
procedure on the command line: `safeproc simulate PROC CASE`.""",
    ),
    "P404": Code(
        "procedure file cannot be read",
        """The procedure named in the case header cannot be opened. The path is relative to
the folder of the .case file.""",
    ),
    "P405": Code(
        "procedure with errors",
        """The case's procedure has errors, so no case can run against it. `safeproc check`
on the procedure lists them.""",
    ),
    "P406": Code(
        "scenario without an `as of` date",
        """A scenario used as a test must say the date it is seen from (`as of 2024-03-01`
in its header), so that what it expects does not change with today's date.""",
    ),
    "P410": Code(
        "name the procedure does not have",
        """The case names a fact, event, step, decision, role or outcome that its procedure
does not declare, or names one of the wrong kind (a role where a step is
expected). The help suggests the nearest name.""",
    ),
    "P411": Code(
        "fact value of the wrong kind",
        """Each fact has a type in the procedure: yes or no, one of a list of choices, or a
number. The case gives it a value of another kind, or a choice not on the list.
`x is unknown` leaves a fact unknown.""",
    ),
    "P413": Code(
        "fact given twice",
        """A case gives each fact once.""",
    ),
    "P414": Code(
        "happenings out of date order",
        """The dated happenings are listed out of order. The simulation uses the dates, not
the order of the lines, but an out-of-order line is often a mistyped date.""",
    ),
    "P415": Code(
        "happening recorded twice",
        """An event happens once and a step is done once in a case.""",
    ),
    "P416": Code(
        "expected branch that the decision does not have",
        """`expect DECISION takes STEP` names a step that is not one of the decision's
branches.""",
    ),
    "P420": Code(
        "expectation not met",
        """A scenario's `expect` line does not hold for the simulated case. The message says
what was expected and what the simulation found. Either the procedure changed
(and the scenario caught it), or the expectation is wrong.""",
    ),
    "P407": Code(
        "a procedure where a case was expected, or a case where a procedure was",
        """`.proc` files hold procedures (`procedure "..." ... end`, steps, decisions);
`.case` files hold case scenarios (`case "..." ... end`, facts, `on DATE ...`,
`expect ...`). The file given is the other kind: check the order of the files
on the command line (`safeproc simulate PROC CASE`).""",
    ),
    "P408": Code(
        "case run against another procedure than the one it names",
        """The case's header names one procedure, and the command line gave another. Names
in the case are checked against the procedure given on the command line; if
they do not match, the case was probably meant for the procedure it names.""",
    ),
    "P430": Code(
        "due date that cannot be counted",
        """A deadline's date falls outside the years the calendar knows (1995 to 2074).""",
    ),
    "P434": Code(
        "step recorded as done before the case could reach it",
        """The case records a step as done, but the case has not reached it: a decision
before it is still waiting for a fact, or the steps before it are not recorded.
The step is shown as done on its recorded date, but it counts for nothing else:
the step after it does not open, no deadline counts from it, and it fires no
escalation. Give the missing fact, or the day it became known
(`on 2024-04-20 crg_view is notify`), so that the case reaches the step.""",
    ),
    "P435": Code(
        "case that reaches more than one outcome",
        """Two parallel branches of this case each reached an outcome. A case has one
outcome: `safeproc check` points at the outcomes that compete (P213). The
earliest is reported.""",
    ),
    "P436": Code(
        "step recorded as done after the case ended",
        """The case reached an outcome marked `ends the whole case`, so nothing after it
belongs to the case, but a step is recorded as done after that. Check the
date, or whether the case really ended there.""",
    ),
    "P417": Code(
        "expectation about a deadline the step does not have",
        """`expect STEP deadline N due DATE` pins the due date of one of a step's
deadlines, counted in the order they are written on the step, from 1. The step
has fewer deadlines than that; the help lists them.""",
    ),
    "P437": Code(
        "fact learnt that the case already gives",
        """A fact is learnt on a date (`on 2024-04-20 police_outcome is charged`), but the
case's facts block already gives it a value, or it is learnt twice. A fact
learnt during the case is written `is unknown` in the facts block, or left out.""",
    ),
    "P438": Code(
        "decision recorded before its facts were known",
        """The case records a decision as taken on a date, but a fact the decision
tests was learnt only later (`on DATE fact is value`). A decision is taken
once the facts it needs are known, so the simulation takes it on the later
date. Check the two dates.""",
    ),
    "P439": Code(
        "step done sooner than its lower bound allows",
        """A step has a lower bound (`at least 2 years after sign_off`, or `for at least
1 year after publish`), and the case records it as done before that many days had
passed since what the bound counts from. A lower bound is no due date: it gives
the step's earliest day, shown as "not before" while the step is still to do.
The step is still counted as done, on time or late by its due dates alone.
Check the date; if it is right, the step was done sooner than the procedure allows.""",
    ),
    "P431": Code(
        "step done that this case never reaches",
        """The case records a step as done, but with its facts and what has happened the
case never reaches that step: a decision took another branch, or the steps
before it are not done. The help names the decision.""",
    ),
    "P432": Code(
        "step done before it could start",
        """The case records a step as done before the step it follows was done. The
simulation goes on with the recorded date; check the two dates.""",
    ),
    "P433": Code(
        "step done before its deadline's anchor",
        """The case records a step as done before the event or step its deadline counts
from. Check the two dates.""",
    ),
    # ---- traceability -----------------------------------------------------------
    "P501": Code(
        "citation of a paragraph the source text does not have",
        """`safeproc trace` reads the source text and finds its numbered paragraphs: the
lines that hold nothing but a paragraph number, such as `1.1.15`. This citation
(or `background` line) names a paragraph that is not among them.

Usually the number is mistyped, or the source text has been renumbered since
the procedure was written. Cite the paragraph the rule comes from; the help
gives the range the source text numbers. If every citation is reported, check
that you traced against the right text.""",
    ),
    "P502": Code(
        "paragraph neither cited nor marked background",
        """Every numbered paragraph of the source should trace to the procedure: either
something cites it (the step, decision, role, fact, event or outcome that
carries its rule: `cites 1.1.62`), or a `background` line marks it as carrying
no rule, with the reason:

    background 1.1.62 "a heading for links to published reviews"

A paragraph that is neither is a rule the procedure may have missed.""",
    ),
    "P503": Code(
        "paragraph both cited and marked background",
        """A `background` line says a paragraph carries no rule, yet something in the
procedure cites it as the source of a rule. One of the two is wrong: remove the
paragraph from the `background` line, or from the citation.""",
    ),
    "P504": Code(
        "source text with no numbered paragraphs",
        """`safeproc trace` finds paragraphs by the lines that hold nothing but their
number (`1.1.15`), as published procedures are laid out when copied as plain
text. This text has none, so nothing can be traced: check that it is the
plain text of the procedure, with each paragraph number on a line of its own.""",
    ),
    "P505": Code(
        "paragraph numbered twice in the source text",
        """The same paragraph number stands on a line of its own twice in the source
text. Citations of it are matched with the first; check the source text for a
numbering slip, or a copy that pasted a section twice.""",
    ),
    "P506": Code(
        "reading note that names no paragraph",
        """A `READING.md` beside a procedure holds its reading notes: one `###` heading
per interpretation or ambiguity, starting with the paragraphs it is about and a
colon, so that `safeproc trace` can list the note under them:

    ### 1.1.15: "within 5 days" of becoming aware

This heading does not start with paragraph numbers, so `trace` cannot place it.
Use `##` for a heading that groups notes.""",
    ),
    "P507": Code(
        "reading note about a paragraph the source text does not have",
        """A reading note's heading names a paragraph that the source text does not
number. Usually the number is mistyped, or the source has been renumbered since
the note was written.""",
    ),
    # ---- links to the national specification ---------------------------------------
    "P601": Code(
        "national specification not found",
        """The header says the procedure `implements` a national specification, but no
file of that name can be found. `implements working_together_2023` is looked for as
`working-together-2023.proc` (or `working_together_2023.proc`) in each folder of
the SAFEPROC_NATIONAL_PATH environment variable, then in a `national` folder beside
the procedure's folder or above it (`procedures/national/`), then in the folder
shipped with safeproc. `implements "path/to/file.proc"` names a file directly,
relative to the procedure. The note lists the folders looked in.""",
    ),
    "P602": Code(
        "`satisfies` names no obligation of the specification",
        """A step says it `satisfies` an obligation that the national specification does
not have. The obligations are its steps and decisions that say `must`, `should`
or `may`. Check the spelling (the help suggests the nearest names), or whether
the specification has renamed it in a new edition (`safeproc diff` shows that).""",
    ),
    "P603": Code(
        "`plays` names no role of the specification",
        """A role says it `plays` a national role that the specification does not have.
Check the spelling; a renamed role (the clinical commissioning group became the
integrated care board in 2022) is a change between editions.""",
    ),
    "P604": Code(
        "`satisfies` or `plays` without a specification",
        """A step `satisfies` an obligation, or a role `plays` a national role, but the
procedure's header does not say which national specification it implements.
Add `implements NAME` to the header.""",
    ),
    "P605": Code(
        "the national specification has errors",
        """The specification the procedure implements has errors of its own, so
nothing can be checked against it. Run `safeproc check` on the specification.

`check` reads the specification only as far as its names, which is all a
procedure's links to it (`implements`, `satisfies`, `plays`) need: it says this
when those cannot be read. `verify`, which follows the specification's flow and
deadlines, says it for any error the specification has.""",
    ),
    "P606": Code(
        "`satisfies` names a national step that is not an obligation",
        """A step says it satisfies a step or decision of the national specification
that carries no duty (`by` only, no `must`, `should` or `may`): there is nothing to
meet. Satisfy the obligation that carries the duty.""",
    ),
    "P607": Code(
        "no edition in force on the date asked",
        """`safeproc verify --as-of DATE` looks for the edition of the specification in
force that day: each edition says `in force from DATE`, and `replaces NAME` for
the edition before it. No edition found was in force on the date given.""",
    ),
    "P608": Code(
        "a delegation that comes back round",
        """`delegated by` says whose duties a role carries out. Followed from role to role,
these delegations come back to where they started, so none of the roles holds the
duties. Name the role that holds them.""",
    ),
    # ---- verify: the local procedure against the national specification ----------------
    "P701": Code(
        "a national obligation that no local step satisfies",
        """No step of the local procedure says it `satisfies` this national obligation.
Either the procedure does not do it (add the step), or a step does it without
saying so (add `satisfies NAME` to it). A `must` not met is an error, a `should` a
warning, a `may` a note: every `verify` finding is graded by the national duty.""",
    ),
    "P702": Code(
        "a weaker duty than the national one",
        """The local step (or one of its deadlines) says `should` or `may`, or gives no
duty (`by` only), where the national rule says something more binding. A local
procedure may repeat the source's own word; `verify` shows where that word is
weaker than the law or guidance it implements.""",
    ),
    "P703": Code(
        "the local owner does not play the national role",
        """The national rule gives this duty to a role (the local authority, the
safeguarding partners); the local step's owner does not play it. A local role plays
a national role when it says `plays NAME`, has the same name, is a group whose
members together play a national group, or is `delegated by` a role that does.
Say so on the role, or check who carries the duty.""",
    ),
    "P704": Code(
        "a deadline missing, or looser than the national one",
        """The national rule gives a deadline that the local step lacks, or the local
deadline can end after the national one. Deadlines in different units are
compared on every start date from 2018 to 2030 (bank holidays included), and the
note shows the start on which the local one gives the most extra time.""",
    ),
    "P705": Code(
        "a deadline stricter than the national one",
        """The local deadline never ends after the national one, and sometimes ends
sooner. That conforms. The note shows a start on which the local due date falls
on a weekend or a bank holiday where there is one (5 calendar days counted from
a Friday before Christmas end on Boxing Day), since a stricter rule that asks
for work on a day off is worth a second look.""",
    ),
    "P706": Code(
        "a case the national rule covers that the local procedure misses",
        """For some facts, the national obligation applies, but no choice of the local
procedure's own facts takes the case to a local step that satisfies it. The note
gives such facts; `safeproc check --paths` shows which facts reach each step.
The same cases usually miss the steps after it too: they are named once, on the
first obligation they miss.""",
    ),
    "P707": Code(
        "local facts can stop what the national rule asks",
        """The local procedure reaches the satisfying step for these national facts only
for some values of facts the national rule does not have (a local view, a
decision, where the child lives): other values stop it. That may be intended (a
judgement the national rule leaves to the partnership); the note gives a case.""",
    ),
    "P708": Code(
        "national order reversed",
        """Nationally one obligation comes before another; locally the step that
satisfies the later one comes before the step that satisfies the earlier one.""",
    ),
    "P709": Code(
        "no local escalation for a national one",
        """The national rule says whom to tell when the step is late; the local step
tells nobody who plays that role.""",
    ),
    "P710": Code(
        "a deadline counted from a different moment",
        """The local deadline and the national one are of the same kind but count from
different moments, so they cannot be compared. A local anchor matches a national
one when it is an event of the same name, or a step that satisfies the national
step.""",
    ),
    "P712": Code(
        "conditions too large to compare",
        """`verify` compares the facts under which each national obligation applies with
the facts under which the local procedure reaches its step, as decision diagrams
over the facts. For this pair of procedures they grew past the bound (the message
gives it), so conditions were not compared; the other findings stand. Testing
facts that go together in nearby decisions keeps the diagrams small.""",
    ),
    "P711": Code(
        "a fact of the same name but another kind",
        """Facts are matched with the national specification's by name. This one is of
a different kind (yes or no, a choice, a number) here and there, so conditions on
it cannot be compared. Give them the same kind, or different names.""",
    ),
    # ---- the shell ---------------------------------------------------------------------
    "P901": Code(
        "a shell command that cannot be done as typed",
        """`safeproc shell` could not do what the line asks: a name the procedure does not
declare (the help suggests the nearest), a value a fact cannot take, a date that is
not a day of the calendar, or a command written another way. Nothing changed; the
shell goes on. `help` lists the commands and how each is written.""",
    ),
}


def explain(code: str) -> Code | None:
    return CODES.get(code.strip().upper())
