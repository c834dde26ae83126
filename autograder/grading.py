"""Grading, as a Python API: the CLI is a thin layer over `Grader`.

For each submission: read and statically vet the source (trusted, nothing executed), run it in a
sandbox child that writes observations, then judge the observations here with the rubric's checks
and labels that never left this process.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import data
from .checks import REGISTRY, Observations, Unavailable
from .config import Assignment, Config
from .notebook import NotebookError, notebook_to_module
from .report import feedback_markdown, gradebook_csv
from .results import CheckResult, SandboxInfo, SubmissionResult, load_result, save_result, write_atomic
from .sandbox.protocol import PHASES, Job, Outcome, ProbePlan, SweepPlan
from .sandbox import isolation
from .sandbox.runner import Sandbox
from .source import decode, syntax_problem, unfilled_functions
from .submissions import Submission

Progress = Callable[[int, int, SubmissionResult, bool], None]


def _grader_version() -> str:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def plan(assignment: Assignment, config: Config) -> ProbePlan:
    checks = assignment.checks
    needed = {phase for check_id in checks.enabled() for phase in REGISTRY[check_id].phases}
    sweep = checks.sweep
    return ProbePlan(
        module_name=Path(assignment.skeleton).stem,
        phases=[phase for phase in PHASES if phase in needed],
        seed=config.grader.seed,
        device=config.grader.device,
        learning_rate=assignment.learning_rate,
        batch_size=assignment.batch_size,
        holdout=assignment.holdout,
        epochs=checks.accuracy.epochs if checks.accuracy else 1,
        train_samples=checks.accuracy.train_samples if checks.accuracy else 1000,
        sweep=SweepPlan(configs=sweep.configs, train_samples=sweep.train_samples, epochs=sweep.epochs) if sweep else None,
    )


def judge(obs: Observations, assignment: Assignment, unfilled: set[str]) -> list[CheckResult]:
    """Run every enabled check. A check that does not pass while a function it exercises still holds
    the skeleton's blank is reported as "not implemented yet" (failed, not an error)."""
    results = []
    for check_id, cfg in assignment.checks.enabled().items():
        spec = REGISTRY[check_id]
        try:
            verdict = spec.judge(obs, cfg, assignment)
            status, message = ("passed" if verdict.passed else "failed"), verdict.message
        except Unavailable as exc:
            status, message = "error", str(exc)
        except Exception as exc:  # a grader bug must cost one check of one student, not the batch
            status, message = "error", f"Internal grader error in this check ({type(exc).__name__}: {exc}); tell your TA."
        blanks = [f"`{name}()`" for name in spec.functions if name in unfilled]
        if status != "passed" and blanks:
            status = "failed"
            message = (f"Not implemented yet: {', '.join(blanks)} still {'has' if len(blanks) == 1 else 'have'} "
                       f"a 'Fill this blank!' blank. ({message})")
        score = cfg.points if status == "passed" else 0.0
        results.append(CheckResult(id=check_id, title=spec.title, status=status, score=score,
                                   max_score=cfg.points, message=message))
    return results


def _uniform_failure(assignment: Assignment, message: str, status: str = "error") -> list[CheckResult]:
    return [CheckResult(id=check_id, title=REGISTRY[check_id].title, status=status, score=0.0,
                        max_score=cfg.points, message=message)
            for check_id, cfg in assignment.checks.enabled().items()]


def _read_output(path: Path, limit: int) -> str:
    """Head and tail of what the student printed, never more than `limit` characters."""
    if limit == 0 or path.is_symlink() or not path.is_file():
        return ""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if size <= limit:
            return handle.read(limit).decode("utf-8", "replace")
        head = handle.read(limit // 2).decode("utf-8", "replace")
        handle.seek(size - limit // 2)
        tail = handle.read().decode("utf-8", "replace")
    return f"{head}\n[... {size - limit} bytes not shown ...]\n{tail}"


def _exit_text(outcome: Outcome) -> str:
    if outcome.flood:
        return "killed for running too many processes"
    if outcome.timed_out:
        return "killed at the time limit"
    if outcome.signal is not None:
        return f"signal {outcome.signal}"
    if outcome.exit_code is None:
        return "lost (grading worker died)"
    return f"exit {outcome.exit_code}"


@dataclass
class _Prepared:
    submission: Submission
    source: str
    fingerprint: str
    started: float
    locate: Callable[[int], str] = lambda line: f"line {line}"  # noqa: E731  (replaced once the file is read)


class Grader:
    def __init__(self, config: Config, assignment: str | None = None, data_root: Path | None = None):
        self.config = config
        self.name, self.assignment = config.assignment(assignment)
        self.data_root = data_root or config.path(config.data.root)
        self.plan = plan(self.assignment, config)
        self._version = _grader_version() + config.fingerprint(self.name)

    @property
    def check_ids(self) -> list[str]:
        return list(self.assignment.checks.enabled())

    def _fingerprint(self, raw: bytes) -> str:
        return hashlib.sha256(self._version.encode() + b"\0" + raw).hexdigest()

    def _result(self, prepared: _Prepared, checks: list[CheckResult], sandbox: SandboxInfo, output: str = "") -> SubmissionResult:
        submission = prepared.submission
        return SubmissionResult(
            student=submission.student, assignment=self.name,
            submission=submission.label or (submission.path.name if submission.path else submission.student + "/"),
            score=sum(c.score for c in checks), max_score=self.assignment.max_score, checks=checks,
            duration_s=round(time.monotonic() - prepared.started, 3), sandbox=sandbox, output=output,
            notes=list(submission.notes), fingerprint=prepared.fingerprint)

    def _sandbox_info(self, exit: str, device: str | None = None, tier: str = "not run") -> SandboxInfo:
        limits = self.config.limits
        return SandboxInfo(tier=tier, device=device, wall_limit_s=limits.wall_s, memory_limit_mb=limits.memory_mb,
                           file_limit_mb=limits.file_mb, process_limit=limits.processes, exit=exit)

    def _not_run(self, prepared: _Prepared, message: str) -> SubmissionResult:
        return self._result(prepared, _uniform_failure(self.assignment, message), self._sandbox_info("not run"))

    def _prepare(self, submission: Submission) -> tuple[_Prepared, SubmissionResult | None]:
        """Read the submission; a result right away when it cannot run at all."""
        started = time.monotonic()
        if submission.path is None:
            prepared = _Prepared(submission, "", self._fingerprint(submission.problem.encode()), started)
            return prepared, self._not_run(prepared, submission.problem.capitalize() + ".")
        try:
            raw = submission.path.read_bytes()
        except OSError as exc:
            prepared = _Prepared(submission, "", self._fingerprint(str(exc).encode()), started)
            return prepared, self._not_run(prepared, f"Could not read the file: {exc}.")
        prepared = _Prepared(submission, "", self._fingerprint(raw), started)
        name = submission.path.name
        try:
            text = decode(raw, name)
            if submission.path.suffix == ".ipynb":
                converted = notebook_to_module(text, name)
                prepared.source, prepared.locate = converted.source, converted.locate
            else:
                prepared.source, prepared.locate = text, lambda line: f"{name} line {line}"
        except (UnicodeDecodeError, NotebookError) as exc:
            return prepared, self._not_run(prepared, exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc))
        problem = syntax_problem(prepared.source, name, prepared.locate)
        return prepared, (self._not_run(prepared, problem) if problem else None)

    def grade(self, submissions: list[Submission], out_dir: Path | None = None, force: bool = False,
              progress: Progress | None = None) -> list[SubmissionResult]:
        """Grade `submissions`; with `out_dir`, write results there and re-use unchanged ones."""
        data.ensure_mnist(self.data_root)
        labels = data.read_test_labels(self.data_root)
        done: list[SubmissionResult] = []
        total = len(submissions)

        def finish(result: SubmissionResult, reused: bool = False) -> None:
            if out_dir is not None and not reused:
                save_result(result, out_dir / result.student / "result.json")
                write_atomic(out_dir / result.student / "feedback.md", feedback_markdown(result))
            done.append(result)
            if progress:
                progress(len(done), total, result, reused)

        to_run: list[_Prepared] = []
        for submission in submissions:
            prepared, early = self._prepare(submission)
            cached = self._cached(out_dir, submission.student, prepared.fingerprint) if not force else None
            if cached is not None:
                finish(cached, reused=True)
            elif early is not None:
                finish(early)
            else:
                to_run.append(prepared)

        if to_run:
            self._run_sandboxed(to_run, labels, finish)
        if out_dir is not None:
            write_atomic(out_dir / "gradebook.csv", gradebook_csv(done, self.check_ids))
        return sorted(done, key=lambda r: r.student)

    @staticmethod
    def _cached(out_dir: Path | None, student: str, fingerprint: str) -> SubmissionResult | None:
        if out_dir is None:
            return None
        path = out_dir / student / "result.json"
        try:
            result = load_result(path)
        except (OSError, ValueError):
            return None
        return result if result.fingerprint == fingerprint else None

    def _run_sandboxed(self, batch: list[_Prepared], labels: np.ndarray,
                       finish: Callable[[SubmissionResult], None]) -> None:
        limits = self.config.limits
        tier = isolation.choose(limits.isolation)
        tmp = Path(tempfile.mkdtemp(prefix="autograde-"))
        try:
            sandbox_root = data.make_sandbox_root(self.data_root, tmp / "data", self.config.grader.seed)
            real_files = [data.raw_dir(self.data_root) / data.FILES[key]
                          for key in ("train_images", "train_labels", "test_images")]
            jobs: dict[str, tuple[Job, _Prepared]] = {}
            for number, prepared in enumerate(batch):
                workdir, outdir = tmp / "jobs" / str(number) / "work", tmp / "jobs" / str(number) / "out"
                workdir.mkdir(parents=True)
                outdir.mkdir()
                module = workdir / f"{self.plan.module_name}.py"
                module.write_text(prepared.source, encoding="utf-8")
                (workdir / "MNIST_data").symlink_to(sandbox_root, target_is_directory=True)
                job = Job(id=str(number), module_path=str(module), workdir=str(workdir), outdir=str(outdir),
                          data_root=str(sandbox_root), wall_s=limits.wall_s, memory_mb=limits.memory_mb,
                          file_mb=limits.file_mb, threads=self.config.grader.threads, plan=self.plan,
                          isolation=isolation.child_rules(tier, workdir, outdir, sandbox_root, real_files,
                                                          limits.processes))
                jobs[job.id] = (job, prepared)

            def on_done(job: Job, outcome: Outcome) -> None:
                _, prepared = jobs[job.id]
                prepared.started = time.monotonic() - outcome.wall_s  # time in the sandbox plus judging
                finish(self._judge_job(job, prepared, outcome, labels, tier))
                shutil.rmtree(Path(job.outdir).parent, ignore_errors=True)

            with Sandbox(sandbox_root, self.config.grader.threads, self.config.grader.jobs, tier, tmp,
                         [path.resolve().parent for path in real_files]) as sandbox:
                sandbox.run([job for job, _ in jobs.values()], on_done)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _judge_job(self, job: Job, prepared: _Prepared, outcome: Outcome, labels: np.ndarray,
                   tier: str) -> SubmissionResult:
        outdir = Path(job.outdir)
        assert prepared.submission.path is not None
        obs = Observations(outdir=outdir, outcome=outcome, wall_s=job.wall_s, file_mb=job.file_mb,
                           submission_name=prepared.submission.path.name, locate=prepared.locate,
                           test_labels=labels)
        checks = judge(obs, self.assignment, unfilled_functions(prepared.source))
        try:
            device = obs.phase("import").get("device")
        except Unavailable:
            device = None
        output = _read_output(outdir / "output.txt", self.config.limits.feedback_output_chars)
        sandbox = self._sandbox_info(_exit_text(outcome), device, tier).model_copy(
            update={"max_memory_mb": outcome.max_rss_mb})
        return self._result(prepared, checks, sandbox, output)
