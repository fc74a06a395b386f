"""The ``steward`` command line: everything the window does, scriptable.

Errors a user can act on are printed as one clear message with a non-zero exit
code, never as a traceback.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from . import __version__, audit, export_jobs, operations, store
from .cli_audit import audit_command
from .cli_decisions import (accept_command, defer_command, fix_command, redo_command, reject_command,
                            revert_command, undo_command)
from .cli_match import match_command
from .cli_report import report_command
from .cli_merge import golden_command, merge_auto_command, merge_command, split_command, unmerge_command
from .cli_rules import rules_command, validate_command
from .cli_trainer import demo_command, reset_command, score_command
from .cli_util import progress_bar
from .errors import Cancelled, SheetChoiceNeeded, StewardError
from .export_jobs import EXPORTERS, ExportOptions, Written
from .importer import DuplicateSource, ImportOptions, ImportResult, import_file
from .io.text_reader import delimiter_name
from .mapping import FIELDS
from .profile_sources import profile_project
from .profiling import ColumnProfile
from .progress import no_progress
from .project import Project
from .refresh import Refresh, summarise

_DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    value = _DELIMITER_WORDS.get(value.lower(), value)
    if len(value) != 1:
        raise click.BadParameter("give one character, or comma, semicolon, tab or pipe", param_hint="--delimiter")
    return value


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        if not sep or not column:
            raise click.BadParameter(f"'{pair}' is not COLUMN=FIELD (fields: {', '.join(FIELDS)})", param_hint="--map")
        mapping[column] = field.strip()
    return mapping


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="steward")
def cli() -> None:
    """Steward: offline customer-data stewardship.

    A project is one file (suggested extension .steward) holding every imported
    list, exactly as it arrived.
    """


@cli.command("import")
@click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", "source_name", help="Name of the new source (default: the file name).")
@click.option("--encoding", help="Text encoding, e.g. utf-8, cp1252, gb18030, cp932, utf-16 (default: detect).")
@click.option("--delimiter", help="One character, or comma, semicolon, tab, pipe (default: detect).")
@click.option("--sheet", help="Excel sheet to import (needed when a workbook has several).")
@click.option("--no-header", is_flag=True, help="The first row is data; columns are named Column 1, 2, ….")
@click.option("--header-row", type=click.IntRange(min=1), help="The header is on this row (rows above are kept as rejected).")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
              help="Map a column (header, label or #N) to a canonical field; FIELD empty or - to unmap. Repeatable.")
@click.option("--password", help="Password of a protected workbook (never stored).")
@click.option("--replace-invalid", is_flag=True, help="Replace undecodable bytes with \ufffd and flag those rows.")
@click.option("--again", is_flag=True, help="Import even if the identical file was imported before.")
@click.option("--refresh", "refreshes", metavar="SOURCE",
              help="FILE is a newer export of SOURCE: it takes SOURCE's place and the decisions on its rows carry over.")
@click.option("--key", metavar="COLUMN", help="With --refresh: the column that identifies a row in both files "
                                                 "(default: the one mapped to customer_id, else rows must be identical).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def import_command(project: Path, file: Path, source_name: str | None, encoding: str | None, delimiter: str | None,
                   sheet: str | None, no_header: bool, header_row: int | None, maps: tuple[str, ...],
                   password: str | None, replace_invalid: bool, again: bool, refreshes: str | None, key: str | None,
                   as_json: bool) -> None:
    """Import FILE (CSV, TSV, TXT, XLSX, XLS) into PROJECT, creating PROJECT if missing."""
    if no_header and header_row:
        raise click.UsageError("--no-header and --header-row exclude each other.")
    if key and not refreshes:
        raise click.UsageError("--key only goes with --refresh.")
    options = ImportOptions(
        source_name=source_name, encoding=encoding, delimiter=_delimiter(delimiter), sheet=sheet,
        header_row=0 if no_header else header_row, mapping=_mapping(maps), password=password,
        replace_invalid=replace_invalid, allow_duplicate=again,
    )
    opened = Project.open(project, create=True)
    try:
        for warning in opened.warnings:
            click.echo(f"Warning: {warning}", err=True)
        carried: list[audit.Entry] = []
        then = None
        if refreshes:
            earlier = store.source_named(opened, refreshes)
            if earlier.superseded_by is not None:
                newer = next(s.name for s in store.sources(opened) if s.id == earlier.superseded_by)
                raise StewardError(f"Source '{earlier.name}' was already replaced by '{newer}': refresh that one.")

            def then(result: ImportResult) -> None:
                carried.append(operations.perform(opened, Refresh(earlier.id, result.source_id, key),
                                                  f"{file.name} refreshes {earlier.name}"))
        with progress_bar(file.name) as report:
            result = import_file(opened, file, options, progress=report, then=then)
    except BaseException as exc:
        if opened.created:
            opened.discard()  # a project made only for this import goes with it
        else:
            opened.close()
        if isinstance(exc, DuplicateSource):
            raise StewardError(f"{exc} (add --again)") from None
        if isinstance(exc, SheetChoiceNeeded):
            raise StewardError(f"{exc} (add --sheet NAME)") from None
        raise
    opened.close()
    if as_json:
        click.echo(json.dumps(asdict(result) | {"rows_in_file": result.rows_in_file}, ensure_ascii=False, indent=2))
        return
    click.echo(f"Imported {result.imported} rows from {result.file_name} as source '{result.source_name}'; "
               f"rejected {result.rejected} (rows in file besides the header: {result.rows_in_file}).")
    if result.encoding:
        click.echo(f"Encoding: {result.encoding} ({result.encoding_method}, confidence {result.encoding_confidence:.0%}); "
                   f"delimiter: {delimiter_name(result.delimiter)}.")
    if result.sheet:
        click.echo(f"Sheet: {result.sheet}.")
    if result.header_row is None:
        click.echo("Header: none (columns are named Column 1, Column 2, …; --header-row N to choose one).")
    else:
        click.echo(f"Header: row {result.header_row} ({'as given' if header_row else 'detected; --no-header if it is data'}).")
    mapped = [f"{label} → {field}" for label, field in zip(result.labels, result.mapping) if field]
    click.echo("Mapping: " + ("; ".join(mapped) if mapped else "no columns mapped yet"))
    for warning in result.warnings:
        click.echo(f"Note: {warning}")
    if carried:
        _print_refresh(carried[0], refreshes or "")
    if result.rejected:
        click.echo(f"See the rejected rows with: steward rejected {project} --source '{result.source_name}'")


def _print_refresh(entry: audit.Entry, earlier: str) -> None:
    """What a refresh carried over and what it left for review."""
    summary = summarise(entry)
    click.echo(f"Refreshes '{earlier}': {summary['linked']} rows are new versions of earlier rows "
               f"({summary['changed']} changed), {summary['new']} are new, {summary['gone']} earlier rows are gone.")
    click.echo(f"Carried over: {summary['fixes']} fixes, {summary['merged']} records in golden records, "
               f"{summary['rejected']} not-duplicate marks.")
    flags = entry.after.get("flags", [])
    for flag in flags[:20]:
        click.echo(f"Review: {flag}.")
    if len(flags) > 20:
        click.echo(f"… {len(flags) - 20} more to review: steward audit PROJECT --action refresh --json")
    click.echo(f"Audit entry #{entry.id}; undo the carry-over (the import stays) with: steward undo PROJECT")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def info(project: Path, as_json: bool) -> None:
    """Show PROJECT's sources, their counts and column mappings."""
    with Project.open(project, read_only=True) as opened:
        data = [asdict(s) | {"columns": [asdict(c) for c in store.columns(opened, s.id)]} for s in store.sources(opened)]
    if as_json:
        click.echo(json.dumps({"project": str(project), "sources": data}, ensure_ascii=False, indent=2))
        return
    if not data:
        click.echo(f"{project}: no sources yet. Import one with: steward import {project} FILE")
    for source in data:
        how = source["encoding"] and f"{source['encoding']}, {delimiter_name(source['delimiter'])}"
        click.echo(f"[{source['id']}] {source['name']}  ({source['file_name']}, {source['kind']}"
                   f"{', ' + how if how else ''}{', sheet ' + source['sheet'] if source['sheet'] else ''})")
        click.echo(f"    {source['record_count']} records, {source['rejected_count']} rejected, "
                   f"imported {source['imported_at']}, sha256 {source['sha256'][:12]}…")
        for column in source["columns"]:
            target = column["field"] or "(unmapped)"
            click.echo(f"    {column['position'] + 1:>3}. {column['label']}  →  {target}")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def profile(project: Path, as_json: bool) -> None:
    """Show what is in each column of each source: completeness, values, shapes, kinds, placeholders."""
    with Project.open(project, read_only=True) as opened, progress_bar("profiling") as report:
        profiles = profile_project(opened, progress=report)
    if as_json:
        click.echo(json.dumps([asdict(p) for p in profiles], ensure_ascii=False, indent=2))
        return
    if not profiles:
        click.echo(f"{project}: no sources yet. Import one with: steward import {project} FILE")
    for source in profiles:
        click.echo(f"{source.source}: {source.rows:,} records")
        for column in source.columns:
            click.echo(_describe_column(column))


def _describe_column(column: ColumnProfile) -> str:
    estimate = "≈" if column.sampled else ""
    lines = [f"  {column.position + 1:>3}. {column.label}" + (f" → {column.field}" if column.field else "") +
             f": {column.filled_share:.1%} filled, {column.distinct:,} distinct, "
             f"{estimate}{column.kind_share:.0%} {column.kind}"]
    if column.min_length is not None:
        lines[0] += f", length {column.min_length}–{column.max_length}"
    if column.top_values:
        lines.append("       top: " + ", ".join(f"{v!r} {n:,}" for v, n in column.top_values))
    if column.patterns:
        lines.append(f"       shapes{' (estimated)' if column.sampled else ''}: " +
                     ", ".join(f"{p} {n / max(column.filled, 1):.0%}" for p, n in column.patterns))
    if column.placeholders:
        lines.append("       placeholders: " + ", ".join(f"{v!r} {n:,}" for v, n in column.placeholders))
    return "\n".join(lines)


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", "source_name", help="Only this source.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def rejected(project: Path, source_name: str | None, as_json: bool) -> None:
    """List rows that were kept aside on import, with line number and reason."""
    with Project.open(project, read_only=True) as opened:
        chosen = [store.source_named(opened, source_name)] if source_name else store.sources(opened)
        data = [{"source": s.name, "line": r.line_no, "reason": r.reason, "raw": r.raw_text}
                for s in chosen for r in store.rejected_rows(opened, s.id)]
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for row in data:
        click.echo(f"{row['source']} line {row['line']}: {row['reason']}: {row['raw'].rstrip()!r}")
    click.echo(f"{len(data)} rejected rows.")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--records", "records_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every imported record, values exactly as imported, to this CSV.")
@click.option("--failures", "failures_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one row per validation failure (source, row, rule, field, severity, message, "
                   "suggestion, then the record's original columns) to this CSV.")
@click.option("--clusters", "clusters_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one row per record with its duplicate cluster (source, row, cluster_id, confidence, "
                   "then the original columns) to this CSV.")
@click.option("--golden", "golden_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one row per customer (golden records and records on their own, fixes applied) "
                   "to this CSV or XLSX.")
@click.option("--column", "golden_columns", multiple=True, metavar="HEADER",
              help="With --golden: also export this unmapped column (by header text); repeatable.")
@click.option("--crosswalk", "crosswalk_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write each imported record's source, row and golden_id to this CSV.")
@click.option("--audit", "audit_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the audit trail, entries exactly as stored (never neutralised, so their hashes can be "
                   "checked), to this CSV.")
@click.option("--source", "source_name", help="Only this source (--records, --failures, --clusters).")
@click.option("--exact", is_flag=True, help="Do not neutralise cells starting with = + - @ (formula injection guard).")
@click.option("--no-bom", is_flag=True, help="Plain UTF-8 without the byte-order mark Excel wants.")
def export(project: Path, records_out: Path | None, failures_out: Path | None, clusters_out: Path | None,
           golden_out: Path | None, golden_columns: tuple[str, ...], crosswalk_out: Path | None,
           audit_out: Path | None, source_name: str | None, exact: bool, no_bom: bool) -> None:
    """Export PROJECT's data as CSV (UTF-8 with BOM by default) or, for --golden, XLSX."""
    targets = [(kind, path) for kind, path in (("records", records_out), ("failures", failures_out),
                                               ("clusters", clusters_out), ("golden", golden_out),
                                               ("crosswalk", crosswalk_out), ("audit", audit_out)) if path is not None]
    if not targets:
        raise click.UsageError("Say what to export: --records, --failures, --clusters, --golden, --crosswalk "
                               "and/or --audit, each followed by a file name.")
    if golden_columns and golden_out is None:
        raise click.UsageError("--column only goes with --golden.")
    options = ExportOptions(safe=not exact, bom=not no_bom, source=source_name, columns=golden_columns)
    neutralised = 0
    with Project.open(project, read_only=True) as opened:
        if source_name:
            store.source_named(opened, source_name)   # an unknown source is refused whatever is exported
        present = {h for (h,) in opened.conn.execute("SELECT DISTINCT header FROM columns")} \
            if golden_columns else set()
        unknown = [c for c in golden_columns if c not in present]
        if unknown:
            raise StewardError(f"No source has a column headed '{unknown[0]}' (--column takes the header text "
                               f"exactly as imported; steward info {project} lists them).")
        for kind, path in targets:
            written = EXPORTERS[kind](opened, path, options, no_progress)
            if written.sheets > 1:
                click.echo(f"{path} holds more rows than one Excel sheet can: they continue on {written.sheets} "
                           "sheets.")
            neutralised += written.neutralised
            for line in _exported(opened, project, kind, written):
                click.echo(line)
        head = audit.head_hash(opened)
    if neutralised:
        click.echo(f"{neutralised} cells starting with = + - @ or a control character were prefixed with ' "
                   "so spreadsheets do not run them as formulas; use --exact to export them unchanged.")
    click.echo(f"Audit trail head: {head} (check a copy of the trail against it with: steward audit --verify)")


def _exported(opened: Project, project: Path, kind: str, written: Written) -> list[str]:
    """What ``steward export`` says about one file it wrote, with the command to run when it is empty."""
    path, rows = written.path, written.rows
    if kind == "failures":
        hint = [] if rows or export_jobs.validated(opened) else \
            [f"The project has not been validated yet: run 'steward validate {project}' first."]
        return [f"Wrote {rows} failures to {path}.", *hint]
    if kind == "clusters":
        hint = [] if export_jobs.matched(opened) else \
            [f"The project has not been matched yet: run 'steward match {project}' first."]
        return [f"Wrote {rows} records to {path} ({export_jobs.clustered(opened)} of the project's records are in "
                "a cluster).", *hint]
    if kind == "golden":
        merged = opened.conn.execute("SELECT COUNT(DISTINCT golden_id) FROM golden_members").fetchone()[0]
        return [f"Wrote {rows} customers to {path} ({merged} golden records merged from several records, the rest "
                "on their own)."]
    return [{"records": f"Wrote {rows} records to {path}.",
             "crosswalk": f"Wrote {rows} records with their golden_id to {path}.",
             "audit": f"Wrote {rows} audit entries to {path}."}[kind]]


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
def copy(project: Path, destination: Path) -> None:
    """Save a consistent copy of PROJECT (safe while it is open elsewhere)."""
    with Project.open(project, read_only=True) as opened:
        opened.save_copy(destination)
    click.echo(f"Saved a copy to {destination}.")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(project: Path) -> None:
    """Run SQLite's full integrity check on PROJECT."""
    with Project.open(project, read_only=True) as opened:
        problems = opened.integrity_check()
    if problems == ["ok"]:
        click.echo(f"{project}: ok")
        return
    for problem in problems:
        click.echo(problem)
    raise SystemExit(1)


cli.add_command(rules_command)
cli.add_command(validate_command)
cli.add_command(match_command)
cli.add_command(audit_command)
cli.add_command(reject_command)
cli.add_command(undo_command)
cli.add_command(redo_command)
cli.add_command(revert_command)
cli.add_command(fix_command)
cli.add_command(accept_command)
cli.add_command(defer_command)
cli.add_command(merge_command)
cli.add_command(merge_auto_command)
cli.add_command(split_command)
cli.add_command(unmerge_command)
cli.add_command(golden_command)
cli.add_command(report_command)
cli.add_command(demo_command)
cli.add_command(score_command)
cli.add_command(reset_command)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning user errors into messages and exit codes."""
    multiprocessing.freeze_support()  # worker processes of a frozen (PyInstaller) build start here
    try:
        cli.main(args=argv, prog_name="steward", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Cancelled; nothing was changed.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except Cancelled as exc:
        click.echo(str(exc), err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("Cancelled; nothing was changed.", err=True)
        return 130
    except StewardError as exc:
        click.echo(f"Error: {exc}", err=True)
        return 1
    except sqlite3.DatabaseError as exc:
        click.echo(f"Error: the project file is damaged or unreadable ({exc}). Nothing was changed. "
                   "Run 'steward check' on it, and restore a backup or saved copy.", err=True)
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # a bug: say so briefly, without a traceback full of customer data
        click.echo(f"Unexpected error ({type(exc).__name__}); nothing was changed. Please report this.", err=True)
        return 2
    return 0
