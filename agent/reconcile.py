"""What the site says is there against what the agent saw: the cross-check that keeps a sweep from
reporting a quiet night while it was blind.

Three numbers can say how many referrals have integration errors: the banner ("14 referrals have
integration errors"), each filtered page's "Showing a–b of n", and the flagged rows the agent read.
When the agent found fewer than the site says, the sweep re-reads (bounded, see :data:`REREADS`); if
they still disagree the sweep is *blind*: it says so first in its report, exits non-zero and
notifies. Zero found against a non-zero banner is never a clean night. Found more than the banner
said is not blindness (the inbox changed while being read): a problem to mention, nothing more.

Pure: numbers in, a :class:`Verdict` out; the sweep does the reading and the waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

REREADS = 2
"""How many more times the pages are read when fewer referrals were found than the site says."""


@dataclass(frozen=True)
class Counts:
    """What one sweep read, for the cross-check."""

    banner: int | None  # the banner's count (its latest reading); None when there was no banner
    listed: Sequence[int | None] = ()  # each filtered page's "of n"; None for a page that shows none
    found: int = 0  # distinct flagged referrals read from the rows
    unfiltered: bool = False  # no filter link: all referrals were listed, so "of n" counts all of them
    only: bool = False  # --only: the banner counts referrals the sweep was told to leave alone
    unreadable: str | None = None  # why the rows could not be read at all (e.g. an unknown table header)


@dataclass(frozen=True)
class Verdict:
    blind: bool  # the agent saw fewer referrals than the site says (or could not read the rows)
    expected: int | None  # the most the site said
    found: int
    problems: tuple[str, ...] = ()

    @property
    def unseen(self) -> int:
        return max(0, (self.expected or 0) - self.found)


def expected(counts: Counts) -> int | None:
    """The most referrals with errors the site says there are (the larger of banner and "of n")."""
    said = [] if counts.banner is None else [counts.banner]
    if not counts.unfiltered:  # unfiltered, "of n" counts every referral, not the errored ones
        said += [n for n in counts.listed if n is not None]
    return max(said) if said else None


def reread(counts: Counts, rereads_done: int) -> bool:
    """Whether to read the pages again before concluding: fewer found than said, and tries left."""
    return rereads_done < REREADS and _short(counts)


def _short(counts: Counts) -> bool:
    if counts.only:
        return False
    if counts.unreadable is not None:
        return True
    said = expected(counts)
    return said is not None and counts.found < said


def reconcile(counts: Counts) -> Verdict:
    """The cross-check's verdict, with the problems the report opens with."""
    said = expected(counts)
    found = counts.found
    if counts.unreadable is not None and not counts.only:
        what = f"The site says {said} referrals have integration errors, but" if said else "The"
        return Verdict(
            blind=True,
            expected=said,
            found=found,
            problems=(
                f"{what} the agent could not read the inbox's rows ({counts.unreadable}); it saw {found}. "
                "Nothing unseen was acted on: check the screenshot and the labels settings.",
            ),
        )
    if counts.only:
        return Verdict(blind=False, expected=said, found=found)
    if said is not None and found < said:
        sources = _sources(counts)
        return Verdict(
            blind=True,
            expected=said,
            found=found,
            problems=(
                f"Saw fewer referrals than the site says: {sources}, but the agent found {found} "
                f"after reading the pages {REREADS + 1} times; {said - found} not seen, not acted on and not in "
                "this report. Check the screenshot and the inbox by hand (labels settings, a changed screen).",
            ),
        )
    problems: list[str] = []
    if counts.banner is None and found:
        problems.append(
            "The inbox banner's count of referrals with integration errors was not found, yet "
            f"{found} referrals show the red API error: check the banner's wording (labels)."
        )
    elif counts.banner is not None and found > counts.banner:
        problems.append(
            f"The banner counted {counts.banner} referrals with integration errors, but the sweep found "
            f"{found} in the filtered list (the inbox changed while it was read?): check the inbox by hand."
        )
    return Verdict(blind=False, expected=said, found=found, problems=tuple(problems))


def _sources(counts: Counts) -> str:
    said = []
    if counts.banner is not None:
        said.append(f"the banner counts {counts.banner}")
    totals = sorted({n for n in counts.listed if n is not None})
    if totals and not counts.unfiltered:
        said.append("the list says 'of " + " / ".join(str(n) for n in totals) + "'")
    return " and ".join(said)
