"""docs/adding_a_lab.md is true: its steps 1 to 4, followed in a temporary copy with the template
(docs/lab_template/) as it is, give a lab whose reference gets full marks and whose generated
skeleton gets zero, with no grader code; and every file the guide names exists. A toy lab: no
MNIST, a few seconds (one sandbox start)."""

from __future__ import annotations

import re
import shutil

from autograder import Grader, Submission
from autograder.cli import main
from autograder.config import load_config

from .conftest import ROOT

GUIDE = ROOT / "docs" / "adding_a_lab.md"
TEMPLATE = ROOT / "docs" / "lab_template"
NAME = "toy_softmax"  # the throw-away lab's name


def test_the_guide_makes_a_lab_from_the_template_that_grades_its_reference_to_full_marks(tmp_path, capsys):
    # 1. the reference, copied from the template
    (tmp_path / "reference").mkdir()
    shutil.copy(TEMPLATE / "reference.py", tmp_path / "reference" / f"{NAME}.py")
    # 2. the template's section appended to the course's grader.toml, with the lab's name
    section = (TEMPLATE / "grader.toml").read_text(encoding="utf-8").replace("LAB_NAME", NAME)
    config_path = tmp_path / "grader.toml"
    config_path.write_text((ROOT / "grader.toml").read_text(encoding="utf-8") + "\n" + section, encoding="utf-8")
    # 3. autograde assign <name>
    assert main(["assign", NAME, "--config", str(config_path)]) == 0
    skeleton = tmp_path / "assignments" / NAME / f"{NAME}.py"
    assert "Fill this blank!" in skeleton.read_text(encoding="utf-8")
    # 4. the reference gets every point, the skeleton none ("not implemented yet" on every check)
    config = load_config(config_path)
    reference, blank = Grader(config, NAME, data_root=tmp_path / "no-mnist").grade(
        [Submission("reference", tmp_path / "reference" / f"{NAME}.py"), Submission("skeleton", skeleton)])
    assert reference.score == reference.max_score == 100, {c.id: c.message for c in reference.checks}
    assert blank.score == 0 and all(c.message.startswith("Not implemented yet") for c in blank.checks), \
        {c.id: c.message for c in blank.checks}
    capsys.readouterr()
    assert main(["list", "--config", str(config_path)]) == 0
    assert f"{NAME}: Softmax classification" in capsys.readouterr().out


def test_every_file_the_guide_names_exists():
    """Paths from the repository's root in the guide's code spans (those without a placeholder) exist."""
    text = GUIDE.read_text(encoding="utf-8")
    named = {span for span in re.findall(r"`([^`\s]+)`", text)
             if "/" in span and "<" not in span and (ROOT / span.split("/")[0]).is_dir()}
    assert "docs/lab_template/reference.py" in text and "docs/lab_template/grader.toml" in text
    missing = sorted(span for span in named if not (ROOT / span.rstrip("/")).exists())
    assert not missing, f"docs/adding_a_lab.md names files that do not exist: {missing}"
