"""Reading a table the way a person scans it: headers by their text, cells by their column.

One round trip per table: the browser returns plain data, Python maps it with the label patterns.
Only semantic markup is assumed (a table of rows with header cells), never the sandbox's classes.
"""

from __future__ import annotations

from typing import Any, TypedDict

from playwright.sync_api import Locator

from agent.pages.base import js_pattern, rx

READ_TABLE = """
(root, args) => {
    const [headerSource, controlSource, buttonSource] = args;
    const headerRe = new RegExp(headerSource, 'i');
    const controlRe = controlSource ? new RegExp(controlSource, 'i') : null;
    const buttonRe = buttonSource ? new RegExp(buttonSource, 'i') : null;
    const name = (el) => (el.getAttribute('aria-label') || el.getAttribute('alt') || el.innerText
                          || el.textContent || el.getAttribute('title') || '').trim();
    const tables = [...root.querySelectorAll('table, [role=table], [role=grid]')];
    if (root.matches && root.matches('table')) tables.unshift(root);
    for (const table of tables) {
        const rows = [...table.querySelectorAll('tr, [role=row]')];
        const headerRow = rows.find(r => r.querySelector('th, [role=columnheader]'));
        if (!headerRow) continue;
        const headers = [...headerRow.children].map(c => (c.innerText || c.textContent || '').trim());
        if (!headers.some(h => headerRe.test(h))) continue;
        const body = [];
        rows.forEach((row, index) => {
            if (row === headerRow || row.querySelector('th[scope=col], [role=columnheader]')) return;
            const cells = [...row.children].map(cell => {
                const time = cell.querySelector('time[datetime]');
                const icon = cell.querySelector('[role=img], img, svg[aria-label]');
                const link = cell.querySelector('a[href]');
                return {
                    text: (cell.innerText || cell.textContent || '').trim(),
                    datetime: time ? time.getAttribute('datetime') : null,
                    icon: icon ? name(icon) : null,
                    href: link ? link.href : null,
                    controls: [...cell.querySelectorAll('button, a, [role=button], [role=link]')].map(name),
                    titles: [...cell.querySelectorAll('[title]')].map(e => e.getAttribute('title')),
                };
            });
            const flagged = controlRe
                ? [...row.querySelectorAll('button, a, [role=button], [role=link], [title]')].some(
                    e => controlRe.test(name(e)) || controlRe.test(e.getAttribute('title') || ''))
                : false;
            body.push({index, cells, flagged});
        });
        const button = buttonRe
            ? [...root.querySelectorAll('button, [role=button]')].some(e => buttonRe.test(name(e)))
            : false;
        return {headers, rows: body, button};
    }
    return null;
}
"""


class Cell(TypedDict):
    text: str
    datetime: str | None
    icon: str | None
    href: str | None
    controls: list[str]
    titles: list[str]


class Row(TypedDict):
    index: int
    cells: list[Cell]
    flagged: bool


class Table(TypedDict):
    headers: list[str]
    rows: list[Row]
    button: bool


def read_table(root: Locator, header: str, control: str | None = None, button: str | None = None) -> Table | None:
    """The first table under ``root`` with a header matching ``header``; rows flagged when a
    control in them matches ``control``; ``button`` says whether ``root`` has a button named so."""
    patterns = [js_pattern(p) if p else None for p in (header, control, button)]
    result: Any = root.evaluate(READ_TABLE, patterns)
    return result  # type: ignore[no-any-return]


def column(headers: list[str], pattern: str) -> int | None:
    """Index of the first header matching the label pattern."""
    matcher = rx(pattern)
    return next((i for i, text in enumerate(headers) if matcher.search(text)), None)


def cell_text(row: Row, index: int | None) -> str:
    if index is None or index >= len(row["cells"]):
        return ""
    return row["cells"][index]["text"]
