"""The extraction benchmark runs (a smoke test at a small size: the benchmark's figures are not a test)."""
from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO


def test_bench_extract_times_each_part_against_the_parse_and_profiles_them():
    result = subprocess.run([sys.executable, str(REPO / "bench" / "bench_extract.py"), "--articles", "4",
                             "--profile", "5"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "bare spaCy parse" in out and "share of the parse" in out and "extraction / parse:" in out
    for part in ("names", "rules", "pronouns", "relation classifier"):
        assert f"\n  {part} " in out
    assert "rule extraction (names, rules, pronouns, rest) / parse:" in out
    assert "relation classifier / parse:" in out
    rule_profile, classifier_profile = out.split("rule extraction, the 5 functions")[1].split(
        "relation classifier, the 5 functions")
    for profile in (rule_profile, classifier_profile):
        rows = [line for line in profile.splitlines() if re.match(r"\s*[\d/]+\s+\d+\.\d+", line)]  # ncalls tottime ...
        assert len(rows) == 5
    assert "classifier.py" in classifier_profile
