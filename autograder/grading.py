"""Grading, as a Python API: the CLI is a thin layer over `Grader`.

For each submission: read and statically vet the source (trusted, nothing executed), run it in a
sandbox child that writes observations, then judge the observations here with the rubric's checks
and labels that never left this process.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from . import data
from . import regrade, similarity, verdicts
from .catalog import SOURCE, Msg, Text, msg, render
from .cleanup import remove_tree
from .checks import Observations, Unavailable
from .checks.observations import TAMPERED, doing, tampered_texts
from .config import Config
from .feedback import write_feedback
from .report import gradebook_csv
from .results import (ResultsWriteError, SandboxInfo, SubmissionResult, json_safe, load_result, save_result,
                      write_atomic)
from .plan import plan
from .sandbox.protocol import Job, Outcome, Status
from .sandbox.batch import BatchSettings, LocalBatch
from .verdicts import Judged
from .run_record import LOST, confinement, cpu_accounting, exit_text, lost, read_output
from .source import unfilled_functions
from .prepare import NotRun, Prepared, prepare, unprocessable
from .submissions import Submission

Progress = Callable[[int, int, SubmissionResult, bool], None]  # done, total, result, re-used
Running = Callable[[str, str, float, float], None]  # student, what the sandbox is doing, CPU s, wall s
Again = Callable[[str, str], None]  # student, why it is graded again alone (regrade.py)


PACKAGE = Path(__file__).resolve().parent


def package_files() -> list[Path]:
    """The grader's own files: its code and its catalog (whose words are in results)."""
    return sorted(path for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.po")] if "__pycache__" not in path.parts)


@cache
def grader_version() -> str:
    """A hash of the grader's files: results of another version are not re-used, and a Dask worker
    of another version refuses to grade. Once per process."""
    digest = hashlib.sha256()
    for path in package_files():
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Grader:
    def __init__(self, config: Config, assignment: str | None = None, data_root: Path | None = None):
        self.config = config
        self.name, self.assignment = config.assignment(assignment)
        # `data_note` says so when the root given pointed at MNIST's own folder and was corrected.
        self.data_root, self.data_note = data.locate_root(data_root or config.path(config.data.root))
        self.plan = plan(self.name, self.assignment, config)
        self._version = grader_version() + config.fingerprint(self.name)
        given = [config.path(self.assignment.reference), config.path(self.assignment.skeleton)]
        self.unprocessable: set[str] = set()  # students whose file a step of the grader's own failed on
        self.test_images: np.ndarray | None = None  # read with the labels when the lab needs MNIST
        self._given = similarity.common_lines(*(p.read_text(encoding="utf-8") for p in given if p.is_file()))

    @property
    def check_ids(self) -> list[str]:
        return list(self.assignment.checks.enabled())

    def _fingerprint(self, raw: bytes) -> str:
        return hashlib.sha256(self._version.encode() + b"\0" + raw).hexdigest()

    def _result(self, prepared: Prepared, judged: Judged, sandbox: SandboxInfo, output: str = "") -> SubmissionResult:
        submission = prepared.submission
        checks = judged.results()
        return json_safe(SubmissionResult(
            student=submission.student, assignment=self.name,
            submission=submission.label or (submission.path.name if submission.path else submission.student + "/"),
            score=sum(c.score for c in checks), max_score=self.assignment.max_score, checks=checks,
            fix_first=[render(text, SOURCE) for text in judged.fix_first],
            warnings=[render(text, SOURCE) for text in prepared.warnings],
            duration_s=round(time.monotonic() - prepared.started, 3), sandbox=sandbox, output=output,
            notes=[render(text, SOURCE) for text in submission.notes], fingerprint=prepared.fingerprint,
            translations=judged.translations(prepared.warnings, list(submission.notes)), code_prints=prepared.prints))

    def _sandbox_info(self, exit: str, device: str | None = None, tier: str = "not run") -> SandboxInfo:
        limits = self.config.limits
        return SandboxInfo(tier=tier, device=device, cpu_limit_s=limits.cpu_s, wall_limit_s=limits.wall_s,
                           memory_limit_mb=limits.memory_mb,
                           file_limit_mb=limits.file_mb, disk_limit_mb=limits.disk_mb,
                           process_limit=limits.processes, exit=exit)

    def _not_run(self, prepared: Prepared, message: Text, short: Text) -> SubmissionResult:
        return self._result(prepared, verdicts.not_run(self.assignment, message, short), self._sandbox_info("not run"))

    def _not_run_because(self, prepared: Prepared, why: NotRun) -> SubmissionResult:
        if why.unprocessable:
            self.unprocessable.add(prepared.submission.student)
        return self._not_run(prepared, why.message, why.short)

    def _prepare(self, submission: Submission) -> tuple[Prepared, SubmissionResult | None]:
        """Read the submission (prepare.py); a result right away when it cannot run at all."""
        prepared, why = prepare(submission, self._fingerprint, self._given)
        return prepared, (self._not_run_because(prepared, why) if why else None)

    def preview(self, submission: Submission) -> list[Text]:
        """What a static look at the submission warns about, before it is graded (`autograde check`),
        as catalog messages, so that the caller says them in the student's languages."""
        prepared, early = self._prepare(submission)
        return [] if early else list(prepared.warnings)

    def grade(self, submissions: list[Submission], out_dir: Path | None = None, force: bool = False,
              progress: Progress | None = None, running: Running | None = None,
              again: Again | None = None) -> list[SubmissionResult]:
        """Grade `submissions`; with `out_dir`, write results there and re-use unchanged ones.

        `progress` hears of each finished submission, `running` about once a second of each one in
        the sandbox (what it is doing, CPU time used), `again` of each one graded again alone because
        the grader or the machine ended its run (regrade.py). A results file that cannot be written stops
        the batch with ResultsWriteError; every result written before it stays complete and valid.
        """
        labels = None
        if self.plan.needs_mnist:  # a toy-data lab never touches MNIST
            data.ensure_mnist(self.data_root)
            labels = data.read_test_labels(self.data_root)
            self.test_images = data.read_test_images(self.data_root)
        done: list[SubmissionResult] = []
        total = len(submissions)
        written = 0

        def finish(result: SubmissionResult, reused: bool = False) -> None:
            nonlocal written
            if out_dir is not None:
                folder = out_dir / result.student
                try:  # result.json last: it is what a re-run re-uses, so it must never stand without feedback
                    result = self._write_one(folder, result, reused)
                except OSError as exc:
                    raise ResultsWriteError(folder, exc, written) from None
                written += not reused
            done.append(result)
            if progress:
                progress(len(done), total, result, reused)

        to_run: list[Prepared] = []
        for submission in submissions:
            prepared, early = self._prepare(submission)  # never raises: a failure is the student's row
            cached = self._cached(out_dir, submission.student, prepared.fingerprint) if not force else None
            if cached is not None:
                finish(cached, reused=True)
            elif early is not None:
                finish(early)
            else:
                to_run.append(prepared)

        if to_run:
            self._run_sandboxed(to_run, labels, finish, running, again)
        if out_dir is not None:
            try:
                write_atomic(out_dir / "gradebook.csv", gradebook_csv(done, self.check_ids))
            except OSError as exc:
                raise ResultsWriteError(out_dir / "gradebook.csv", exc, written) from None
        return sorted(done, key=lambda r: r.student)

    def _write_one(self, folder: Path, result: SubmissionResult, reused: bool) -> SubmissionResult:
        """Write one student's feedback pages and result.json; the result as written. An OSError (a
        full disk, permissions: the TA's folder, not the student's doing) stops the batch; any other
        failure is this student's alone: the feedback page becomes a note, a result that cannot be
        written becomes the grader's error row."""
        try:
            write_feedback(folder, result, self.config.report.language)  # re-used too: the language may differ
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - a feedback page this result breaks is a note, not the batch's end
            note = msg("grading.feedback_failed", exception=type(exc).__name__, detail=str(exc)[:300])
            translations = {language: texts.model_copy(update={"notes": [*(texts.notes or result.notes),
                                                                          render(note, language)]})
                            for language, texts in result.translations.items()}
            result = json_safe(result.model_copy(update={"notes": [*result.notes, render(note, SOURCE)],
                                                         "translations": translations}))
        if reused:
            return result
        try:
            save_result(result, folder / "result.json")
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001
            stand_in = Prepared(Submission(result.student, None, label=result.submission), "", result.fingerprint,
                                 time.monotonic())
            result = self._not_run_because(stand_in, unprocessable(msg("grading.step.write"), exc))
            save_result(result, folder / "result.json")
        return result

    @staticmethod
    def _cached(out_dir: Path | None, student: str, fingerprint: str) -> SubmissionResult | None:
        """The stored result, if it can stand for a new run: same file, configuration and grader, and
        not ended by something outside the submission (the wall-clock backstop, a lost worker),
        which a re-run must try again."""
        if out_dir is None:
            return None
        path = out_dir / student / "result.json"
        try:
            result = load_result(path)
        except Exception:  # noqa: BLE001 - unreadable, invalid, or too deeply nested: graded afresh
            return None
        if result.sandbox.limit == "wall" or result.sandbox.exit == LOST:
            return None
        return result if result.fingerprint == fingerprint else None

    def _settings(self, sources: list[str] | None = None) -> BatchSettings:
        """What the batch's machines need; `sources`, when known, say whether any file plots."""
        grader = self.config.grader
        return BatchSettings(module_name=self.plan.module_name, plan=self.plan, limits=self.config.limits,
                             threads=grader.threads, parallel=grader.jobs, seed=grader.seed,
                             data_root=self.data_root if self.plan.needs_mnist else None,
                             plots=sources is None or any("matplotlib" in source for source in sources))

    def _finish_one(self, prepared: Prepared, outcome: Outcome, outdir: Path, labels: np.ndarray | None, tier: str,
                    finish: Callable[[SubmissionResult], None], runs: regrade.Runs) -> None:
        """Record the run that counts (regrade.py decided which). A run lost to the grader is never
        judged: what its finished phases wrote would be a partial score for a file that did nothing
        wrong, so it is 0 with the grader's reason, every check "could not run"."""
        prepared.started = time.monotonic() - outcome.wall_s  # time in the sandbox plus judging
        if lost(outcome):
            result = self._result(prepared, verdicts.not_run(self.assignment, *regrade.lost_texts(runs)),
                                  self._sandbox_info(LOST, tier=tier))
        elif outcome.tampered is not None:  # its records of an earlier phase were changed: nothing is judged
            result = self._result(prepared, verdicts.not_run(self.assignment, *tampered_texts(outcome.tampered)),
                                  self._sandbox_info(TAMPERED, tier=tier),
                                  read_output(outdir / "output.txt", self.config.limits.feedback_output_chars))
        else:
            try:
                result = self._judge_job(outdir, prepared, outcome, labels, tier)
            except Exception as exc:  # one submission's trouble is its own error, never the batch's
                result = self._not_run(prepared, msg("grading.judging_failed", exception=type(exc).__name__,
                                                     detail=str(exc)), msg("grading.short.judging_failed"))
        finish(result.model_copy(update={"sandbox": result.sandbox.model_copy(update=runs.record())}))

    def _run_sandboxed(self, batch: list[Prepared], labels: np.ndarray | None,
                       finish: Callable[[SubmissionResult], None], running: Running | None,
                       again: Again | None) -> None:
        """Run the batch (regrade.grade: what the grader or the machine caused runs again alone)."""
        by_key = {str(number): prepared for number, prepared in enumerate(batch)}
        alone: set[str] = set()  # keys whose runs from now on are alone: their progress lines say so

        def record(key: str, outcome: Outcome, outdir: Path, tier: str, runs: regrade.Runs) -> None:
            self._finish_one(by_key[key], outcome, outdir, labels, tier, finish, runs)

        def announce(key: str, why: Msg) -> None:
            alone.add(key)
            if again is not None:
                again(by_key[key].submission.student, regrade.announcement(why))

        if self.config.grader.scheduler:
            self._run_on_cluster(by_key, record, announce)
            return
        with LocalBatch(self._settings([prepared.source for prepared in batch])) as local:
            def make(key: str, job_id: str) -> Job | None:
                try:  # writing the source into its job folder (a name or text the file system refuses)
                    return local.job(job_id, by_key[key].source)
                except Exception as exc:  # noqa: BLE001 - this student's row, the others run
                    finish(self._not_run_because(by_key[key], unprocessable(msg("grading.step.sandbox"), exc)))
                    return None

            def on_status(key: str, outdir: Path, status: Status) -> None:
                if running is not None:
                    now = doing(outdir)
                    running(by_key[key].submission.student, regrade.alone_doing(now) if key in alone else now,
                            status.cpu_s, status.wall_s)

            regrade.grade(regrade.Pool(local, make, on_status), list(by_key), record, announce)

    def _run_on_cluster(self, by_key: dict[str, Prepared], record: Callable[..., None],
                        announce: Callable[[str, Msg], None]) -> None:
        """The same batch on a Dask cluster (cluster.py): workers run, this process judges."""
        from .cluster import grade_on_cluster

        scratch = Path(tempfile.mkdtemp(prefix="autograde-cluster-"))
        try:
            sources = {key: prepared.source for key, prepared in by_key.items()}
            grade_on_cluster(self.config.grader.scheduler, self._settings(list(sources.values())), grader_version(),
                             sources, scratch, record, announce)
        finally:
            remove_tree(scratch)

    def _judge_job(self, outdir: Path, prepared: Prepared, outcome: Outcome, labels: np.ndarray | None,
                   tier: str) -> SubmissionResult:
        assert prepared.submission.path is not None
        obs = Observations(outdir=outdir, outcome=outcome, limits=self.config.limits,
                           submission_name=prepared.submission.path.name, locate=prepared.locate,
                           test_labels=labels, test_images=self.test_images, source=prepared.source,
                           skipped={name: prepared.locate(item.line) for item in prepared.skipped for name in item.names})
        judged = verdicts.judge(obs, self.assignment, unfilled_functions(prepared.source))
        try:
            device = obs.phase("import").get("device")
        except Unavailable:
            device = None
        output = read_output(outdir / "output.txt", self.config.limits.feedback_output_chars)
        record = confinement(outdir)
        sandbox = self._sandbox_info(exit_text(outcome, self.config.limits), device, tier).model_copy(
            update={"max_memory_mb": outcome.max_rss_mb, "limit": outcome.limit, "cpu_s": outcome.cpu_s,
                    "confinement": record, "cpu_accounting": cpu_accounting(record)})
        return self._result(prepared, judged, sandbox, output)
