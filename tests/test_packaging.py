"""The page's files travel with the package: a wheel carries static/ and templates/, and
every subpackage (engine, service, web, web.routes)."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from playground.web.app import resource_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a clean copy of the sources: pip builds in the tree it is given,
    and a checkout's stale build/ would put modules in the wheel that no longer exist."""
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("playground", "static", "templates"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        check=True, capture_output=True, cwd=out,
    )
    return next(out.glob("neural_playground-*.whl"))


def test_resources_found_in_the_checkout():
    assert (resource_dir("templates") / "index.html").is_file()
    assert resource_dir("static").is_dir()


def test_wheel_contains_page_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "playground/templates/index.html" in names
    static = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "static").rglob("*") if p.is_file())
    for path in static:
        assert "playground/" + path in names, path
    for module in ("__main__.py", "app.py", "engine/nn.py", "service/store.py", "web/app.py",
                   "web/routes/play.py"):
        assert "playground/" + module in names, module


def test_the_app_imports_from_the_wheel_alone(wheel, tmp_path):
    """Unpacked where the checkout is not on the path, the app imports from the wheel's
    files and finds static/ inside its own package."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("import playground.web.app as m; "
             "print(m.__file__); print(m.resource_dir('static')); print(m.app.title)")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                         text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)})
    module, static, title = out.stdout.splitlines()[:3]
    assert Path(module).is_relative_to(site), module
    assert Path(static) == site / "playground" / "static"
    assert title == "Neural Playground"
