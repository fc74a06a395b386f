"""The project report: one self-contained HTML page a steward can hand on, archive or print.

Figures are read in one read transaction, so the audit head hash printed with
them names exactly the state they describe, even while the project is open for
writing elsewhere. Rendering is a pure function of the figures. Every text that
comes from the data (file names, headers, values, rule names and messages) is
escaped, and the page loads nothing: its style is inline and its charts are
inline SVG.
"""

from __future__ import annotations

import html
import json
import re
import shlex
from dataclasses import dataclass
from typing import Sequence

from . import audit, store
from .profile_sources import profile_project
from .profiling import SourceProfile
from .progress import Progress, no_progress
from .project import Project, utc_now

#: Cluster statuses always listed, in this order; any other status found follows them.
STATUSES = ("auto", "review", "deferred", "merged")
_STATUS_MEANINGS = {"auto": "sure enough to merge without a look", "review": "a steward decides",
                    "deferred": "put aside with a note", "merged": "merged into a golden record"}
_TEXT_LIMIT = 40  # longer values and headers are shortened in tables and charts
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class SourceFigures:
    name: str
    file_name: str
    rejected: int
    headers: list[str]          # by column position: the header as in the file, else the generated label
    profile: SourceProfile


@dataclass(frozen=True)
class RuleFailures:
    rule: str
    message: str
    severity: str
    failures: int


@dataclass(frozen=True)
class ValidationFigures:
    finished_at: str            # of the latest run
    runs: int
    rules: int                  # rules the latest run checked
    records: int                # records the latest run covered
    records_with_errors: int
    failures: list[RuleFailures]  # most failures first


@dataclass(frozen=True)
class ScorePoint:
    finished_at: str
    score: float
    error_free: float
    completeness: float | None


@dataclass(frozen=True)
class DuplicateFigures:
    finished_at: str            # of the latest match run, as are the next four
    records: int
    candidates: int
    clusters: int
    seconds: float
    by_status: list[tuple[str, int, int]]   # (status, clusters still proposed, records in them)
    not_duplicate_pairs: int
    rejections: int             # reject_cluster entries in the audit trail
    rejections_undone: int      # restore_cluster entries
    golden_records: int
    records_merged: int


@dataclass(frozen=True)
class ReportFigures:
    project_name: str
    generated_at: str           # UTC ISO 8601
    audit_head: str
    audit_entries: int
    sources: list[SourceFigures]
    validation: ValidationFigures | None   # None: never validated
    scores: list[ScorePoint]               # the whole project's score per validation run, oldest first
    duplicates: DuplicateFigures | None    # None: never matched

    @property
    def records(self) -> int:
        return sum(s.profile.rows for s in self.sources)


def gather(project: Project, progress: Progress = no_progress) -> ReportFigures:
    """Read everything the report shows in one snapshot (call it outside a transaction); progress counts
    records profiled."""
    conn = project.conn
    conn.execute("BEGIN")
    try:
        profiles = {p.source: p for p in profile_project(project, progress)}
        sources = [SourceFigures(s.name, s.file_name, s.rejected_count,
                                 [c.header if s.has_header and c.header.strip() else c.label
                                  for c in store.columns(project, s.id)], profiles[s.name])
                   for s in store.sources(project)]
        return ReportFigures(
            project_name=project.path.name, generated_at=utc_now(), audit_head=audit.head_hash(project),
            audit_entries=conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0], sources=sources,
            validation=_validation(project), scores=_scores(project), duplicates=_duplicates(project),
        )
    finally:
        conn.execute("ROLLBACK")


def _validation(project: Project) -> ValidationFigures | None:
    conn = project.conn
    latest = conn.execute("SELECT finished_at, rules, records, (SELECT COUNT(*) FROM validation_runs) "
                          "FROM validation_runs ORDER BY id DESC LIMIT 1").fetchone()
    if latest is None:
        return None
    messages = {name: json.loads(definition).get("message", "")
                for name, definition in conn.execute("SELECT name, definition FROM rules")}
    failures = [RuleFailures(rule, messages.get(rule, ""), severity, count) for rule, severity, count in conn.execute(
        "SELECT rule, severity, COUNT(*) FROM failures GROUP BY rule, severity ORDER BY COUNT(*) DESC, rule")]
    with_errors = conn.execute("SELECT COUNT(DISTINCT record_id) FROM failures WHERE severity = 'error'").fetchone()[0]
    finished_at, rules, records, runs = latest
    return ValidationFigures(finished_at, runs, rules, records, with_errors, failures)


def _scores(project: Project) -> list[ScorePoint]:
    rows = project.conn.execute(
        "SELECT r.finished_at, q.score, q.error_free, q.completeness FROM quality_scores q "
        "JOIN validation_runs r ON r.id = q.run_id WHERE q.source_id IS NULL ORDER BY r.id")
    return [ScorePoint(*row) for row in rows]


def _duplicates(project: Project) -> DuplicateFigures | None:
    conn = project.conn
    run = conn.execute("SELECT finished_at, records, candidates, clusters, seconds FROM match_runs "
                       "ORDER BY id DESC LIMIT 1").fetchone()
    if run is None:
        return None
    # A rejected proposal keeps its clusters row but loses its members: only clusters with members still stand.
    # A status this version does not know (a newer Steward's, read-only) is listed after the known ones.
    found = {status: (clusters, records) for status, clusters, records in conn.execute(
        "SELECT c.status, COUNT(DISTINCT c.id), COUNT(*) FROM clusters c "
        "JOIN cluster_members m ON m.cluster_id = c.id GROUP BY c.status")}
    statuses = list(STATUSES) + sorted(set(found) - set(STATUSES))
    actions = dict(conn.execute("SELECT action, COUNT(*) FROM audit WHERE action IN ('reject_cluster', "
                                "'restore_cluster') GROUP BY action").fetchall())
    golden, merged = conn.execute("SELECT COUNT(DISTINCT golden_id), COUNT(*) FROM golden_members").fetchone()
    return DuplicateFigures(
        *run, by_status=[(s, *found.get(s, (0, 0))) for s in statuses],
        not_duplicate_pairs=conn.execute("SELECT COUNT(*) FROM not_duplicates").fetchone()[0],
        rejections=actions.get("reject_cluster", 0), rejections_undone=actions.get("restore_cluster", 0),
        golden_records=golden, records_merged=merged,
    )


# -- rendering ---------------------------------------------------------------------------------------

def _e(value: object) -> str:
    """Text made safe for HTML and SVG: characters XML forbids shown as U+FFFD, then escaped."""
    return html.escape(_FORBIDDEN.sub("\ufffd", str(value)), quote=True)


def _shorten(text: str, limit: int = _TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _command(*words: str) -> str:
    return f"<code>{_e(shlex.join(words))}</code>"


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[int] = ()) -> str:
    """A table of plain values (escaped here); the columns in ``numeric`` are right-aligned."""
    def cells(tag: str, values: Sequence[object]) -> str:
        return "".join(f'<{tag} class="num">{_e(v)}</{tag}>' if i in numeric else f"<{tag}>{_e(v)}</{tag}>"
                       for i, v in enumerate(values))
    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><thead><tr>{cells('th', head)}</tr></thead><tbody>{body}</tbody></table>"


def _facts(pairs: Sequence[tuple[str, int | str]]) -> str:
    """A two-column table of labelled figures; counts are right-aligned with thousands separators."""
    def value(v: int | str) -> str:
        return f'<td class="num">{v:,}</td>' if isinstance(v, int) else f"<td>{_e(v)}</td>"
    return '<table class="facts">' + "".join(f"<tr><th>{_e(k)}</th>{value(v)}</tr>" for k, v in pairs) + "</table>"


def _bar_chart(title: str, bars: Sequence[tuple[str, float, str, str]], maximum: float) -> str:
    """Horizontal bars of (label, value, value as text, colour); each value is written out too, so the chart
    still reads when printed in black and white. ``maximum`` (above 0) is the value of a full-width bar."""
    label_width, bar_width, row = 230, 330, 20
    height = row * len(bars) + 6
    parts = [f'<svg width="{label_width + bar_width + 70}" height="{height}" viewBox="0 0 '
             f'{label_width + bar_width + 70} {height}" role="img" aria-label="{_e(title)}" '
             f'font-family="sans-serif" font-size="12"><title>{_e(title)}</title>']
    for index, (label, value, text, colour) in enumerate(bars):
        y = 3 + index * row
        width = round(bar_width * value / maximum, 1)
        parts.append(f'<g><title>{_e(label)}: {_e(text)}</title>'
                     f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{_e(_shorten(label, 34))}</text>'
                     f'<rect x="{label_width}" y="{y + 2}" width="{width}" height="{row - 6}" fill="{colour}"/>'
                     f'<text x="{label_width + width + 4}" y="{y + 13}">{_e(text)}</text></g>')
    return "".join(parts) + "</svg>"


def _score_chart(points: Sequence[ScorePoint]) -> str:
    """The project's score (0-100) over its validation runs, oldest on the left."""
    width, height, left, right, top, bottom = 560, 150, 34, 14, 10, 26
    def x(i: int) -> float:
        return round(left + (width - left - right) * (i / (len(points) - 1) if len(points) > 1 else 0.5), 1)
    def y(score: float) -> float:
        return round(top + (height - top - bottom) * (1 - score / 100), 1)
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             'aria-label="Quality score per validation run" font-family="sans-serif" font-size="11">'
             "<title>Quality score per validation run</title>"]
    for level in (0, 50, 100):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(level)}" y2="{y(level)}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y(level) + 4}" text-anchor="end">{level}</text>')
    line = " ".join(f"{x(i)},{y(p.score)}" for i, p in enumerate(points))
    parts.append(f'<polyline points="{line}" fill="none" stroke="#2f5f98" stroke-width="2"/>')
    for i, point in enumerate(points):
        parts.append(f'<circle cx="{x(i)}" cy="{y(point.score)}" r="3" fill="#2f5f98">'
                     f"<title>{_e(point.finished_at)}: {point.score:.1f}</title></circle>")
    first, last = points[0].finished_at[:10], points[-1].finished_at[:10]
    parts.append(f'<text x="{left}" y="{height - 6}">{_e(first)}</text>'
                 f'<text x="{width - right}" y="{height - 6}" text-anchor="end">{_e(last)}</text>')
    return "".join(parts) + "</svg>"


def _header(figures: ReportFigures) -> str:
    name = figures.project_name
    return (f"<h1>Steward report: {_e(name)}</h1>" + _facts([
        ("Project file", name), ("Generated (UTC)", figures.generated_at), ("Sources", len(figures.sources)),
        ("Records", figures.records), ("Audit trail entries", figures.audit_entries)]) +
        f"<p>Audit trail head hash: <code>{_e(figures.audit_head)}</code>"
        f"{'' if figures.audit_entries else ' (the trail is empty)'}</p>"
        '<p class="note">Every change to the project is recorded in its audit trail, each entry carrying the hash '
        f"of the one before. To check the project or a copy of it, run {_command('steward', 'audit', name, '--verify')}"
        ": every entry must hold, and the head hash it prints must be the one above unless the project was "
        "changed after this report.</p>")


def _profile(figures: ReportFigures) -> str:
    parts = ["<h2>Profile</h2>"]
    if not figures.sources:
        parts.append(f'<p class="note">The project has no sources yet. Import one with: '
                     f"{_command('steward', 'import', figures.project_name, 'FILE')}</p>")
    for source in figures.sources:
        columns = source.profile.columns
        parts.append(f"<h3>{_e(source.name)}</h3><p>{_e(source.file_name)}: {source.profile.rows:,} records, "
                     f"{source.rejected:,} rows rejected on import.</p>")
        if columns:
            parts.append(_bar_chart(f"Filled share per column of {source.name}",
                                    [(source.headers[c.position], c.filled_share, f"{c.filled_share:.1%}", "#4a78b5")
                                     for c in columns], 1.0))
        parts.append(_table(
            ["#", "Header", "Field", "Filled", "Distinct", "Top values"],
            [[c.position + 1, _shorten(source.headers[c.position]), c.field or "—", f"{c.filled_share:.1%}",
              f"{c.distinct:,}", ", ".join(f"{_shorten(v)} ({n:,})" for v, n in c.top_values)] for c in columns],
            numeric=(0, 3, 4)))
    return "".join(parts)


def _validation_section(figures: ReportFigures) -> str:
    run = figures.validation
    if run is None:
        return ('<h2>Validation</h2><p class="note">The project has never been validated, so no failures were '
                f"counted. Validate it with: {_command('steward', 'validate', figures.project_name)}</p>")
    errors = sum(f.failures for f in run.failures if f.severity == "error")
    parts = ["<h2>Validation</h2>", _facts([
        ("Last validated (UTC)", run.finished_at), ("Validation runs", run.runs), ("Rules checked", run.rules),
        ("Records checked", run.records), ("Records with an error", run.records_with_errors),
        ("Error failures", errors), ("Warning failures", sum(f.failures for f in run.failures) - errors)])]
    if not run.failures:
        parts.append('<p class="note">No record fails any rule.</p>')
        return "".join(parts)
    colours = {"error": "#b03a2e", "warning": "#c98a12"}
    parts.append('<p class="note">Failures by rule: errors in red, warnings in amber.</p>')
    bars = [(f.rule, f.failures, f"{f.failures:,}", colours.get(f.severity, "#777")) for f in run.failures]
    parts.append(_bar_chart("Failures by rule", bars, max(f.failures for f in run.failures)))
    parts.append(_table(["Rule", "Message", "Severity", "Failures"],
                        [[f.rule, f.message, f.severity, f"{f.failures:,}"] for f in run.failures], numeric=(3,)))
    return "".join(parts)


def _quality(figures: ReportFigures) -> str:
    scores = figures.scores
    if not scores:
        return ('<h2>Quality score</h2><p class="note">No quality score yet: each validation run computes one '
                f"({_command('steward', 'validate', figures.project_name)}).</p>")
    first, latest = scores[0], scores[-1]

    def row(label: str, point: ScorePoint) -> list[object]:
        filled = "—" if point.completeness is None else f"{point.completeness:.1%}"
        return [label, point.finished_at, f"{point.score:.1f}", f"{point.error_free:.1%}", filled]
    parts = ["<h2>Quality score</h2>", '<p class="note">0–100: half the share of records without an error, '
             "half the share of mapped fields filled.</p>",
             _table(["", "Run finished (UTC)", "Score", "Records without an error", "Mapped fields filled"],
                    [row("Before (first run)", first), row("After (latest run)", latest)], numeric=(2, 3, 4)),
             f"<p>Change: {latest.score - first.score:+.1f} points over {len(scores):,} validation runs.</p>"]
    if len(scores) > 1:
        parts.append(_score_chart(scores))
    return "".join(parts)


def _duplicates_section(figures: ReportFigures) -> str:
    found = figures.duplicates
    if found is None:
        return ('<h2>Duplicates</h2><p class="note">The project has never been matched, so no duplicates were '
                f"looked for. Find them with: {_command('steward', 'match', figures.project_name)}</p>")
    return "".join([
        "<h2>Duplicates</h2>", _facts([
            ("Last matched (UTC)", found.finished_at), ("Records compared", found.records),
            ("Candidate pairs scored", found.candidates), ("Clusters found", found.clusters),
            ("Time taken", f"{found.seconds:.1f} s")]),
        "<h3>Proposed clusters by status</h3>",
        _table(["Status", "Meaning", "Clusters", "Records"],
               [[s, _STATUS_MEANINGS.get(s, ""), f"{c:,}", f"{r:,}"] for s, c, r in found.by_status], numeric=(2, 3)),
        "<h3>Rejected</h3>", _facts([
            ("Record pairs marked not duplicates", found.not_duplicate_pairs),
            ("Cluster rejections in the audit trail", found.rejections),
            ("Rejections undone", found.rejections_undone)]),
        "<h3>Merged</h3>", _facts([
            ("Golden records", found.golden_records), ("Records merged into them", found.records_merged)]),
    ])


_STYLE = """
body { font: 14px/1.45 system-ui, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; max-width: 62rem;
       margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .5rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #bbb; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #e2e2e2; padding: .2rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #f3f3f3; }
table.facts th { font-weight: normal; color: #555; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td { overflow-wrap: anywhere; }
.note { color: #555; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em; }
svg { display: block; max-width: 100%; height: auto; margin: .5rem 0 1rem; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } h2, h3 { break-after: avoid; }
               tr, svg { break-inside: avoid; } * { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
"""


def render(figures: ReportFigures) -> str:
    """The whole page: UTF-8, inline style, inline SVG, nothing loaded from anywhere."""
    body = "".join(["<header>", _header(figures), "</header>"] + [
        f'<section id="{key}">{part(figures)}</section>' for key, part in (
            ("profile", _profile), ("validation", _validation_section), ("quality", _quality),
            ("duplicates", _duplicates_section))])
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Steward report: {_e(figures.project_name)}</title>\n<style>{_STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")

