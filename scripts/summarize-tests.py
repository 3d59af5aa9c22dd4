"""Adds up the results every suite wrote and prints one closing line: 'N passed, N failed, N skipped'.

Exits non-zero when a suite failed, when any test failed, when a suite wrote no results, or, under
CI, when anything was skipped (a skipped test proves nothing).
"""
import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

SUITES = {
    "server": "server.jest.json",
    "extension": "extension.jest.json",
    "python": "python.junit.xml",
    "ui": "ui.playwright.json",
}


def jest(path: Path):
    data = json.loads(path.read_text())
    return data["numPassedTests"], data["numFailedTests"], data["numPendingTests"] + data.get("numTodoTests", 0)


def junit(path: Path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed, skipped


def playwright(path: Path):
    stats = json.loads(path.read_text())["stats"]
    return stats["expected"], stats["unexpected"] + stats.get("flaky", 0), stats["skipped"]


def main() -> int:
    results = Path(sys.argv[1])
    failed_suites = set(sys.argv[2:])
    totals = [0, 0, 0]
    ok = True
    for name, file in SUITES.items():
        path = results / file
        reader = {".json": playwright if "playwright" in file else jest, ".xml": junit}[path.suffix]
        try:
            counts = reader(path)
        except (OSError, ValueError, KeyError, ET.ParseError) as err:
            print(f"  {name:<10} no results ({err.__class__.__name__}): the suite did not run to the end")
            ok = False
            continue
        print(f"  {name:<10} {counts[0]:>4} passed {counts[1]:>4} failed {counts[2]:>4} skipped")
        totals = [a + b for a, b in zip(totals, counts)]
    if failed_suites:
        print(f"  failed suites: {', '.join(sorted(failed_suites))}")
        ok = False
    if totals[1]:
        ok = False
    if os.environ.get("CI") and totals[2]:
        print("  tests were skipped under CI: every dependency must be installed by the scripts")
        ok = False
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
