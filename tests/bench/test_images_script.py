"""bench/images.py runs to the end (on small images) and judges each image it names."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_image_benchmark_prints_a_row_per_image_with_its_outcome():
    run = subprocess.run(
        [sys.executable, "bench/images.py", "--scale", "0.05"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ") and "×" in line]
    assert len(rows) == 5, run.stdout
    assert "refused (too_much_memory)" in rows[0]  # the 7000 × 7000 RGBA PNG
    assert all("accepted" in row for row in rows[1:])
