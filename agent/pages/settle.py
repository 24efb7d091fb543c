"""When a screen has *settled*: the predicate a page object waits on before it believes what it reads.

An element being present is not the screen being ready: rows, a dialog's body and a pager's state
often arrive after the frame that holds them. A region has settled when

- nothing in it (or around it) says it is loading: ``aria-busy=true``, an indeterminate
  ``role=progressbar``, a "Loading…"-like text (``labels.loading``) in a row or a status;
- two consecutive reads, one polling interval apart, are the same;
- the counts agree: when the page says "Showing a–b of n" (``labels.showing``) the table holds
  b−a+1 rows (pages) or b rows (a list that grows with "Load more").

An empty table, counts that disagree, or a table that did not change after Next are believed only
after they have held for a patient while (a fetch may still be on its way); the caller is told which
it was. The predicate also answers at once when the Sign In page shows, or a notice over the page
says the session ended (``labels.session_expired``). Nothing sleeps: Playwright
polls the predicate in the page until it returns a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.pages.dom import DOM_JS
from agent.pages.tables import TABLE_JS, Table

POLL_MS = 25
"""How often the predicate is evaluated in the page; two equal reads this far apart are "stable"."""

PATIENCE_MS = 1200
"""How long an empty table, disagreeing counts or an unchanged page must hold before they are believed."""

SETTLE_JS = (
    "(args) => {\n"
    + DOM_JS
    + TABLE_JS
    + r"""
    const store = (globalThis[Symbol.for('caredove-agent.settle')] ||= {});
    for (const k of Object.keys(store)) if (k !== args.key) delete store[k];
    const entry = (store[args.key] ||= {sig: null, since: 0, why: 'nothing read yet'});
    if (D.signIn(args.expired ? new RegExp(args.expired, 'i') : null)) return {state: 'signin'};
    const root = args.root || document.body;
    if (!root || !root.isConnected) { entry.why = 'the region went away'; return false; }
    const loadingRe = args.loading ? new RegExp(args.loading, 'i') : null;
    let table = null, container = root, sig;
    if (args.header) {
        table = T.read(root, new RegExp(args.header, 'i'), args.control ? new RegExp(args.control, 'i') : null);
        if (!table) { entry.why = `no table with a column matching /${args.header}/`; entry.sig = null; return false; }
        container = table.table.closest('dialog, [role=dialog], [role=alertdialog], main, [role=main]') || root;
        if (!root.contains(container) && root !== container) container = root;
        const rows = table.rows.map((r) => [r.flagged, r.cells.map((c) => c.text)]);
        sig = JSON.stringify([table.headers, rows, table.notes]);
    } else {
        sig = D.text(root);
    }
    const busy = D.busy(container, loadingRe)
        || (table && loadingRe && table.notes.some((n) => loadingRe.test(n)) ? 'loading text' : null);
    if (busy) { entry.why = `still loading (${busy})`; entry.sig = null; return false; }
    let showing = null;
    if (args.showing) {
        const re = new RegExp(args.showing, 'i');
        const holds = (e) => {
            if (table && e.contains(table.table)) return false;
            const t = (e.textContent || '');
            return t.length < 200 && re.test(t) && D.visible(e);
        };
        // near the table first (its main content or dialog), else anywhere on a page (not behind a dialog)
        const inDialog = table && table.table.closest('dialog, [role=dialog], [role=alertdialog]');
        const holder = D.find(container, holds).pop() || (!inDialog && D.find(document.body, holds).pop());
        const m = holder ? re.exec(D.text(holder)) : null;
        if (m) {
            const nums = m.slice(1).filter((g) => g !== undefined).map((g) => parseInt(g.replace(/[,\s]/g, ''), 10));
            if (nums.length >= 3) showing = nums.slice(-3);
            else if (nums.length === 1) showing = [null, null, nums[0]];
        }
    }
    const now = performance.now();
    if (entry.sig !== sig) { entry.sig = sig; entry.since = now; entry.why = 'still changing'; return false; }
    const rows = table ? table.rows.length : null;
    let agreed = true;
    if (table && showing && showing[1] !== null) {
        const [a, b, n] = showing;
        agreed = (n === 0 && rows === 0) || rows === b - a + 1 || rows === b;
    }
    // With beforeDocument, only a change expected in place: a new document showing the same rows
    // (a filter link that navigated) is believed at once.
    const unchanged = args.before !== null && args.before !== undefined && sig === args.before
        && (args.beforeDocument === null || args.beforeDocument === undefined
            || performance.timeOrigin === args.beforeDocument);
    const doubtful = (table && rows === 0) || !agreed || unchanged;
    if (doubtful && now - entry.since < args.patienceMs) {
        entry.why = unchanged ? 'the rows did not change' : !agreed ? 'the counts disagree' : 'the table is empty';
        return false;
    }
    const button = table && args.button ? T.hasButton(root, new RegExp(args.button, 'i')) : false;
    return {
        state: 'settled', sig, showing, agreed, unchanged, document: performance.timeOrigin,
        table: table ? {headers: table.headers, rows: table.rows, notes: table.notes, button} : null,
    };
}"""
)

SETTLE_LOOP_JS = (
    "(root, args) => new Promise((resolve) => {\n"
    + "const probe = ("
    + SETTLE_JS
    + r""");
    // One round trip: the predicate is polled here in the page until it answers or the deadline
    // passes (a navigation ends the evaluation, and the caller reads the new page).
    const deadline = performance.now() + args.timeoutMs;
    const tick = () => {
        const found = probe({...args, root: root && root.nodeType === 1 && root !== document.body ? root : null});
        if (found) return resolve(found);
        if (performance.now() > deadline) {
            const store = globalThis[Symbol.for('caredove-agent.settle')] || {};
            return resolve({state: 'timeout', why: store[args.key] ? store[args.key].why : 'nothing read yet'});
        }
        setTimeout(tick, args.pollMs);
    };
    tick();
})"""
)
"""``SETTLE_JS`` polled inside the page: ``locator.evaluate`` of this is the whole wait, in one call."""


@dataclass(frozen=True)
class Settled:
    """A region as read once it settled.

    ``showing`` is the (a, b, n) of "Showing a–b of n" (a and b None when only "n results" shows);
    ``agreed`` says whether the rows read match it; ``unchanged`` that the rows are the same as
    the ``before`` signature the caller passed (a Next that did not move on)."""

    table: Table | None
    signature: str
    showing: tuple[int | None, int | None, int] | None
    agreed: bool
    unchanged: bool
    document: float
    """Which document was read (its ``performance.timeOrigin``): a navigation gives a new one."""
