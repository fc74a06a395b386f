"""What can be exported from a project, as rows ready for a writer."""

from __future__ import annotations

import json
from typing import Iterator

from . import golden, store
from .project import Project

_PAGE = 20_000


def record_columns(project: Project, sources: list[store.Source]) -> tuple[list[str], dict[int, list[int]]]:
    """The export header and, per source, where each of its columns goes.

    Columns are matched across sources by header text (and occurrence, so two
    'email' columns in one file stay two columns); a source without a header
    row contributes its generated labels.
    """
    keys: dict[tuple[str, int], int] = {}
    placement: dict[int, list[int]] = {}
    for source in sources:
        seen: dict[str, int] = {}
        slots = []
        for column in store.columns(project, source.id):
            text = column.header if source.has_header else column.label
            seen[text] = seen.get(text, 0) + 1
            key = (text, seen[text])
            slots.append(keys.setdefault(key, len(keys)))
        placement[source.id] = slots
    return ["source", "row"] + [text for text, _ in keys], placement


def _placed(values: list[str], slots: list[int], width: int) -> list[str]:
    """A record's values in export column order (columns other sources have stay empty)."""
    row = [""] * width
    for slot, value in zip(slots, values):
        row[slot] = value
    return row


def _pages(project: Project, sources: list[store.Source]) -> Iterator[tuple[store.Source, list[store.Record]]]:
    """Each source's records page by page, in file order (empty pages skipped)."""
    for source in sources:
        for offset in range(0, source.record_count, _PAGE):
            page = store.records(project, source.id, offset, _PAGE)
            if page:
                yield source, page


def record_rows(project: Project, sources: list[store.Source], placement: dict[int, list[int]],
                width: int) -> Iterator[list[str]]:
    """Every imported record: source name, 1-based row, then values in export order."""
    for source, page in _pages(project, sources):
        for record in page:
            yield [source.name, str(record.row_no)] + _placed(record.values, placement[source.id], width)


CLUSTER_COLUMNS = ["source", "row", "cluster_id", "confidence"]
FAILURE_COLUMNS = ["source", "row", "rule", "field", "severity", "message", "suggestion"]


def failure_rows(project: Project, sources: list[store.Source], placement: dict[int, list[int]],
                 width: int) -> Iterator[list[str]]:
    """One row per stored failure, in file order then rule order, followed by the record's original values."""
    messages: dict[str, str] = {}
    for source, page in _pages(project, sources):
        by_id = {record.id: record for record in page}
        found = project.conn.execute(
            "SELECT f.record_id, f.rule, f.field, f.severity, f.detail, f.suggestion, r.definition "
            "FROM failures f LEFT JOIN rules r ON r.name = f.rule WHERE f.record_id >= ? AND f.record_id <= ? "
            "ORDER BY f.record_id, r.position, f.rule", (page[0].id, page[-1].id),
        )
        for record_id, rule, field, severity, detail, suggestion, definition in found:
            if rule not in messages:
                messages[rule] = json.loads(definition)["message"] if definition else rule
            message = f"{messages[rule]}: {detail}" if detail else messages[rule]
            record = by_id[record_id]
            yield [source.name, str(record.row_no), rule, field, severity, message, suggestion or ""] + \
                _placed(record.values, placement[source.id], width)


def cluster_rows(project: Project, sources: list[store.Source], placement: dict[int, list[int]],
                 width: int) -> Iterator[list[str]]:
    """Every imported record with its cluster id and confidence (both empty when it is alone)."""
    for source, page in _pages(project, sources):
        clusters = store.cluster_of_records(project, page[0].id, page[-1].id)
        for record in page:
            cluster_id, confidence = clusters.get(record.id, ("", None))
            yield [source.name, str(record.row_no), str(cluster_id), "" if confidence is None else f"{confidence:.4f}"] \
                + _placed(record.values, placement[source.id], width)


CROSSWALK_COLUMNS = ["source", "row", "golden_id"]


def golden_header(project: Project, columns: list[str]) -> tuple[list[str], list[str]]:
    """The golden export's header and the keys behind it: each mapped field under the header text of the
    first source column mapped to it, then the chosen unmapped columns by their header text."""
    keys = golden.golden_keys(project)
    headers = {}
    for field, header in project.conn.execute(
            "SELECT field, header FROM columns WHERE field IS NOT NULL ORDER BY source_id, position"):
        headers.setdefault(field, header)
    texts = [headers[k] for k in keys] + list(columns)
    return ["golden_id", "records"] + texts, keys + [golden.COLUMN_PREFIX + c for c in columns]


def golden_rows(project: Project, keys: list[str]) -> Iterator[list[str]]:
    """One row per entity: its id, how many source records it stands for, then its values."""
    for entity in golden.entities(project, keys):
        yield [entity.id, str(entity.members)] + entity.values


def crosswalk_rows(project: Project) -> Iterator[list[str]]:
    """Each imported record and the entity it belongs to."""
    for source, row, entity in golden.crosswalk(project):
        yield [source, str(row), entity]
