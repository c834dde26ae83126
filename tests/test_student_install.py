"""The install a student makes (`pip install modu-dl-autograder`), from a wheel built here.

The wheel must hold what `autograde check` needs on a machine without this repository (the code,
the message catalogs, the student copy of grader.toml) and nothing a student must not have (the
reference solutions, the discussion questions' sample answers, the tests). Installed into a clean
virtual environment together with only the distributions its requirements name (no nbgrader,
Jupyter or Dask), it must self-check the course's labs from a folder outside the repository.

No network: the dependencies are this environment's own distributions, hard-linked into the new
environment (same files, so `pip check` and imports see exactly what an install from PyPI would
have put there, and the sandbox's Landlock rules, which allow reading below the environment's
prefix, apply to them as to a real install). Only the wheel itself is installed by pip.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder.cli import main

from .conftest import DATA_ROOT

ROOT = Path(__file__).resolve().parents[1]
TA_ONLY = ("nbgrader", "jupyter", "dask", "distributed", "pytest")
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
PY = f"python{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the project's files (no build/ left in the repository)."""
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(ROOT / "autograder", source / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md", "grader.toml"):
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                    "-w", str(out), str(source)], check=True, capture_output=True, timeout=300)
    [built] = out.glob("*.whl")
    return built


def test_the_wheel_holds_what_check_needs_and_no_solution(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as packed:
        names = packed.namelist()
        packaged = tomllib.loads(packed.read("autograder/packaged/grader.toml").decode("utf-8"))
        metadata = packed.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode("utf-8")
    assert wheel.name.startswith("modu_dl_autograder-")
    assert all(name.startswith(("autograder/", "modu_dl_autograder-")) for name in names), names
    assert not [name for name in names if "reference" in Path(name).parts or "tests" in Path(name).parts]
    code = {p.relative_to(ROOT).as_posix() for p in (ROOT / "autograder").rglob("*.py") if "__pycache__" not in p.parts}
    catalogs = {p.relative_to(ROOT).as_posix() for p in (ROOT / "autograder" / "catalog").glob("*/*.po")}
    assert code | catalogs <= set(names)
    assert {"autograder/catalog/en/feedback.po", "autograder/catalog/ko/feedback.po"} <= catalogs

    # The student copy of grader.toml: the course's rubric, no sample answer, no course data folder.
    repo = tomllib.loads((ROOT / "grader.toml").read_text(encoding="utf-8"))
    assert "data" not in packaged and "sample_answer" not in repr(packaged)
    assert packaged["limits"] == repo["limits"] and packaged["grader"]["seed"] == repo["grader"]["seed"]
    assert packaged["assignments"].keys() == repo["assignments"].keys()
    for name, assignment in repo["assignments"].items():
        assert packaged["assignments"][name]["checks"] == assignment["checks"], name

    # Requirements: no TA tool unless asked for by an extra, torch not pinned.
    requires = [Requirement(line.split(":", 1)[1]) for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    base = [r for r in requires if r.marker is None]
    assert not [r for r in base if canonicalize_name(r.name) in TA_ONLY], base
    assert {canonicalize_name(r.name) for r in base} >= {"torch", "torchvision", "pydantic", "babel", "safetensors"}
    torch = next(r for r in base if r.name == "torch")
    assert not any(spec.operator in ("==", "===", "~=") for spec in torch.specifier), torch
    assert {"ta", "nbgrader", "dask", "test"} <= {line.split(":", 1)[1].strip() for line in metadata.splitlines()
                                                  if line.startswith("Provides-Extra:")}


def _closure(requirements: list[Requirement]) -> list[importlib.metadata.Distribution]:
    """This environment's distributions that `requirements` need, transitively (extras followed)."""
    found: dict[str, importlib.metadata.Distribution] = {}
    todo = [(r, frozenset()) for r in requirements]
    while todo:
        requirement, _ = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        dist = importlib.metadata.distribution(requirement.name)
        assert requirement.specifier.contains(dist.version, prereleases=True), (requirement, dist.version)
        found[name] = dist
        for line in dist.requires or []:
            needed = Requirement(line)
            extras = {""} | set(requirement.extras)
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                todo.append((needed, frozenset()))
    return list(found.values())


def _link(dists: list[importlib.metadata.Distribution], site: Path) -> None:
    """Hard-link every file of `dists` that lives in their site-packages into `site`."""
    for dist in dists:
        origin = Path(str(dist.locate_file(""))).resolve()
        for entry in dist.files or []:
            source = Path(str(dist.locate_file(entry))).resolve()
            if origin not in source.parents or not source.is_file():
                continue  # scripts in bin/, files pip recorded but that are gone
            target = site / source.relative_to(origin)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.link(source, target)


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment: the wheel (installed by pip) and the distributions it requires."""
    folder = tmp_path_factory.mktemp("student") / "venv"
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(folder)], check=True, capture_output=True, timeout=120)
    site = folder / "lib" / PY / "site-packages"
    with zipfile.ZipFile(wheel) as packed:
        metadata = packed.read(next(n for n in packed.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    base = [Requirement(line.split(":", 1)[1]) for line in metadata.splitlines()
            if line.startswith("Requires-Dist:") and "extra ==" not in line]
    try:
        _link(_closure(base), site)
    except OSError as exc:  # another file system than this environment's: nothing to link
        pytest.skip(f"cannot hard-link this environment's packages into {site}: {exc}")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(folder / "bin" / "python"), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, capture_output=True, timeout=300)
    return folder


def _student_env(venv: Path, home: Path, **extra: str) -> dict[str, str]:
    """A student's shell: the new environment first on PATH, their own home and cache."""
    return {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"),
            "LANG": "C.UTF-8", **extra}


def test_a_clean_venv_self_checks_a_lab_from_outside_the_repository(venv: Path, tmp_path: Path) -> None:
    python = str(venv / "bin" / "python")
    env = _student_env(venv, tmp_path / "home", AUTOGRADE_DATA=str(DATA_ROOT))
    # Complete (every requirement of everything installed is met) and without the TA tools.
    pip_check = subprocess.run([sys.executable, "-m", "pip", "--python", python, "check"], capture_output=True,
                               text=True, timeout=120)
    assert pip_check.returncode == 0, pip_check.stdout + pip_check.stderr
    probe = subprocess.run([python, "-c", "import importlib.util as u, autograder.config as c; "
                            f"print([m for m in {TA_ONLY!r} if u.find_spec(m)]); print(c.__file__); "
                            "print(c.shipped_config())"], capture_output=True, text=True, env=env, timeout=60,
                           cwd=tmp_path)  # not the repository, whose autograder/ would be imported instead
    missing_tools, module, config = probe.stdout.split("\n")[:3]
    assert missing_tools == "[]" and module.startswith(str(venv)) and config.startswith(str(venv)), probe.stdout

    # Where MNIST is looked for: $AUTOGRADE_DATA, else a folder of the student's own cache (made, empty).
    where = "from autograder.cli import find_config; from autograder import Grader, load_config; " \
            "print(Grader(load_config(find_config(None)), 'mnist_bn').data_root)"
    for extra, expected in ((env, DATA_ROOT.resolve()), (_student_env(venv, tmp_path / "home"),
                                                         tmp_path / "home" / ".cache" / "modu-dl-autograder" / "data")):
        found = subprocess.run([python, "-c", where], capture_output=True, text=True, env=extra, timeout=60, cwd=tmp_path)
        assert found.stdout.strip() == str(expected), found.stdout + found.stderr
    assert expected.is_dir() and not any(expected.iterdir()), "the cache folder is made, and nothing downloaded yet"

    work = tmp_path / "homework"  # a student's folder: no grader.toml here or above
    work.mkdir()
    shutil.copy2(ROOT / "reference" / "softmax_tips.py", work / "softmax_tips.py")  # the cheapest lab (toy data)
    run = subprocess.run([str(venv / "bin" / "autograde"), "check", "softmax_tips.py", "--language", "en"], cwd=work,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "softmax_tips.py: 100/100 points" in run.stdout and "Traceback" not in run.stderr


def test_a_ta_command_without_its_extra_names_the_extra(venv: Path, tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "gradebook.db").write_bytes(b"")
    run = subprocess.run([str(venv / "bin" / "autograde"), "nbgrader", str(course), "softmax_tips"], cwd=tmp_path,
                         env=_student_env(venv, tmp_path / "home"), capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "pip install 'modu-dl-autograder[nbgrader]'" in run.stderr and "Traceback" not in run.stderr


def test_check_on_a_platform_without_the_sandbox_says_where_to_run_it(monkeypatch, tmp_path, capsys) -> None:
    """macOS and native Windows: no tier at all (docs/security.md), a clear error in both languages."""
    shutil.copy2(ROOT / "reference" / "softmax_tips.py", tmp_path / "softmax_tips.py")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert main(["check", str(tmp_path / "softmax_tips.py"), "--config", str(ROOT / "grader.toml")]) == 2
    err = capsys.readouterr().err
    assert "runs only on Linux" in err and "리눅스에서만" in err and "Colab" in err and "Traceback" not in err


def test_autograde_data_names_the_data_folder_of_any_grader_toml(monkeypatch, tmp_path) -> None:
    """$AUTOGRADE_DATA beats [data] root (and --data-root beats both, as Grader takes it first)."""
    from autograder.config import load_config

    assert load_config(ROOT / "grader.toml").data.root == Path("../shared/data")
    monkeypatch.setenv("AUTOGRADE_DATA", str(tmp_path))
    assert load_config(ROOT / "grader.toml").data.root == tmp_path.resolve()
