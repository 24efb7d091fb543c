"""Screenshot masks that fail safe: everything is masked except what the agent needs to be checked.

A screenshot is evidence for a person looking at a failure, and it leaves the browser: it must not
show a patient. So the rule is the other way round from "mask the name column": every element that
draws text, every form field, image, canvas, video and frame is masked — in tables and ARIA grids,
in dialogs, in open shadow roots — *except*

- the page chrome: navigation, the site's banner and footer landmarks (outside main content);
- column headers, and the cells of the columns the agent reads (reference number, status,
  workflow, date, trigger, destination, response);
- controls the agent itself uses, by their label (the red API error control, Resend, the clear
  button, Close, view, Next, Load more, the filter links, the menu);
- the banner's count and the "Showing a–b of n" line.

The elements are tagged with a one-off attribute, masked by Playwright through a CSS locator (which
looks into open shadow roots), and untagged again. If the tagging fails, there is no screenshot.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

from agent.pages.dom import DOM_JS, js_pattern
from agent.pages.tables import TABLE_JS
from agent.settings import Labels

MASK_ATTRIBUTE = "data-caredove-mask"

MARK_JS = (
    "(args) => {\n"
    + DOM_JS
    + TABLE_JS
    + r"""
    const keepColumns = new RegExp(args.columns, 'i');
    const keepControls = new RegExp(args.controls, 'i');
    const keepTexts = new RegExp(args.texts, 'ig');
    const allowed = new Set();
    const chrome = (el) => {
        const r = D.role(el);
        if (r === 'navigation' || el.tagName === 'NAV') return true;
        const landmark = r === 'banner' || r === 'contentinfo'
            || (!r && (el.tagName === 'HEADER' || el.tagName === 'FOOTER'));
        const content = 'main, [role=main], article, section, dialog, [role=dialog], [role=alertdialog]';
        return landmark && !el.closest(content);
    };
    const isTable = (e) => D.role(e) ? ['table', 'grid', 'treegrid'].includes(D.role(e)) : e.tagName === 'TABLE';
    for (const table of D.find(document, isTable)) {
        const read = T.read(table, /./, null);
        if (!read || read.table !== table) continue;
        const keep = new Set(read.headers.map((h, i) => keepColumns.test(h) ? i : -1).filter((i) => i >= 0));
        for (const row of T.rows(table)) {
            const cells = T.cells(row);
            if (cells.length && cells.every(T.isHeaderCell)) { cells.forEach((c) => allowed.add(c)); continue; }
            T.place(cells, read.headers.length).forEach((cell, i) => { if (cell && keep.has(i)) allowed.add(cell); });
        }
    }
    const STRONG = ['INPUT', 'TEXTAREA', 'SELECT', 'IMG', 'CANVAS', 'VIDEO', 'IFRAME', 'FRAME', 'OBJECT', 'EMBED',
        'PICTURE'];
    const kept = (el) => keepControls.test(D.name(el)) || keepControls.test(el.getAttribute('title') || '');
    const ownText = (node) => [...node.childNodes].filter((n) => n.nodeType === 3).map((n) => n.nodeValue).join('');
    let marked = 0;
    const mark = (el) => { el.setAttribute(args.attribute, args.token); marked++; };
    D.walk(document.body || document.documentElement, (el) => {
        if (allowed.has(el) || chrome(el)) return false;
        if (D.isControl(el) && kept(el)) return false;
        if (STRONG.includes(el.tagName) || el.tagName.toLowerCase() === 'svg' || el.isContentEditable) {
            const cell = el.closest('td, th, [role=cell], [role=gridcell]');
            if (!(el.tagName.toLowerCase() === 'svg' && cell && allowed.has(cell))) {
                mark(el);
                return false;
            }
        }
        const text = `${ownText(el)} ${el.shadowRoot ? ownText(el.shadowRoot) : ''}`.trim();
        if (text && /[\p{L}\p{N}]/u.test(text.replace(keepTexts, ''))) mark(el);
        return true;
    });
    return marked;
}"""
)

UNMARK_JS = (
    "(args) => {\n"
    + DOM_JS
    + """
    D.walk(document, (el) => {
        if (el.getAttribute(args.attribute) === args.token) el.removeAttribute(args.attribute);
    });
    return true;
}"""
)


def keep(labels: Labels) -> dict[str, str]:
    """What a screenshot leaves visible, as JavaScript patterns: the columns the agent reads, its own
    controls, and the counts (banner, "Showing … of n"); everything else is masked."""
    columns = [
        labels.reference_column,
        labels.status_column,
        labels.workflow_column,
        labels.date_column,
        labels.trigger_column,
        labels.destination_column,
        labels.attempt_status_column,
        labels.response_column,
    ]
    controls = [
        labels.error_control,
        labels.resend,
        labels.clear,
        labels.close,
        labels.view,
        labels.next_page,
        labels.load_more,
        labels.errors_filter,
        labels.show_all,
        labels.menu_referrals,
        labels.menu_inbox,
        labels.dismiss,
        labels.sign_in,
    ]
    return {"columns": _any(columns), "controls": _any(controls), "texts": _any([labels.banner_count, labels.showing])}


def claim(artifacts: Path, name: str) -> Path:
    """A file name of its own for one screenshot, claimed atomically (mode 0600): never one
    ``missing.png`` overwritten by the next."""
    artifacts.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "screen"
    for n in range(1, 10_000):
        path = artifacts / (f"{stem}.png" if n == 1 else f"{stem}-{n}.png")
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            continue
        return path
    return artifacts / f"{stem}-{uuid.uuid4().hex[:8]}.png"


def _any(patterns: Sequence[str | None]) -> str:
    """One JavaScript pattern matching any of the labels."""
    return "|".join(f"(?:{js_pattern(p)})" for p in patterns if p)
