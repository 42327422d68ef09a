"""Time and peak memory to accept (or refuse) the largest images an upload may carry.

    .venv/bin/python bench/images.py [--scale 0.1]

`--scale` shrinks every image and the budget alike (the test of this script runs it small).

Each image is made first, then judged by `files.check_upload` in a fresh process of its own,
and the peak resident memory (VmHWM, reset just before the check) is that of the check; the
figure after it is that peak less the process's memory before it (Django and Pillow loaded).
tracemalloc counts only Python objects (the re-encoded bytes), not Pillow's pixel buffers.
Needs no database.
"""

import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from now


def _make(kind: str, width: int, height: int, path: Path) -> None:
    from PIL import Image, ImageDraw

    mode, fmt = {"png-rgba": ("RGBA", "PNG"), "jpeg": ("RGB", "JPEG"), "png-rgb": ("RGB", "PNG")}[
        kind
    ]
    image = Image.new(mode, (width, height), (30, 120, 200, 255)[: len(mode)])
    draw = ImageDraw.Draw(image)
    for step in range(0, min(width, height) // 2, max(width // 40, 1)):
        draw.rectangle(
            (step, step, width - step, step + 40), fill=(200, 30, step % 255, 128)[: len(mode)]
        )
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    path.write_bytes(out.getvalue())


def _judge(path: Path) -> dict:
    _setup()
    from cases.evidence import files

    content = path.read_bytes()
    before = _status_mb("VmRSS")
    _reset_peak()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        checked = files.check_upload(content, name=path.name)
        outcome = (
            f"accepted, kept {checked.width} × {checked.height}, {len(checked.content) // 1024} KB"
        )
    except files.RefusedFile as refused:
        outcome = f"refused ({refused.code})"
    seconds = time.perf_counter() - started
    python_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    return {
        "outcome": outcome,
        "seconds": seconds,
        "rss_peak": _status_mb("VmHWM"),
        "rss_added": _status_mb("VmHWM") - before,
        "python_peak": python_peak,
        "file_kb": len(content) // 1024,
    }


CASES = [
    ("png-rgba", 7000, 7000, "7000 × 7000 RGBA PNG (the issue's image)"),
    ("png-rgba", 5790, 5790, "5790 × 5790 RGBA PNG (largest accepted square)"),
    ("png-rgb", 5790, 5790, "5790 × 5790 RGB PNG"),
    ("jpeg", 8000, 6000, "8000 × 6000 JPEG (48 MP photo, drafted)"),
    ("jpeg", 5712, 4284, "5712 × 4284 JPEG (24 MP photo)"),
]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--judge":
        print(json.dumps(_judge(Path(sys.argv[2]))))
        return
    scale = float(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1.0
    if scale != 1.0:
        budget_bytes = int(128 * 1024 * 1024 * scale * scale * 1.01)  # rounding of the sides
        os.environ["EVIDENCE_MAX_IMAGE_DECODED_BYTES"] = str(budget_bytes)
    _setup()
    from django.conf import settings

    budget = settings.EVIDENCE_MAX_IMAGE_DECODED_BYTES / 1024 / 1024
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.2f}")
    print(f"EVIDENCE_MAX_IMAGE_DECODED_BYTES = {budget:.2f} MiB, images at {scale:g} × size")
    print(
        "| image | file | outcome | time s | peak RSS MB | added by the check MB | Python peak MB |"
    )
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as folder:
        for kind, full_width, full_height, label in CASES:
            width, height = round(full_width * scale), round(full_height * scale)
            path = Path(folder) / f"{kind}-{width}x{height}.{'jpg' if kind == 'jpeg' else 'png'}"
            _make(kind, width, height, path)
            run = subprocess.run(
                [sys.executable, __file__, "--judge", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(run.stdout.strip().splitlines()[-1])
            print(
                f"| {label} | {r['file_kb']} KB | {r['outcome']} | {r['seconds']:.2f} | "
                f"{r['rss_peak']:.0f} | {r['rss_added']:.0f} | {r['python_peak']:.0f} |"
            )


if __name__ == "__main__":
    main()
