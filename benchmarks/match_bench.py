"""Duplicate-detection benchmark: Steward, Splink and recordlinkage on the same records, in the same run.

    .venv/bin/python benchmarks/match_bench.py                       # FEBRL 1-4, generated 10,000 and 100,000
    .venv/bin/python benchmarks/match_bench.py --sizes 10000         # without the 100,000 list: under a minute
    .venv/bin/python benchmarks/match_bench.py --only febrl --skip-splink --json

Data: the four FEBRL sets that ship with recordlinkage (febrl4's two files as
one deduplication of their union) and contact lists from
``steward.demo_data.generate``, all with known truth. Every tool runs in its own
fresh interpreter, one after another, so times and peak memory (os.wait4) are
each tool's own. Splink and recordlinkage come from the ``bench`` extra
(``pip install -e '.[bench]'``); see benchmarks/README.md for what is timed and
the targets.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import machine, run_measured  # noqa: E402  (sibling module; benchmarks/ is not a package)

MIN_F1_FEBRL = 0.998
MIN_F1_GENERATED = 0.90      # on the generated list of GENERATED_F1_SIZE records
GENERATED_F1_SIZE = 10_000
TIMED_SIZE = 100_000         # Steward's match_project against Splink on this many generated records
MAX_TIME_SHARE = 0.5         # Steward's time under half of Splink's
MAX_PEAK_BYTES = 1_500_000_000
THRESHOLD = 0.9              # Splink: pairs and clusters at this match probability
U_PAIRS = 1e6                # Splink: random pairs for estimating u (its default; 1e7 was no better here)
FEBRL = ("febrl1", "febrl2", "febrl3", "febrl4")
FEBRL_FILES = {"febrl1": ("dataset1.csv",), "febrl2": ("dataset2.csv",), "febrl3": ("dataset3.csv",),
               "febrl4": ("dataset4a.csv", "dataset4b.csv")}
#: Splink's blocking rules and recordlinkage's blocks: pairs agreeing on all fields of any one key
BLOCKS = (("first_name", "surname"), ("surname", "dob"), ("first_name", "dob"), ("postcode", "dob"),
          ("street", "postcode"), ("email",), ("phone",), ("soc_sec_id",))
#: Splink's EM sessions: each comparison is estimated in at least two (a rule's own columns are left out)
EM_RULES = (("dob",), ("email",), ("phone",), ("postcode",))
CANONICAL = ("customer_id", "first_name", "last_name", "full_name", "company", "email", "phone", "street", "city",
             "postcode", "country", "date_of_birth", "updated_at")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%Y%m%d")


# -- the tools, each run in a fresh interpreter ---------------------------------------------------------


def _read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [{f: row[f] for f in CANONICAL if row.get(f)} for row in csv.DictReader(handle)]


def run_steward(path: Path, kind: str, seed: int, folder: Path) -> dict:
    """``find_duplicates`` on the rows as dicts of canonical fields: reading the CSV to clusters."""
    from steward.matching.pipeline import MatchConfig, find_duplicates

    start = time.perf_counter()
    result = find_duplicates(_read_rows(path), MatchConfig())
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "steps": result.seconds, "candidates": int(result.blocking.pairs),
            "clusters": [list(c.members) for c in result.clusters]}


def run_steward_project(path: Path, kind: str, seed: int, folder: Path) -> dict:
    """The app's own path: a new project, ``import_file`` with default options, then ``match_project``."""
    from steward.importer import import_file
    from steward.match_store import match_project
    from steward.project import Project

    project = Project.create(folder / "bench.steward")
    try:
        start = time.perf_counter()
        imported = import_file(project, path)
        import_s = time.perf_counter() - start
        start = time.perf_counter()
        summary = match_project(project)
        match_s = time.perf_counter() - start
        members: dict[int, list[int]] = {}
        for row_no, cluster_id in project.conn.execute(
                "SELECT r.row_no, m.cluster_id FROM cluster_members m JOIN records r ON r.id = m.record_id"):
            members.setdefault(cluster_id, []).append(row_no - 1)
    finally:
        project.close()
    return {"seconds": match_s, "import_s": import_s, "imported": imported.imported, "rejected": imported.rejected,
            "steps": summary.steps, "candidates": summary.candidates, "clusters": list(members.values())}


def cleaned_frame(path: Path, kind: str):
    """The columns Splink and recordlinkage compare, cleaned alike: NFKC, lower case, single spaces; the
    phone's last nine digits (none for one digit repeated); the date of birth in ISO form; postcodes without
    spaces; missing values as None. A full name fills in when both name parts are missing. The customer id
    is compared only for FEBRL, where it is the person's social security number; the generated lists'
    ids are numbered per source, not per person."""
    import pandas as pd

    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")

    def column(name: str) -> "pd.Series":
        return raw[name] if name in raw else pd.Series("", index=raw.index, dtype=object)

    def text(series: "pd.Series") -> "pd.Series":
        return series.str.normalize("NFKC").str.lower().str.split().str.join(" ")

    first, last = text(column("first_name")), text(column("last_name"))
    parts = text(column("full_name")).str.rsplit(" ", n=1, expand=True).reindex(columns=[0, 1]).fillna("")
    nameless = (first == "") & (last == "")  # then the full name's last word is the family name
    first = first.where(~nameless, parts[0].where(parts[1] != "", ""))
    last = last.where(~nameless, parts[1].where(parts[1] != "", parts[0]))
    email = column("email").str.strip().str.lower()
    digits = column("phone").str.normalize("NFKC").str.replace(r"\D", "", regex=True)
    dob = pd.Series(pd.NaT, index=raw.index)
    for fmt in DATE_FORMATS:
        dob = dob.fillna(pd.to_datetime(column("date_of_birth").str.strip(), format=fmt, errors="coerce"))
    frame = pd.DataFrame({
        "unique_id": range(len(raw)), "first_name": first, "surname": last,
        "dob": dob.dt.strftime("%Y-%m-%d").fillna(""),
        "street": text(column("street")), "city": text(column("city")),
        "postcode": column("postcode").str.upper().str.replace(r"[\s-]", "", regex=True),
        "email": email.where(email.str.contains("@", regex=False), ""),
        "phone": digits.str[-9:].where((digits.str.len() >= 7) & ~digits.str.fullmatch(r"(\d)\1*"), ""),
        "company": text(column("company")),
        "soc_sec_id": column("customer_id").str.strip() if kind == "febrl" else "",
    })
    frame = frame.astype(object).where(frame != "", None)
    return frame[[c for c in frame.columns if c == "unique_id" or frame[c].notna().any()]]


def run_splink(path: Path, kind: str, seed: int, folder: Path) -> dict:
    """Splink on DuckDB: prior from exact rules, u from random pairs, m by EM, pairs and components at 0.9."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = last = time.perf_counter()
    steps: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal last
        now = time.perf_counter()
        steps[step], last = now - last, now

    frame = cleaned_frame(path, kind)
    lap("prepare")
    present = set(frame.columns)
    comparisons = {
        "first_name": cl.NameComparison("first_name"), "surname": cl.NameComparison("surname"),
        "dob": cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
        "soc_sec_id": cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        "email": cl.EmailComparison("email"), "phone": cl.DamerauLevenshteinAtThresholds("phone", [1, 2]),
        "street": cl.JaroWinklerAtThresholds("street", [0.9, 0.7]),
        "city": cl.JaroWinklerAtThresholds("city", [0.9]), "postcode": cl.LevenshteinAtThresholds("postcode", [1]),
        "company": cl.JaroWinklerAtThresholds("company", [0.9]),
    }

    def rules(*keys: tuple[str, ...]) -> list:
        return [block_on(*key) for key in keys if present.issuperset(key)]

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[c for name, c in comparisons.items() if name in present],
        blocking_rules_to_generate_predictions=rules(*BLOCKS),
        retain_matching_columns=False,
    )
    linker = Linker(DuckDBAPI().register(frame), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        rules(("first_name", "surname", "dob"), ("email",)), recall=0.7)
    lap("prior")
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=seed)
    lap("u")
    for rule in rules(*EM_RULES):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    lap("em")
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    lap("predict")
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD).as_pandas_dataframe()
    lap("cluster")
    seconds = time.perf_counter() - start
    sizes = clustered.groupby("cluster_id")["unique_id"].transform("size")
    groups = clustered[sizes > 1].groupby("cluster_id")["unique_id"].apply(list)
    return {"seconds": seconds, "steps": steps, "clusters": [[int(i) for i in g] for g in groups]}


def run_recordlinkage(path: Path, kind: str, seed: int, folder: Path) -> dict:
    """recordlinkage: exact blocks and a sorted neighbourhood, thresholded comparisons, a threshold on their sum."""
    import recordlinkage as rl

    start = time.perf_counter()
    frame = cleaned_frame(path, kind).set_index("unique_id")
    present = set(frame.columns)
    pairs = None
    for key in BLOCKS:  # blocks of known values only: pandas would join missing with missing
        if present.issuperset(key):
            found = rl.index.Block(list(key)).index(frame.dropna(subset=list(key)))
            pairs = found if pairs is None else pairs.union(found)
    if present.issuperset(("surname", "postcode")):  # surnames with typos, within a postcode
        found = rl.index.SortedNeighbourhood("surname", window=5, block_on=["postcode"]).index(
            frame.dropna(subset=["surname", "postcode"]))
        pairs = pairs.union(found)
    compare = rl.Compare()
    for column, method, threshold in (("first_name", "jarowinkler", 0.85), ("surname", "jarowinkler", 0.85),
                                      ("street", "damerau_levenshtein", 0.8), ("city", "jarowinkler", 0.85),
                                      ("company", "jarowinkler", 0.85)):
        if column in present:
            compare.string(column, column, method=method, threshold=threshold, label=column, missing_value=0.5)
    for column in ("dob", "postcode", "email", "phone", "soc_sec_id"):
        if column in present:
            compare.exact(column, column, label=column, missing_value=0.5)
    features = compare.compute(pairs, frame)
    # A link when the agreements reach half the compared fields, a missing value counting half. (ECM, fitted
    # on these candidates, splits the true matches in two on febrl1, where nearly every candidate is a match.)
    links = features.index[features.sum(axis=1) >= 0.5 * features.shape[1]]
    parent = list(range(len(frame)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        parent[root(int(a))] = root(int(b))
    groups: dict[int, list[int]] = {}
    for i in range(len(frame)):
        groups.setdefault(root(i), []).append(i)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "candidates": len(pairs), "clusters": [g for g in groups.values() if len(g) > 1]}


TOOLS = {"steward": run_steward, "steward-project": run_steward_project, "splink": run_splink,
         "recordlinkage": run_recordlinkage}


def child(tool: str, csv_path: str, kind: str, seed: int, folder: str, out: str) -> None:
    try:
        figures = TOOLS[tool](Path(csv_path), kind, seed, Path(folder))
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("splink", "duckdb", "recordlinkage", "pandas"):
            raise
        figures = {"skipped": f"{exc.name} is not installed (pip install -e '.[bench]')"}
    Path(out).write_text(json.dumps(figures))


# -- data and truth ------------------------------------------------------------------------------------


def febrl_folder() -> Path:
    spec = importlib.util.find_spec("recordlinkage")  # finds the files without importing pandas here
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("The FEBRL sets ship with recordlinkage: pip install -e '.[bench]', or use --only generated.")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"


def prepare_febrl(name: str, folder: Path) -> dict:
    """The FEBRL set as a CSV of canonical fields, and each record's entity (the number in its rec_id)."""
    rows, entity = [], []
    for file_name in FEBRL_FILES[name]:
        with open(febrl_folder() / file_name, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, skipinitialspace=True)
            header = [h.strip() for h in next(reader)]
            for values in reader:
                record = dict(zip(header, (v.strip() for v in values)))
                entity.append(int(re.match(r"rec-(\d+)", record["rec_id"]).group(1)))
                rows.append([record["soc_sec_id"], record["given_name"], record["surname"],
                             f"{record['street_number']} {record['address_1']}".strip(), record["suburb"],
                             record["postcode"], record["date_of_birth"]])
    path = folder / f"{name}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "first_name", "last_name", "street", "city", "postcode", "date_of_birth"])
        writer.writerows(rows)
    return {"name": name, "kind": "febrl", "path": path, "entity": entity, "data": None}


def prepare_generated(size: int, seed: int, folder: Path) -> dict:
    from steward import demo_data

    start = time.perf_counter()
    data = demo_data.generate(size, seed)
    path = folder / f"contacts-{size}-seed{seed}.csv"
    demo_data.write_csv(path, data)
    return {"name": f"generated {size:,}", "kind": "generated", "size": size, "path": path, "entity": data.entity,
            "data": data, "generated_s": time.perf_counter() - start}


# -- scoring -------------------------------------------------------------------------------------------


def labels_of(clusters: list[list[int]], n: int) -> list[int]:
    """A cluster number per record; records in no cluster are on their own."""
    labels = list(range(n))
    for number, members in enumerate(clusters, start=n):
        for m in members:
            labels[m] = number
    return labels


def scores(predicted: list[int], truth: list[int]) -> dict:
    """Pairwise precision/recall/F1 over within-cluster pairs, and B-cubed averaged over records."""
    joint, by_predicted, by_truth = Counter(zip(predicted, truth)), Counter(predicted), Counter(truth)
    found, right, wanted = (sum(k * (k - 1) // 2 for k in c.values()) for c in (by_predicted, joint, by_truth))
    precision, recall = (right / found if found else 1.0), (right / wanted if wanted else 1.0)
    n = len(truth)
    b3_precision = sum(k * k / by_predicted[p] for (p, _), k in joint.items()) / n
    b3_recall = sum(k * k / by_truth[t] for (_, t), k in joint.items()) / n
    return {"largest_cluster": max(by_predicted.values()), "pairs_found": found, "true_pairs": wanted,
            "correct_pairs": right, "precision": precision, "recall": recall, "f1": _f1(precision, recall),
            "b3_precision": b3_precision, "b3_recall": b3_recall, "b3_f1": _f1(b3_precision, b3_recall)}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def mistakes(predicted: list[int], data, limit: int) -> dict:
    """What Steward got wrong on a generated list: false and missed pairs by tag, and a few of each."""
    from itertools import combinations

    entity = data.entity
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(predicted):
        groups.setdefault(label, []).append(i)
    false_pairs = [(a, b) for g in groups.values() for a, b in combinations(g, 2) if entity[a] != entity[b]]
    people: dict[int, list[int]] = {}
    for i, e in enumerate(entity):
        people.setdefault(e, []).append(i)
    missed = [(a, b) for g in people.values() for a, b in combinations(g, 2) if predicted[a] != predicted[b]]
    def group(a: int, b: int) -> str:
        """The look-alike group (household, colleagues, namesakes) both records are in, else 'unrelated'."""
        same = data.lookalike[a] is not None and data.lookalike[a] == data.lookalike[b]
        return data.lookalike[a][0] if same else "unrelated"

    def show(pairs: list[tuple[int, int]]) -> list[dict]:
        spread = pairs[::max(1, len(pairs) // max(limit, 1))][:limit]
        return [{"rows": [data.rows[a], data.rows[b]], "variations": [data.variations[a], data.variations[b]],
                 "lookalike": [data.lookalike[a], data.lookalike[b]]} for a, b in spread]

    false_by = Counter(group(a, b) for a, b in false_pairs)
    missed_by = Counter(tag for a, b in missed for tag in set(data.variations[a]) | set(data.variations[b]))
    return {"false_pairs_by_lookalike": dict(false_by.most_common()), "missed_pairs_by_variation":
            dict(missed_by.most_common()), "false_examples": show(false_pairs), "missed_examples": show(missed)}


# -- the run -------------------------------------------------------------------------------------------


def run_tool(tool: str, dataset: dict, seed: int, folder: Path, say) -> dict:
    say(f"{dataset['name']}: {tool} …")
    out = folder / "figures.json"
    out.unlink(missing_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder))
    done = run_measured([sys.executable, __file__, "--child", tool, str(dataset["path"]), dataset["kind"], str(seed),
                         str(work), str(out)])
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"{tool} on {dataset['name']} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    figures = json.loads(out.read_text())
    if "skipped" in figures:
        return figures
    figures.update(process_wall_s=done.wall_s, peak_rss_bytes=done.peak_rss_bytes)
    predicted = labels_of(figures.pop("clusters"), len(dataset["entity"]))
    figures.update(scores(predicted, dataset["entity"]))
    if tool == "steward" and dataset["data"] is not None:
        figures["mistakes"] = mistakes(predicted, dataset["data"], dataset["examples"])
    return figures


def verdicts(report: dict) -> list[dict]:
    out = []
    for dataset in report["datasets"]:
        steward = dataset["tools"].get("steward")
        if dataset["kind"] == "febrl" and steward:
            out.append({"target": f"Steward pairwise F1, {dataset['name']}", "value": f"{steward['f1']:.4f}",
                        "wanted": f">= {MIN_F1_FEBRL}", "ok": steward["f1"] >= MIN_F1_FEBRL})
        if dataset["kind"] == "generated" and dataset["size"] == GENERATED_F1_SIZE and steward:
            out.append({"target": f"Steward pairwise F1, {dataset['name']}", "value": f"{steward['f1']:.4f}",
                        "wanted": f">= {MIN_F1_GENERATED}", "ok": steward["f1"] >= MIN_F1_GENERATED})
        if dataset["kind"] == "generated" and dataset["size"] == TIMED_SIZE:
            project, splink = dataset["tools"].get("steward-project"), dataset["tools"].get("splink")
            if project and splink and "skipped" not in splink:
                share = project["seconds"] / splink["seconds"]
                out.append({"target": f"Steward match_project / Splink time, {dataset['name']}",
                            "value": f"{share:.2f}", "wanted": f"< {MAX_TIME_SHARE}", "ok": share < MAX_TIME_SHARE})
            else:
                out.append({"target": f"Steward match_project / Splink time, {dataset['name']}",
                            "value": "Splink not run", "wanted": f"< {MAX_TIME_SHARE}", "ok": None})
    peaks = [(f["peak_rss_bytes"], d["name"], tool) for d in report["datasets"] for tool, f in d["tools"].items()
             if tool.startswith("steward")]
    if peaks:
        peak, name, tool = max(peaks)
        out.append({"target": f"Steward peak memory (highest: {tool}, {name})", "value": _mib(peak),
                    "wanted": f"< {_mib(MAX_PEAK_BYTES)} (1.5 GB)", "ok": peak < MAX_PEAK_BYTES})
    return out


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def _print_rows(rows: list[tuple[str, ...]], right: set[int]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.rjust(w) if i in right and index else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths).rstrip())


def print_table(report: dict) -> None:
    m = report["machine"]
    print(f"Machine: {m['cpu']} ({m['cpus']} CPUs), Python {m['python']}; "
          + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
    print()
    rows = [("data", "tool", "records", "pairs found", "largest", "precision", "recall", "F1", "B3 F1", "seconds",
             "peak RSS", "")]
    for dataset in report["datasets"]:
        for tool, f in dataset["tools"].items():
            if "skipped" in f:
                rows.append((dataset["name"], tool, f"{dataset['records']:,}", *[""] * 8, f"skipped: {f['skipped']}"))
                continue
            note = f"+ import {f['import_s']:.1f} s" if "import_s" in f else ""
            rows.append((dataset["name"], tool, f"{dataset['records']:,}", f"{f['pairs_found']:,}",
                         f"{f['largest_cluster']:,}", f"{f['precision']:.4f}", f"{f['recall']:.4f}",
                         f"{f['f1']:.4f}", f"{f['b3_f1']:.4f}", f"{f['seconds']:.1f}", _mib(f["peak_rss_bytes"]),
                         note))
    _print_rows(rows, right=set(range(2, 11)))
    print()
    _print_rows([("target", "value", "wanted", "verdict")]
                + [(v["target"], v["value"], v["wanted"], _verdict(v["ok"])) for v in report["verdicts"]], right={1})
    for dataset in report["datasets"]:
        found = dataset["tools"].get("steward", {}).get("mistakes")
        if not found:
            continue
        print()
        print(f"Steward on {dataset['name']}: false pairs by look-alike group: "
              + (", ".join(f"{k} {v:,}" for k, v in found["false_pairs_by_lookalike"].items()) or "none"))
        print(f"Steward on {dataset['name']}: missed pairs by variation of either record: "
              + (", ".join(f"{k} {v:,}" for k, v in found["missed_pairs_by_variation"].items()) or "none"))
        for title, key in (("False pair", "false_examples"), ("Missed pair", "missed_examples")):
            for example in found[key]:
                print(f"  {title}: variations {list(map(list, example['variations']))}, "
                      f"look-alike {example['lookalike']}")
                for row in example["rows"]:
                    print("    " + " | ".join(row))
    print()
    print("Seconds: from reading the CSV to clusters, in a fresh interpreter after its imports; steward-project: "
          "match_project alone (block, score, cluster, store), its import shown apart. Peak RSS: the whole child "
          "process (os.wait4). Pairs found: record pairs inside predicted clusters; largest: records in the largest.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000",
                        help="sizes of the generated lists, comma-separated (default 10000,100000)")
    parser.add_argument("--only", choices=("febrl", "generated"), help="run only the FEBRL sets or only the generated")
    parser.add_argument("--skip-splink", action="store_true", help="do not run Splink")
    parser.add_argument("--skip-recordlinkage", action="store_true", help="do not run recordlinkage")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated lists and Splink's sampling")
    parser.add_argument("--examples", type=int, default=0, metavar="N",
                        help="show N of Steward's false and missed pairs on each generated list")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        tool, csv_path, kind, seed, folder, out = args.child
        child(tool, csv_path, kind, int(seed), folder, out)
        return 0
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 10000,100000")
    if any(s < 2 for s in sizes):
        parser.error("each generated size must be at least 2")

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    tools = ["steward", "steward-project"] + ([] if args.skip_splink else ["splink"]) \
        + ([] if args.skip_recordlinkage else ["recordlinkage"])
    report: dict = {"machine": machine(), "seed": args.seed, "versions": versions(), "datasets": [],
                    "settings": {"splink_threshold": THRESHOLD, "splink_u_pairs": U_PAIRS}}
    with tempfile.TemporaryDirectory(prefix="steward-match-bench-") as scratch:
        folder = Path(scratch)
        datasets = [] if args.only == "generated" else [prepare_febrl(name, folder) for name in FEBRL]
        if args.only != "febrl":
            for size in sizes:
                say(f"Generating {size:,} records …")
                datasets.append(prepare_generated(size, args.seed, folder))
        for dataset in datasets:
            dataset["examples"] = args.examples
            figures = {tool: run_tool(tool, dataset, args.seed, folder, say) for tool in tools
                       if tool != "steward-project" or dataset["kind"] == "generated"}
            report["datasets"].append({"name": dataset["name"], "kind": dataset["kind"], "size": dataset.get("size"),
                                       "records": len(dataset["entity"]), "generated_s": dataset.get("generated_s"),
                                       "tools": figures})
    report["verdicts"] = verdicts(report)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_table(report)
    return 1 if args.check and any(v["ok"] is False for v in report["verdicts"]) else 0


def versions() -> dict:
    """Package versions, and for steward the commit it was imported from (``-dirty``: with uncommitted changes)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("steward", "splink", "duckdb", "recordlinkage", "pandas"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    spec = importlib.util.find_spec("steward")
    if spec and spec.origin and "steward" in found:
        folder = Path(spec.origin).parent.parent
        described = subprocess.run(["git", "-C", str(folder), "describe", "--always", "--dirty"], capture_output=True,
                                   text=True)
        found["steward"] += f" ({described.stdout.strip()})" if described.returncode == 0 else f" (from {folder})"
    return found


if __name__ == "__main__":
    sys.exit(main())
