"""What the page objects ask of the DOM, written once: label patterns, and a few JavaScript helpers.

The helpers walk the page the way it is drawn, not the way ``querySelectorAll`` sees it: they go
into every open shadow root (a web component's table or dialog is still what a person sees), they
find tables, rows and cells by ARIA role as well as by tag, and they read text as it is rendered.
Every script that needs them starts with ``DOM_JS`` and then uses the ``D`` object it defines.
"""

from __future__ import annotations

import re
from functools import cache


@cache
def rx(pattern: str) -> re.Pattern[str]:
    """Labels are case-insensitive regular expressions (see Settings.labels)."""
    return re.compile(pattern, re.IGNORECASE)


def js_pattern(pattern: str) -> str:
    """A label as JavaScript RegExp source (Python's inline flags have no place there)."""
    return pattern.replace("(?i)", "")


DOM_JS = r"""
const D = (() => {
    const role = (el) => ((el.getAttribute && el.getAttribute('role')) || '').trim().split(/\s+/)[0].toLowerCase();
    // Every element under root in document order, open shadow roots included; visit() returning
    // false keeps the walk out of that element's subtree.
    const walk = (root, visit) => {
        const rec = (node) => {
            for (const el of node.children || []) {
                if (visit(el) === false) continue;
                if (el.shadowRoot) rec(el.shadowRoot);
                rec(el);
            }
        };
        if (root.shadowRoot) rec(root.shadowRoot);
        rec(root);
    };
    const find = (root, match, stop) => {
        const out = [];
        walk(root, (el) => {
            if (match(el)) out.push(el);
            return !(stop && stop(el));
        });
        return out;
    };
    const hasShadow = (el) => {
        if (el.shadowRoot) return true;
        let found = false;
        walk(el, (e) => { if (e.shadowRoot) found = true; return !found; });
        return found;
    };
    const hiddenStyle = (el) => {
        const style = getComputedStyle(el);
        return style.display === 'none' || style.visibility === 'hidden';
    };
    // Text as drawn: innerText where it sees everything, else a walk of the flat tree.
    const flat = (node, skipAriaHidden) => {
        const parts = [];
        const rec = (n) => {
            if (n.nodeType === 3) { parts.push(n.nodeValue); return; }
            if (n.nodeType === 1) {
                if (hiddenStyle(n)) return;
                if (skipAriaHidden && n.getAttribute('aria-hidden') === 'true') return;
                if (n.tagName === 'SCRIPT' || n.tagName === 'STYLE' || n.tagName === 'TEMPLATE') return;
                if (n.shadowRoot) n.shadowRoot.childNodes.forEach(rec);
            }
            if (n.childNodes) n.childNodes.forEach(rec);
            if (n.nodeType === 1) parts.push(' ');
        };
        rec(node);
        return parts.join('').replace(/\s+/g, ' ').trim();
    };
    const text = (el) => hasShadow(el) ? flat(el, false)
        : (el.innerText || el.textContent || '').replace(/[ \t]+/g, ' ').trim();
    const byId = (el, id) => {
        const root = el.getRootNode ? el.getRootNode() : document;
        return (root.getElementById && root.getElementById(id)) || document.getElementById(id);
    };
    const name = (el) => {
        const label = (el.getAttribute('aria-label') || '').trim();
        if (label) return label;
        const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
            .map((id) => byId(el, id)).filter(Boolean).map((e) => text(e)).join(' ').trim();
        if (by) return by;
        return (el.getAttribute('alt') || text(el) || el.getAttribute('title') || '').trim();
    };
    const visible = (el) => !!el.getClientRects().length && !hiddenStyle(el);
    const isControl = (el) => ['button', 'link', 'menuitem', 'tab'].includes(role(el))
        || (!role(el) && (el.tagName === 'BUTTON' || (el.tagName === 'A' && el.hasAttribute('href'))
            || (el.tagName === 'INPUT' && ['button', 'submit'].includes(el.type))));
    // Signed out: a visible password field (the Sign In page), or a notice over the page saying so
    // (an in-page "your session has expired" modal) when ``expiredRe`` is given.
    const NOTICES = ['dialog', 'alertdialog', 'alert'];
    const notice = (e) => NOTICES.includes(role(e) || (e.tagName === 'DIALOG' ? 'dialog' : ''));
    const signIn = (expiredRe) => find(document, (e) => (e.tagName === 'INPUT' && e.type === 'password' && visible(e))
        || (!!expiredRe && notice(e) && expiredRe.test(e.textContent || '') && visible(e))).length > 0;
    // A region is busy while it, or something around it, says it is loading: aria-busy, an
    // indeterminate progress bar or spinner, or a visible "Loading…"-like text.
    const busy = (root, loadingRe) => {
        const up = (el) => el.parentElement || (el.getRootNode && el.getRootNode().host);
        for (let el = root; el && el.nodeType === 1; el = up(el)) {
            if (el.getAttribute('aria-busy') === 'true') return 'aria-busy';
        }
        const inside = find(root, (e) => e.getAttribute('aria-busy') === 'true' && visible(e));
        if (inside.length) return 'aria-busy';
        const bars = find(root, (e) => role(e) === 'progressbar' && !e.hasAttribute('aria-valuenow') && visible(e));
        if (bars.length) return 'progressbar';
        if (loadingRe) {
            const loading = find(root, (e) => {
                if (e.children.length > 3) return false;
                const own = (e.textContent || '').trim();
                return own.length < 80 && loadingRe.test(own) && visible(e);
            });
            if (loading.length) return 'loading text';
            const status = find(root, (e) => ['status', 'alert'].includes(role(e))
                && loadingRe.test((e.textContent || '').trim()) && visible(e));
            if (status.length) return 'loading text';
        }
        return null;
    };
    return {role, walk, find, text, flat, name, visible, isControl, signIn, busy, hiddenStyle};
})();
"""
