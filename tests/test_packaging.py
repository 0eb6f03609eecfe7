"""The page's files travel with the package: a wheel carries static/ and templates/."""

import subprocess
import sys
import zipfile
from pathlib import Path

from playground.app import resource_dir

ROOT = Path(__file__).resolve().parents[1]


def test_resources_found_in_the_checkout():
    assert (resource_dir("templates") / "index.html").is_file()
    assert resource_dir("static").is_dir()


def test_wheel_contains_page_files(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    wheel = next(tmp_path.glob("neural_playground-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "playground/templates/index.html" in names
    static = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "static").rglob("*") if p.is_file())
    for path in static:
        assert "playground/" + path in names, path
    assert "playground/engine/nn.py" in names and "playground/__main__.py" in names
