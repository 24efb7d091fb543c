"""What a screen offers, read in one round trip, for ``caredove-agent survey``.

The survey asks of every screen: which controls (role, accessible name, title), which table headers
and columns, which dialogs, which lines of text. The answer stays in memory: the pure side
(:mod:`agent.survey_labels`) matches it against the labels and keeps only what is safe to write down.
Open shadow roots are walked too (a site may render its window inside a custom element).
"""

from __future__ import annotations

from typing import Any, TypedDict

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator

from agent.pages.base import Screen

INVENTORY = """
(root) => {
    const all = (node, selector) => {
        const out = [...node.querySelectorAll(selector)];
        for (const el of node.querySelectorAll('*')) if (el.shadowRoot) out.push(...all(el.shadowRoot, selector));
        return out;
    };
    const shown = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
    const clean = (s) => (s || '').replace(/\\s+/g, ' ').trim();
    const labelled = (e) => {
        const ids = (e.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
        const doc = e.getRootNode();
        const by = ids.map(id => (doc.getElementById ? doc.getElementById(id) : null)).filter(Boolean);
        return clean(by.map(x => x.textContent).join(' '));
    };
    const text = (e) => {  // what a screen reader says: aria-hidden parts left out, CSS case ignored
        let out = '';
        for (const n of e.childNodes) {
            if (n.nodeType === 3) out += n.textContent;
            else if (n.nodeType === 1 && n.getAttribute('aria-hidden') !== 'true' && !n.hidden) out += ' ' + text(n);
        }
        return out;
    };
    const name = (e) => clean(e.getAttribute('aria-label') || labelled(e)
        || (e.labels && e.labels[0] && text(e.labels[0])) || text(e)
        || e.getAttribute('title') || e.getAttribute('placeholder') || e.getAttribute('value') || '');
    const roleOf = (e) => {
        const explicit = e.getAttribute('role');
        if (explicit) return explicit;
        const t = (e.getAttribute('type') || '').toLowerCase();
        if (e.tagName === 'A') return 'link';
        if (e.tagName === 'BUTTON' || e.tagName === 'SUMMARY') return 'button';
        if (e.tagName === 'INPUT') return ['button', 'submit', 'reset'].includes(t) ? 'button'
            : t === 'search' ? 'searchbox' : t === 'checkbox' ? 'checkbox' : 'textbox';
        if (e.tagName === 'SELECT') return 'combobox';
        if (e.tagName === 'TEXTAREA') return 'textbox';
        return 'generic';
    };
    const CELLS = ':scope > td, :scope > th, :scope > [role=cell], :scope > [role=gridcell]';
    const within = (e, selector) => {  // closest(), across shadow roots
        for (let n = e; n; n = n.getRootNode && n.getRootNode().host ? n.getRootNode().host : null) {
            if (n.closest && n.closest(selector)) return true;
        }
        return false;
    };
    const rowOf = (e) => e.closest('tbody tr, [role=row]:not(:has([role=columnheader]))');
    const wanted = 'a[href], button, [role=button], [role=link], [role=menuitem], input, select, textarea, '
        + 'summary, [title]';
    const controls = all(root, wanted)
        .filter(e => (e.getAttribute('type') || '') !== 'hidden')
        .map(e => ({
            role: roleOf(e), name: name(e), title: clean(e.getAttribute('title')), shown: shown(e),
            in_row: !!rowOf(e), in_dialog: within(e, 'dialog, [role=dialog]'),
            in_nav: within(e, 'nav, [role=navigation]'), autocomplete: clean(e.getAttribute('autocomplete')),
            input_type: clean(e.getAttribute('type')), y: e.getBoundingClientRect().top,
        }));
    const tables = all(root, 'table, [role=table], [role=grid]').filter(shown).map(t => {
        const rows = [...t.querySelectorAll('tr, [role=row]')];
        const head = rows.find(r => r.querySelector('th, [role=columnheader]'));
        const headers = head ? [...head.querySelectorAll('th, [role=columnheader]')]
            .map(c => clean(text(c))) : [];
        const body = rows.filter(r => r !== head && !r.querySelector('th[scope=col], [role=columnheader]') && shown(r))
            .map(r => [...r.querySelectorAll(CELLS)].map(c => ({
                text: clean(c.innerText || c.textContent),
                time: !!c.querySelector('time[datetime]'),
                link: [...c.querySelectorAll('a, [role=link]')].map(name),
                buttons: [...c.querySelectorAll('button, [role=button]')].map(name),
                icons: [...c.querySelectorAll('[role=img], img, svg[aria-label], [title]')].map(i => clean(
                    i.getAttribute('aria-label') || i.getAttribute('alt') || i.getAttribute('title'))),
            })));
        return {headers, rows: body, y: t.getBoundingClientRect().top, in_dialog: within(t, 'dialog, [role=dialog]')};
    });
    const dialogs = all(root, 'dialog, [role=dialog]').filter(shown)
        .map(d => clean(d.getAttribute('aria-label') || labelled(d)));
    const lines = clean(root.innerText || '') ? (root.innerText || '').split('\\n').map(clean).filter(Boolean) : [];
    return {controls, tables, dialogs, lines};
}
"""


class Cell(TypedDict):
    text: str
    time: bool
    link: list[str]
    buttons: list[str]
    icons: list[str]


class TableSeen(TypedDict):
    headers: list[str]
    rows: list[list[Cell]]
    y: float
    in_dialog: bool


class Control(TypedDict):
    role: str
    name: str
    title: str
    shown: bool
    in_row: bool
    in_dialog: bool
    in_nav: bool
    autocomplete: str
    input_type: str
    y: float


class Inventory(TypedDict):
    controls: list[Control]
    tables: list[TableSeen]
    dialogs: list[str]
    lines: list[str]


EMPTY: Inventory = {"controls": [], "tables": [], "dialogs": [], "lines": []}


class SurveyProbe(Screen):
    """Reads screens; never clicks (the survey moves with the agent's own page objects)."""

    def inventory(self, root: Locator | None = None) -> Inventory:
        target = root if root is not None else self.page.locator("body")
        try:
            found: Any = target.evaluate(INVENTORY)
        except PlaywrightError:
            return EMPTY
        return found  # type: ignore[no-any-return]

    def aria(self, root: Locator | None = None) -> str:
        """Playwright's ARIA snapshot of the screen (raw: it holds the page's text; mask before writing)."""
        target = root if root is not None else self.page.locator("body")
        try:
            return target.aria_snapshot(timeout=self.timeout_ms)
        except PlaywrightError:
            return ""
