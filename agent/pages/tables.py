"""Reading a table the way a person scans it: headers by their text, cells by their column.

One round trip per table: the browser returns plain data, Python maps it with the label patterns.
Only what a person (or a screen reader) sees is assumed, never the site's classes:

- ``<table>`` markup and ARIA ``role=table|grid|treegrid`` with ``row``, ``columnheader``, ``cell``,
  ``gridcell`` and ``rowheader``, inside open shadow roots too;
- the header row is the one whose header cells name the wanted column (a group-heading row or a
  filter row of search boxes around it is not it); header text inside a sort button, without its
  arrows and "sorted ascending" words;
- cells are placed by ``aria-colindex`` when the site gives one, else by position with ``colspan``;
  a leading checkbox-only cell that the header row has no cell for is dropped; a row in which no
  cell says anything (a filter row of search boxes, a spacer) is not a data row;
- rows that are not drawn (collapsed detail rows, ``hidden``, ``aria-hidden``) are skipped; a row
  that is one cell across the whole table ("No referrals found.", "Loading…") is not a data row:
  its text goes to ``notes``.
"""

from __future__ import annotations

from typing import Any, TypedDict

from playwright.sync_api import Locator

from agent.pages.dom import DOM_JS, js_pattern, rx

TABLE_JS = r"""
const T = (() => {
    const TABLE_ROLES = ['table', 'grid', 'treegrid'];
    const CELL_ROLES = ['cell', 'gridcell', 'columnheader', 'rowheader'];
    const isTable = (el) => D.role(el) ? TABLE_ROLES.includes(D.role(el)) : el.tagName === 'TABLE';
    const isRow = (el) => D.role(el) ? D.role(el) === 'row' : el.tagName === 'TR';
    const isCell = (el) => D.role(el) ? CELL_ROLES.includes(D.role(el)) : (el.tagName === 'TD' || el.tagName === 'TH');
    const isHeaderCell = (el) => D.role(el) ? D.role(el) === 'columnheader'
        : el.tagName === 'TH' && el.getAttribute('scope') !== 'row';
    const drawn = (el) => D.visible(el) && !el.closest('[aria-hidden=true]');
    const tables = (root) => {
        const found = D.find(root, isTable);
        if (root.nodeType === 1 && isTable(root)) found.unshift(root);
        return found;
    };
    const rowsOf = (table) => D.find(table, isRow, (el) => isRow(el) || (el !== table && isTable(el)));
    const cellsOf = (row) => D.find(row, isCell, (el) => isCell(el) || isRow(el) || isTable(el));
    const SORT_WORDS = new RegExp(['\\b(sorted|sort)\\s+(ascending|descending)\\b', '\\bsortable\\b',
        '\\b(click|activate|press) to sort\\b', '^\\s*sort by\\s+'].join('|'), 'gi');
    const clean = (t) => (t || '').replace(SORT_WORDS, ' ').replace(/[^\p{L}\p{N}\s#.&'\/()_-]/gu, ' ')
        .replace(/\s+/g, ' ').trim();
    const headerText = (cell) => {
        const own = (cell.getAttribute('aria-label') || '').trim();
        if (own) return clean(own);
        const control = D.find(cell, (e) => D.isControl(e))[0];
        const named = control ? (control.getAttribute('aria-label') || '').trim() : '';
        return clean(named || D.flat(control || cell, true));
    };
    const span = (cell) => Math.max(1,
        parseInt(cell.getAttribute('colspan') || cell.getAttribute('aria-colspan') || '1', 10) || 1);
    const colIndex = (cell) => {
        const v = parseInt(cell.getAttribute('aria-colindex') || '', 10);
        return isNaN(v) ? null : v - 1;
    };
    const onlyCheckbox = (cell) => !D.text(cell) && D.find(cell, (e) => (e.tagName === 'INPUT' && e.type === 'checkbox')
        || D.role(e) === 'checkbox').length > 0;
    const place = (cells, width) => {
        const out = [];
        if (cells.every((c) => colIndex(c) !== null)) {
            for (const c of cells) for (let k = 0; k < span(c); k++) out[colIndex(c) + k] = c;
            return out;
        }
        for (const c of cells) for (let k = 0; k < span(c); k++) out.push(c);
        while (width && out.length > width && onlyCheckbox(out[0])) out.shift();
        return out;
    };
    const cellData = (cell) => {
        if (!cell) return {text: '', datetime: null, icon: null, href: null, controls: [], titles: []};
        const time = D.find(cell, (e) => e.tagName === 'TIME' && e.hasAttribute('datetime'))[0];
        const isIcon = (e) => D.role(e) === 'img' || e.tagName === 'IMG'
            || (e.tagName.toLowerCase() === 'svg' && e.hasAttribute('aria-label'));
        const icon = D.find(cell, isIcon)[0];
        const link = D.find(cell, (e) => e.tagName === 'A' && e.hasAttribute('href'))[0];
        return {
            text: D.text(cell),
            datetime: time ? time.getAttribute('datetime') : null,
            icon: icon ? D.name(icon) : null,
            href: link ? link.href : null,
            controls: D.find(cell, D.isControl).map(D.name),
            titles: D.find(cell, (e) => e.hasAttribute('title')).map((e) => e.getAttribute('title')),
        };
    };
    const read = (root, headerRe, controlRe) => {
        for (const table of tables(root)) {
            const rows = rowsOf(table).filter(drawn);
            // header cells, or (loose markup) the plain cells of a row inside <thead>
            const headerRows = rows.filter((r) => {
                const c = cellsOf(r);
                return c.length && (c.every(isHeaderCell) || !!r.closest('thead'));
            });
            const headerRow = headerRows.find((r) => cellsOf(r).some((c) => headerRe.test(headerText(c))));
            if (!headerRow) continue;
            const headerCells = place(cellsOf(headerRow), 0);
            const headers = [...headerCells].map((c) => (c ? headerText(c) : ''));
            const body = [];
            const notes = [];
            rows.forEach((row, index) => {
                if (headerRows.includes(row)) return;
                const cells = cellsOf(row);
                // a filter row of search boxes, a spacer: no cell says anything
                if (!cells.length || cells.every((c) => !D.text(c))) return;
                if (cells.length === 1 && headers.length > 1 && span(cells[0]) >= headers.length - 1) {
                    notes.push(D.text(cells[0]));
                    return;
                }
                const placed = place(cells, headers.length);
                const flagged = controlRe
                    ? D.find(row, (e) => D.isControl(e) || e.hasAttribute('title')).some(
                        (e) => controlRe.test(D.name(e)) || controlRe.test(e.getAttribute('title') || ''))
                    : false;
                body.push({index, cells: [...placed].map(cellData), flagged});
            });
            return {headers, rows: body, notes, table};
        }
        return null;
    };
    const hasButton = (root, re) => D.find(root, (e) => D.isControl(e) && D.role(e) !== 'link' && e.tagName !== 'A'
        && re.test(D.name(e))).length > 0;
    return {read, hasButton, rows: rowsOf, cells: cellsOf, place, isHeaderCell};
})();
"""

READ_TABLE = (
    "(root, args) => {\n"
    + DOM_JS
    + TABLE_JS
    + """
    const [headerSource, controlSource, buttonSource] = args;
    const found = T.read(root, new RegExp(headerSource, 'i'), controlSource ? new RegExp(controlSource, 'i') : null);
    if (!found) return null;
    const button = buttonSource ? T.hasButton(root, new RegExp(buttonSource, 'i')) : false;
    return {headers: found.headers, rows: found.rows, notes: found.notes, button};
}"""
)


class Cell(TypedDict):
    text: str
    datetime: str | None
    icon: str | None
    href: str | None
    controls: list[str]
    titles: list[str]


class Row(TypedDict):
    index: int  # among the table's drawn rows, header rows included (as get_by_role("row") counts them)
    cells: list[Cell]
    flagged: bool


class Table(TypedDict):
    headers: list[str]
    rows: list[Row]
    button: bool
    notes: list[str]  # texts of rows that span the whole table (an empty-list or loading message)


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
