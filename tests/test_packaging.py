"""The project works installed from a wheel, not only from the source tree: the pages'
templates and assets (``site/``) ship in it as the package ``catalog_site``, and
``catalog build`` and the workspace's pages run from the installed package alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from conftest import DEMO_DATASETS
from setuptools import find_namespace_packages

from catalog.errors import CatalogError
from catalog.site.render import render

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "catalog", "plugins", "site")
# What the installed package must do, run from a folder outside the repository.
CHECK = """
import sys
from pathlib import Path

import catalog
from catalog.site import render
from catalog.transparency.config import from_env
from catalog.transparency.web import create_app
from catalog.transparency.workspace import Workspace
from starlette.testclient import TestClient

installed = Path(sys.argv[1])
assert Path(catalog.__file__).is_relative_to(installed), catalog.__file__
assert render.TEMPLATES.is_relative_to(installed), render.TEMPLATES
folder = Path(sys.argv[2])
settings = from_env(database_url=f"sqlite:///{folder / 'w.db'}", data_dir=folder, secret_key="k")
workspace = Workspace(settings, publishers={"mides": {"name": "MIDES"}})
page = TestClient(create_app(folder, workspace)).get("/transparencia/solicitudes/nueva")
assert page.status_code == 200 and "/assets/style.css" in page.text, page.text[:300]
print("ok")
"""


def test_pyproject_names_every_package_folder():
    """The package list is written out (site/ and plugins/ are renamed): it must match the
    folders."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    renamed = {"catalog_site": "site", "catalog_plugins": "plugins"}
    assert setuptools["package-dir"] == renamed
    found = set(find_namespace_packages(where=str(REPO), include=["catalog", "catalog.*"]))
    for name, folder in renamed.items():
        inside = find_namespace_packages(where=str(REPO), include=[folder, f"{folder}.*"])
        found |= {name + package.removeprefix(folder) for package in inside}
    assert set(setuptools["packages"]) == found


def test_a_missing_template_says_so_and_does_not_blame_the_disk():
    # jinja2's TemplateNotFound is an OSError: a build used to report it as a disk problem.
    with pytest.raises(CatalogError) as caught:
        render("no-such-page.html", "en")
    assert not isinstance(caught.value, OSError)
    message = caught.value.message("en")
    assert "no-such-page.html is missing from the installation" in message
    assert "pip install" in message


def _copy_sources(target: Path) -> None:
    """The files a wheel is built from (a copy: building writes build/ and *.egg-info)."""
    target.mkdir()
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)


def test_a_wheel_installs_and_builds_a_catalogue_outside_the_repository(tmp_path: Path):
    _copy_sources(tmp_path / "source")
    # pip builds with the setuptools that pyproject.toml asks for (from the package index).
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", "wheels", "./source"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = (tmp_path / "wheels").glob("catalog-*.whl")
    installed = tmp_path / "installed"
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(installed)]
    done = subprocess.run([*pip, str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (installed / "catalog_site" / "templates" / "transparencia" / "layout.html").is_file()
    assert (installed / "catalog_plugins" / "sql_guard" / "templates").is_dir()
    assert not (installed / "plugins").exists()  # no top-level package of that name

    # The installed package first, then the dependencies of this environment; -S leaves
    # out site-packages' .pth files, so the editable install of the repository is not
    # on the path, and the working folder is outside the repository.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "CATALOG_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(installed), sysconfig.get_paths()["purelib"]]),
        LANG="C.UTF-8",
        CATALOG_DATA_DIR=str(tmp_path / "var"),
    )
    python = [sys.executable, "-S"]
    checked = subprocess.run(
        [*python, "-c", CHECK, str(installed), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.stdout.strip() == "ok", checked.stderr[-3000:]

    # The whole demo, written and built by the installed package alone.
    demo = subprocess.run(
        [*python, "-m", "catalog", "demo", "--root", "content"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    out = tmp_path / "out"
    build = subprocess.run(
        [*python, "-m", "catalog", "build", "--root", "content", "--out", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    home = (out / "current" / "site" / "index.html").read_text("utf-8")
    assert '<link rel="stylesheet" href="/assets/style.css">' in home
    assert (out / "current" / "site" / "assets" / "style.css").is_file()
    assert (out / "current" / "site" / "datasets" / "mides" / "bolsa-social-entregas").is_dir()
    published = sorted((out / "current" / "site" / "datasets").glob("*/*/index.html"))
    assert len(published) == DEMO_DATASETS >= 25
