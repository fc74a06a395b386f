"""Project file contract and SQLite faults: catalogue section F (items 50-63)."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from steward import schema, store
from steward.errors import (Cancelled, CorruptProject, ImportFailed, NewerProject, NotAProject, ProjectError,
                            ProjectInUse)
from steward.importer import ImportOptions, import_file
from steward.project import Project

from .helpers import project_state

ROOT = Path(__file__).resolve().parents[2]


def _big_csv(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("id,name,email\r\n")
        for i in range(rows):
            handle.write(f"{i:07d},Name {i},user{i}@example.com\r\n")
    return path


def _project_with_one_source(tmp_path: Path) -> Path:
    path = tmp_path / "p.steward"
    small = tmp_path / "small.csv"
    small.write_text("id,name\r\n001,Anna\r\n", encoding="utf-8")
    with Project.create(path) as project:
        import_file(project, small)
    return path


def _snapshot(path: Path) -> list[tuple]:
    with Project.open(path, read_only=True) as project:
        return project_state(project)


def test_new_project_is_private_and_marked(tmp_path):
    path = tmp_path / "new.steward"
    with Project.create(path) as project:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(Path(str(path) + ".lock").stat().st_mode) == 0o600
        wal = Path(str(path) + "-wal")
        assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
        assert project.conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
        assert project.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert project.conn.execute("PRAGMA page_size").fetchone()[0] == 16384
    assert Path(str(path) + ".lock").read_bytes() == b""  # kept, empty: nobody holds it


def test_a_project_still_open_elsewhere_is_recognised_by_readers(tmp_path, write):
    path = tmp_path / "open.steward"
    with Project.create(path) as project:
        import_file(project, write("a.csv", "id,name\r\n1,Anna\r\n"))
        assert Path(str(path) + "-wal").stat().st_size > 0
        with Project.open(path, read_only=True) as reader:
            assert [s.record_count for s in store.sources(reader)] == [1]


def test_header_still_in_the_wal_is_read_through_sqlite(tmp_path):
    path = tmp_path / "walonly.steward"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    schema.migrate(writer)
    assert path.read_bytes()[68:72] == bytes(4)  # the file itself does not show the id yet
    try:
        with Project.open(path, read_only=True) as reader:
            assert store.sources(reader) == []
    finally:
        writer.close()


@pytest.mark.parametrize("name", ["Kunden #2.steward", "what?.steward", "100%.steward", "a b.steward"])
def test_read_only_open_works_for_any_file_name(tmp_path, write, name):
    path = tmp_path / name
    with Project.create(path) as project:
        import_file(project, write("a.csv", "id,name\r\n1,Anna\r\n"))
    with Project.open(path, read_only=True) as reader:
        assert [s.record_count for s in store.sources(reader)] == [1]
    sidecars = {name + "-wal", name + "-shm", name + ".lock"}  # a WAL reader may leave the index files
    assert {p.name for p in tmp_path.iterdir()} - sidecars == {name, "a.csv"}


def test_create_refuses_to_touch_an_existing_file(tmp_path):
    path = tmp_path / "mine.steward"
    path.write_text("precious")
    with pytest.raises(Exception, match="already exists"):
        Project.create(path)
    assert path.read_text() == "precious"


def _kill_mid_import_script(project: Path, csv_path: Path) -> str:
    return textwrap.dedent(f"""
        import sys, time
        from steward.project import Project
        from steward.importer import import_file
        def progress(done, total):
            if done > total // 2:  # past the first batch insert
                print("writing", flush=True)
                time.sleep(60)
        with Project.open({str(project)!r}) as p:
            import_file(p, {str(csv_path)!r}, progress=progress)
    """)


def test_cat_50_import_killed_midway_leaves_project_openable_and_unchanged(tmp_path):
    path = _project_with_one_source(tmp_path)
    before = _snapshot(path)
    big = _big_csv(tmp_path / "big.csv", 30_000)
    child = subprocess.Popen([sys.executable, "-c", _kill_mid_import_script(path, big)],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout.readline().strip() == "writing"  # inside the transaction, rows already inserted
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    with Project.open(path) as project:  # the dead holder's lock is recovered
        assert project.integrity_check() == ["ok"]
        assert project_state(project) == before


def test_cat_52_disk_full_during_import_leaves_project_untouched(tmp_path):
    path = _project_with_one_source(tmp_path)
    with Project.open(path) as project:
        before = project_state(project)
        pages = project.conn.execute("PRAGMA page_count").fetchone()[0]
        project.conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        with pytest.raises(ImportFailed, match="the disk is full. Nothing was imported"):
            import_file(project, _big_csv(tmp_path / "big.csv", 5000))
        assert not project.conn.in_transaction
        assert project_state(project) == before


@pytest.mark.parametrize("error", [RuntimeError("boom"), Cancelled()])
def test_cat_53_failure_or_cancel_after_some_chunks_rolls_everything_back(tmp_path, error):
    path = _project_with_one_source(tmp_path)
    big = _big_csv(tmp_path / "big.csv", 40_000)
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise error

    with Project.open(path) as project:
        before = project_state(project)
        with pytest.raises(type(error)):
            import_file(project, big, progress=progress)
        assert project_state(project) == before
        assert calls[1] > calls[0] > 0  # progress is in bytes and grows


def test_cat_54_save_copy_includes_data_still_in_the_wal(tmp_path):
    path = _project_with_one_source(tmp_path)
    with Project.open(path) as project:
        import_file(project, _big_csv(tmp_path / "more.csv", 100))
        assert Path(str(path) + "-wal").stat().st_size > 0
        copy = project.save_copy(tmp_path / "copy.steward")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with Project.open(copy, read_only=True) as copied:
        assert [s.record_count for s in store.sources(copied)] == [1, 100]


def test_cat_55_network_and_sync_folders_get_rollback_journal_and_a_warning(tmp_path, monkeypatch):
    from steward import fsinfo

    mounts = tmp_path / "mounts"
    mounts.write_text(f"server:/share {tmp_path} nfs4 rw 0 0\n/dev/vda / ext4 rw 0 0\n")
    assert fsinfo.network_filesystem(tmp_path / "x.steward", str(mounts)) == "nfs4"
    assert fsinfo.network_filesystem(Path("/home/anna/Dropbox/customers.steward"), str(mounts)) == "Dropbox sync"
    monkeypatch.setattr(fsinfo, "network_filesystem", lambda path, mounts_file="/proc/mounts": "nfs4")
    with Project.create(tmp_path / "shared.steward") as project:
        assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert "network or synced folder" in project.warnings[0]


def _holder_script(path: Path) -> str:
    return textwrap.dedent(f"""
        import time
        from steward.project import Project
        p = Project.open({str(path)!r})
        print("open", flush=True)
        time.sleep(60)
    """)


def test_cat_56_second_process_gets_in_use_message_and_stale_lock_is_recovered(tmp_path):
    path = _project_with_one_source(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", _holder_script(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(ProjectInUse, match=rf"in use by .+ \(PID {holder.pid}\) since \d{{4}}-\d\d-\d\d \d\d:\d\d"):
            Project.open(path)
        with Project.open(path, read_only=True) as reader:  # reading stays possible
            assert len(store.sources(reader)) == 1
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    assert Path(str(path) + ".lock").exists()  # left behind by the crash
    with Project.open(path) as project:
        assert len(store.sources(project)) == 1


def _racer_script(path: Path, start_at: float, attempts: Path, create: bool = False, racers: int = 6) -> str:
    """A process that tries to open ``path`` for writing at ``start_at``; a writer keeps the project open until
    every other racer has tried (each leaves a file in ``attempts``), however slowly a loaded machine starts them."""
    return textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from steward.errors import ProjectInUse
        from steward.project import Project
        time.sleep(max(0, {start_at} - time.time()))
        attempts = Path({str(attempts)!r})
        try:
            p = Project.open({str(path)!r}, create={create})
        except ProjectInUse:
            print("refused", flush=True)
            (attempts / str(os.getpid())).touch()
        else:
            print("writer", flush=True)
            deadline = time.time() + 60
            while len(list(attempts.iterdir())) < {racers - 1} and time.time() < deadline:
                time.sleep(0.05)
            p.close()
    """)


def test_many_processes_creating_the_same_project_see_one_whole_project(tmp_path):
    path = tmp_path / "new.steward"
    attempts = tmp_path / "attempts"
    attempts.mkdir()
    start_at = time.time() + 1.5
    racers = [subprocess.Popen([sys.executable, "-c", _racer_script(path, start_at, attempts, create=True)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(6)]
    results = [r.communicate(timeout=90) for r in racers]
    assert sorted(out.strip() for out, _ in results) == ["refused"] * 5 + ["writer"], [err for _, err in results]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attempts", "new.steward", "new.steward.lock"]


def test_creating_in_a_missing_folder_says_so(tmp_path):
    with pytest.raises(ProjectError, match="the folder .*nowhere does not exist"):
        Project.create(tmp_path / "nowhere" / "p.steward")


def test_cat_56_many_processes_racing_for_a_stale_lock_get_exactly_one_writer(tmp_path):
    path = _project_with_one_source(tmp_path)
    Path(str(path) + ".lock").write_text('{"pid": 999999, "host": "x", "user": "u", "since": "s"}')
    attempts = tmp_path / "attempts"
    attempts.mkdir()
    start_at = time.time() + 1.5
    racers = [subprocess.Popen([sys.executable, "-c", _racer_script(path, start_at, attempts)], stdout=subprocess.PIPE,
                               text=True, cwd=ROOT) for _ in range(6)]
    outcomes = sorted(r.communicate(timeout=90)[0].strip() for r in racers)
    assert outcomes == ["refused"] * 5 + ["writer"]


@pytest.mark.parametrize("content,message", [
    (b"", r"is empty \(0 bytes\); it is not a Steward project"),
    (b"id,name\r\n1,Anna\r\n", "not a Steward project: it looks like a text file"),
    (b"PK\x03\x04" + bytes(100), "looks like a zip archive or Excel workbook"),
])
def test_cat_57_wrong_files_are_refused_before_any_write(tmp_path, content, message):
    path = tmp_path / "customers.steward"
    path.write_bytes(content)
    with pytest.raises(NotAProject, match=message):
        Project.open(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.steward"]


def test_cat_57_another_programs_database_is_not_touched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    content = path.read_bytes()
    with pytest.raises(NotAProject, match="SQLite database of another program"):
        Project.open(path)
    assert path.read_bytes() == content


def _set_user_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_cat_58_newer_project_is_refused_for_writing_but_readable(tmp_path):
    path = _project_with_one_source(tmp_path)
    _set_user_version(path, schema.SCHEMA_VERSION + 1)
    with pytest.raises(NewerProject, match="saved by a newer version of Steward"):
        Project.open(path)
    with Project.open(path, read_only=True) as project:
        assert len(store.sources(project)) == 1


def test_cat_59_interrupted_migration_leaves_the_previous_version(tmp_path):
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)

    def broken(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        schema.migrate(conn, schema.MIGRATIONS + [broken])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []
    conn.close()


def test_cat_59_migration_of_an_older_project_backs_it_up_first(tmp_path, monkeypatch):
    path = _project_with_one_source(tmp_path)
    added = []
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS + [lambda c: added.append(c.execute("CREATE TABLE extra (x)"))])
    monkeypatch.setattr("steward.project.SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    with Project.open(path) as project:
        assert project.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION + 1
    backup = tmp_path / f"p.steward.v{schema.SCHEMA_VERSION}.bak"
    assert added and backup.exists()
    with Project.open(backup, read_only=True) as old:
        assert len(store.sources(old)) == 1


def test_cat_60_corrupted_project_is_reported_and_not_written(tmp_path):
    path = _project_with_one_source(tmp_path)
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 2, min(len(data), page * 4)):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptProject, match="is damaged"):
        Project.open(path)
    assert path.read_bytes() == bytes(data)
    try:
        rescue = Project.open(path, read_only=True)
    except CorruptProject:
        pytest.fail("a damaged project must still open read-only")
    with rescue:
        assert "is damaged" in rescue.warnings[0]
    assert path.read_bytes() == bytes(data)


def test_cat_60_damage_inside_the_records_is_found_by_check_and_reported_by_commands(tmp_path, capsys):
    from steward.cli import main

    path = tmp_path / "big.steward"
    with Project.create(path) as project:
        import_file(project, _big_csv(tmp_path / "big.csv", 20_000))
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 16384 * 16384
    data[middle:middle + 16384] = bytes(range(256)) * 64
    path.write_bytes(bytes(data))
    assert main(["check", str(path)]) == 1
    assert "ok" not in capsys.readouterr().out.splitlines()
    code = main(["export", str(path), "--records", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert code == 1 and "the project file is damaged" in err and "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


def test_cat_51_writes_are_fully_synchronous_on_local_disks(project):
    """Power loss: with WAL, synchronous=FULL keeps the last committed action (NORMAL may lose it)."""
    assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert project.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    worker = project.worker_copy()
    try:
        assert worker.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        worker.close()


def test_cat_63_connections_use_the_untrusted_file_pragmas(project):
    pragmas = {name: project.conn.execute(f"PRAGMA {name}").fetchone()[0]
               for name in ("trusted_schema", "cell_size_check", "foreign_keys", "busy_timeout", "synchronous")}
    assert pragmas == {"trusted_schema": 0, "cell_size_check": 1, "foreign_keys": 1, "busy_timeout": 5000,
                       "synchronous": 2}


def test_mapping_can_be_changed_and_a_field_maps_to_one_column(project, write):
    result = import_file(project, write("a.csv", "name,mail,other\r\nAnna,a@x.org,b@x.org\r\n"))
    assert result.mapping == ["full_name", "email", None]
    store.set_mapping(project, result.source_id, 2, "email")
    assert [c.field for c in store.columns(project, result.source_id)] == ["full_name", None, "email"]
    with pytest.raises(Exception, match="has no column 9"):
        store.set_mapping(project, result.source_id, 8, "phone")
    assert [c.field for c in store.columns(project, result.source_id)] == ["full_name", None, "email"]


def test_raw_records_cannot_be_updated(project, write):
    import_file(project, write("a.csv", "id,name\r\n1,Anna\r\n"))
    with pytest.raises(sqlite3.IntegrityError, match="imported records are never changed"):
        project.conn.execute("UPDATE records SET vals = '[\"x\"]'")


def test_duplicate_file_needs_confirmation(project, write):
    path = write("a.csv", "id,name\r\n1,Anna\r\n")
    import_file(project, path)
    with pytest.raises(ImportFailed, match="identical to source 'a'"):
        import_file(project, path)
    second = import_file(project, path, ImportOptions(allow_duplicate=True))
    assert second.source_name == "a (2)"
