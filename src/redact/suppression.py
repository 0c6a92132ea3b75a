"""Cell suppression for published count tables, and the interval attack it must withstand.

A table is a grid whose last row and column may be margins (`table_lines`). `protect` blanks every
count from 1 to k-1 (primary) and then more cells (complementary) until, for every blank small
count, the largest value an attacker can prove for it from everything published is at least k.
The attacker sees the published cells and margins, knows every blank is a non-negative count
and that zeros are published (so a blank the rule chose is at least 1), but not which blanks are
small: published outputs only ever say "suppressed". That bound is a linear program
(`AttackModel` built once per table, `AttackBounds` per pattern of blanks, solved by SciPy's HiGHS);
cheap rules run first and the program decides.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from redact.errors import ConfigError

PUBLISHED, PRIMARY, COMPLEMENTARY = "published", "primary", "complementary"
Cell = tuple[int, int]


def table_lines(n_rows: int, n_cols: int, dims: int) -> list[list[Cell]]:
    """Additive relations of a grid: each line's last cell is the sum of the others.

    dims 0: one cell, no relation. dims 1: one row whose last cell is the total. dims 2: the last
    row and column are margins, so every row and every column is a relation (the corner is the
    grand total, in both the margin row and the margin column).
    """
    if dims == 0:
        return []
    rows = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if dims == 1:
        return rows
    return rows + [[(i, j) for i in range(n_rows)] for j in range(n_cols)]


@dataclass
class Measure:
    """One measure of a table as the attacker sees it: values (of published cells), which cells
    are blank, the known lower bound of each blank, and whether lines add up (counts) or only
    bound each other (distinct counts: a margin is at most the sum of its parts, at least each)."""

    values: dict[Cell, int]
    hidden: set[Cell]
    floor: dict[Cell, int] = field(default_factory=dict)
    additive: bool = True


class AttackModel:
    """The attacker's linear program for tables whose values are fixed and whose blanks vary.

    Every cell of every measure is a variable; rows say that counts add up along `lines`, that
    distinct counts only bound each other along them, and `links` ((small, big): measure small
    never exceeds measure big in any cell, as distinct participants never exceed documents).
    Built once (sparse); `bounds` then splits it into blanks and known cells for one pattern."""

    def __init__(self, measures: dict[str, Measure], lines: list[list[Cell]],
                 links: Iterable[tuple[str, str]] = ()) -> None:
        import numpy as np
        from scipy.sparse import csr_array

        self.variables = [(name, c) for name, m in measures.items() for c in sorted(m.values)]
        self.index = {v: n for n, v in enumerate(self.variables)}
        self.value = np.array([measures[name].values[c] for name, c in self.variables], dtype=float)
        equal: list[dict[int, float]] = []  # each row: sum(a * x) == 0 (counts add up)
        at_most: list[dict[int, float]] = []  # each row: sum(a * x) <= 0
        for name, m in measures.items():
            for line in lines:
                parts, total = [self.index[(name, c)] for c in line[:-1]], self.index[(name, line[-1])]
                if m.additive:
                    equal.append(dict.fromkeys(parts, 1.0) | {total: -1.0})
                else:
                    at_most.append(dict.fromkeys(parts, -1.0) | {total: 1.0})
                    at_most += [{part: 1.0, total: -1.0} for part in parts]
        for small, big in links:
            at_most += [{self.index[(small, c)]: 1.0, self.index[(big, c)]: -1.0} for c in measures[small].values]

        def matrix(rows: list[dict[int, float]]):
            entries = [(r, col, a) for r, row in enumerate(rows) for col, a in row.items()]
            data, ii, jj = [e[2] for e in entries], [e[0] for e in entries], [e[1] for e in entries]
            return csr_array((data, (ii, jj)), shape=(len(rows), len(self.variables))).tocsc() if rows else None

        self.equal, self.at_most = matrix(equal), matrix(at_most)

    def bounds(self, measures: dict[str, Measure]) -> AttackBounds:
        """The program for the blanks (and their floors) of `measures`; values as at build time."""
        return AttackBounds(self, [(name, c) for name, m in measures.items() for c in sorted(m.hidden)],
                            {(name, c): f for name, m in measures.items() for c, f in m.floor.items()})


class AttackBounds:
    """The tightest bounds an attacker can prove for each blank: maximise (or minimise) it over
    every set of non-negative tables that match the published cells and obey the model's rows."""

    def __init__(self, model: AttackModel, hidden: Sequence[tuple[str, Cell]],
                 floor: dict[tuple[str, Cell], int]) -> None:
        import numpy as np

        self.variables, self.floors = list(hidden), dict(floor)
        self.index = {v: n for n, v in enumerate(self.variables)}
        blank = np.zeros(len(model.variables), dtype=bool)
        columns = [model.index[v] for v in self.variables]
        blank[columns] = True
        known = np.where(blank, 0.0, model.value)

        def split(matrix):
            if matrix is None:
                return None, None
            return matrix[:, columns], -(matrix @ known)

        self.a_eq, self.b_eq = split(model.equal)
        self.a_ub, self.b_ub = split(model.at_most)
        self.bounds = [(self.floors.get(v, 0), None) for v in self.variables]

    def _solve(self, target: tuple[str, Cell], sign: float) -> float:
        import numpy as np
        from scipy.optimize import linprog

        objective = np.zeros(len(self.variables))
        objective[self.index[target]] = -sign  # linprog minimises
        result = linprog(objective, A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq,
                         bounds=self.bounds, method="highs")
        if result.status == 3:
            return math.inf * sign
        if result.status != 0:
            raise RuntimeError(f"attack bound LP failed: {result.message}")
        return float(-result.fun * sign)

    def upper(self, target: tuple[str, Cell]) -> float:
        return self._solve(target, 1.0)

    def lower(self, target: tuple[str, Cell]) -> float:
        return self._solve(target, -1.0)


def protect(values: Sequence[Sequence[int]], k: int, dims: int = 2,
            force: Iterable[Cell] = ()) -> list[list[str]]:
    """Status of each cell of a grid laid out as in `table_lines`: published, primary or
    complementary. `force` marks cells suppressed up front (another measure's blanks); they may
    hold zeros, every other blank is at least 1."""
    if k < 1:
        raise ConfigError(f"k must be at least 1, got {k}")
    n_rows, n_cols = len(values), len(values[0]) if values else 0
    value = {(i, j): int(values[i][j]) for i in range(n_rows) for j in range(n_cols)}
    status = {c: (PRIMARY if 0 < v < k else PUBLISHED) for c, v in value.items()}
    forced = set(force)
    for c in forced:
        if status[c] == PUBLISHED:
            status[c] = COMPLEMENTARY
    lines = table_lines(n_rows, n_cols, dims)
    cell_lines: dict[Cell, list[int]] = {}
    for n, line in enumerate(lines):
        for c in line:
            cell_lines.setdefault(c, []).append(n)

    def pick(candidates: Iterable[Cell]) -> Cell | None:
        # Smallest first to lose the least; never a zero: zeros are published, so an attacker
        # may take every blank to be at least 1, and that must stay true.
        return min((c for c in candidates if value[c] > 0), key=lambda c: (value[c], c), default=None)

    def hide(c: Cell | None) -> bool:
        if c is None:
            return False
        status[c] = COMPLEMENTARY
        return True

    # Cheap rules first: they settle most tables before any linear program runs; then the
    # program, whose additions may leave a line with one blank, so the rules run again.
    while True:
        changed = True
        while changed:
            changed = False
            for line in lines:
                hidden = [c for c in line if status[c] != PUBLISHED]
                if len(hidden) == 1:
                    changed |= hide(pick(c for c in line if status[c] == PUBLISHED))
                    continue
                total, interior = line[-1], line[:-1]
                if status[total] == PUBLISHED and hidden:
                    # The attacker knows the hidden cells' sum; a small sum pins each of them down.
                    hidden_sum = sum(value[c] for c in interior if status[c] != PUBLISHED)
                    if 0 < hidden_sum < k:
                        changed |= hide(pick(c for c in interior if status[c] == PUBLISHED))
            if not changed and dims == 2:
                changed = hide(_bridge_complement(status, value, cell_lines))
        if not lines or not _close_intervals(status, value, lines, k, forced):
            break
    grid = [[PUBLISHED] * n_cols for _ in range(n_rows)]
    for (i, j), s in status.items():
        grid[i][j] = s
    return grid


def blank_floor(value: dict[Cell, int], hidden: Iterable[Cell], forced: Iterable[Cell] = ()) -> dict[Cell, int]:
    """What an attacker knows from below about each blank: 1, since zeros are published, except
    for cells blanked only because another measure is blank there (those may be zero)."""
    forced = set(forced)
    return {c: 0 if c in forced and not 0 < value[c] else 1 for c in hidden}


def _close_intervals(status: dict[Cell, str], value: dict[Cell, int], lines: list[list[Cell]], k: int,
                     forced: set[Cell]) -> bool:
    """Suppress more cells of one table until every small blank's provable upper bound reaches k;
    True if any was added."""
    statuses = {"table": status}

    def measures() -> dict[str, Measure]:
        hidden = {c for c, s in status.items() if s != PUBLISHED}
        return {"table": Measure(value, hidden, blank_floor(value, hidden, forced))}

    return close_intervals(statuses, {"table": value}, measures, lines, k)


def close_intervals(statuses: dict[str, dict[Cell, str]], values: dict[str, dict[Cell, int]], measures,
                    lines: list[list[Cell]], k: int, links: Iterable[tuple[str, str]] = (),
                    hide_with: dict[str, list[str]] | None = None) -> bool:
    """Suppress more cells until, for every small blank of every measure, the largest value the
    attacker can prove (`AttackBounds` over `measures()`, which reads `statuses`) is at least k.

    Hiding a cell only removes a constraint, so bounds never shrink: one pass over the small
    cells suffices. Candidates are published non-zero cells on a line with a blank, the target's
    own lines first, smallest first; the first that lifts the bound to k wins, else the one that
    lifts it most. `hide_with[m]` lists measures whose cell is hidden whenever m's is (so the
    document pattern carries over). True if any cell was added."""
    links, hide_with, added = list(links), hide_with or {}, False
    cell_lines: dict[Cell, set[int]] = {}
    for n, line in enumerate(lines):
        for c in line:
            cell_lines.setdefault(c, set()).add(n)

    model = AttackModel(measures(), lines, links)
    programs: dict[frozenset, AttackBounds] = {}  # per pattern of blanks: targets share one

    def upper(target: tuple[str, Cell]) -> float:
        now = measures()
        pattern = frozenset((name, c) for name, m in now.items() for c in m.hidden)
        if pattern not in programs:
            programs.clear()
            programs[pattern] = model.bounds(now)
        return programs[pattern].upper(target)

    def hide(name: str, c: Cell, how: str = COMPLEMENTARY) -> list[tuple[str, Cell]]:
        changed = []
        for m in [name, *hide_with.get(name, [])]:
            if statuses[m][c] == PUBLISHED:
                statuses[m][c] = how
                changed.append((m, c))
        return changed

    targets = sorted((name, c) for name, status in statuses.items() for c, s in status.items() if s == PRIMARY)
    for target in targets:
        bound = upper(target)
        while bound < k:
            blank_lines = {n for status in statuses.values() for c, s in status.items() if s != PUBLISHED
                           for n in cell_lines[c]}
            own = cell_lines[target[1]]
            candidates = sorted(((name, c) for name, status in statuses.items() for c, s in status.items()
                                 if s == PUBLISHED and values[name][c] > 0 and blank_lines & cell_lines[c]),
                                key=lambda v: (not own & cell_lines[v[1]], v[0] == "documents", values[v[0]][v[1]], v))
            if not candidates:  # cannot happen: with every non-zero cell blank the bound is infinite
                raise RuntimeError("no cell left to protect a small count")
            best, best_bound = candidates[0], -1.0
            for name, c in candidates:
                changed = hide(name, c)
                lifted = upper(target)
                for m, cell in changed:
                    statuses[m][cell] = PUBLISHED
                if lifted > best_bound:
                    best, best_bound = (name, c), lifted
                if lifted >= k:
                    break
            hide(*best)
            bound, added = best_bound, True
    return added


def _bridge_complement(status: dict[Cell, str], value: dict[Cell, int],
                       cell_lines: dict[Cell, list[int]]) -> Cell | None:
    """A cell to suppress so that some suppressed cell stops being solvable, or None.

    Lines are vertices and suppressed cells edges (each cell joins its row and its column). The
    solutions of the hidden cells differ only along cycles of this graph, so a hidden cell on no
    cycle (a bridge) is fixed by the totals even when every line holds two hidden cells.
    """
    edges = {c: tuple(cell_lines[c]) for c, s in status.items() if s != PUBLISHED}
    for bridge, (a, b) in sorted(edges.items()):
        side_a = _component(a, edges, skip=bridge)
        if b in side_a:
            continue
        side_b = _component(b, edges, skip=bridge)
        joining = [c for c, s in status.items() if s == PUBLISHED and value[c] > 0 and
                   ((cell_lines[c][0] in side_a and cell_lines[c][1] in side_b) or
                    (cell_lines[c][0] in side_b and cell_lines[c][1] in side_a))]
        choice = min(joining, key=lambda c: (value[c], c), default=None)
        if choice is not None:
            return choice
    return None


def _component(start: int, edges: dict[Cell, tuple[int, ...]], skip: Cell) -> set[int]:
    adjacency: dict[int, list[int]] = {}
    for c, (u, v) in edges.items():
        if c != skip:
            adjacency.setdefault(u, []).append(v)
            adjacency.setdefault(v, []).append(u)
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in adjacency.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
