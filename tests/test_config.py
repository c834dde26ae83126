"""grader.toml: validated, with errors that name the bad key."""

from __future__ import annotations

import pytest

from autograder.config import ConfigError, load_config

from .conftest import ROOT


def _write(tmp_path, text: str):
    path = tmp_path / "grader.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _broken(tmp_path, old: str, new: str) -> str:
    text = (ROOT / "grader.toml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(ConfigError) as error:
        load_config(_write(tmp_path, text.replace(old, new)))
    return str(error.value)


def test_shipped_config_is_valid_and_sums_to_100():
    config = load_config(ROOT / "grader.toml")
    assert config.assignments["mnist_bn"].max_score == 100


def test_bad_value_names_its_key(tmp_path):
    message = _broken(tmp_path, "minimum = 0.85", "minimum = 1.5")
    assert "assignments.mnist_bn.checks.accuracy.minimum" in message and "1.5" in message


def test_unknown_key_is_named(tmp_path):
    message = _broken(tmp_path, "cpu_s = 60", "cpu_seconds = 60")
    assert "limits.cpu_seconds: unknown key" in message


def test_wrong_type_is_named(tmp_path):
    message = _broken(tmp_path, 'device = "auto"', 'device = "tpu"')
    assert "grader.device" in message


def test_budget_that_does_not_fit_is_explained(tmp_path):
    message = _broken(tmp_path, "train_samples = 55000", "train_samples = 59000")
    assert "train_samples must be at most 60000 - holdout = 55000" in message


def test_broken_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[grader\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_fingerprint_changes_with_what_changes_scores():
    config = load_config(ROOT / "grader.toml")
    changed = config.model_copy(update={"limits": config.limits.model_copy(update={"wall_s": 5})})
    more_jobs = config.model_copy(update={"grader": config.grader.model_copy(update={"jobs": 7})})
    assert config.fingerprint("mnist_bn") != changed.fingerprint("mnist_bn")
    assert config.fingerprint("mnist_bn") == more_jobs.fingerprint("mnist_bn")


def test_one_kind_of_check_can_be_used_twice_with_its_own_parameters(tmp_path):
    text = (ROOT / "grader.toml").read_text(encoding="utf-8")
    extra = "\n[assignments.mnist_bn.checks.accuracy_long]\nkind = \"accuracy\"\npoints = 5\nminimum = 0.95\n"
    config = load_config(_write(tmp_path, text + extra))
    checks = config.assignments["mnist_bn"].checks
    assert set(checks.of_kind("accuracy")) == {"accuracy", "accuracy_long"}
    assert checks.enabled()["accuracy_long"].minimum == 0.95 and checks.enabled()["accuracy"].minimum == 0.85


def test_an_unknown_kind_is_named_with_the_known_ones(tmp_path):
    text = (ROOT / "grader.toml").read_text(encoding="utf-8") + "\n[assignments.mnist_bn.checks.xor_fitness]\npoints = 5\n"
    with pytest.raises(ConfigError) as error:
        load_config(_write(tmp_path, text))
    assert "assignments.mnist_bn.checks.xor_fitness: unknown check kind 'xor_fitness'" in str(error.value)
    assert "known kinds: shapes, order" in str(error.value)
