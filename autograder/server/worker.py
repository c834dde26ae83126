"""The grading worker: a process of its own (never the web process) that takes queued submissions
from the database and grades them with the existing sandboxed `Grader`.

Exactly once: one worker at a time holds `worker.lock` (flock), so when it starts, every `running`
row is a grading its predecessor did not finish (killed, machine restarted): those go back to
`queued`. A grading's result is recorded in one transaction that also moves the row from running
to done, so a result is never recorded twice; `gradings` counts them. The worker dies with the
server that started it (PR_SET_PDEATHSIG), and checks its parent too, so after a `kill -9` of
the server no orphan grades on beside the next server's worker.

    python -m autograder.server.worker --db URL --store DIR --config grader.toml [--data-root DIR]
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ..config import Config
from ..grading import Grader, grader_version
from ..results import SubmissionResult, load_result, save_result
from ..submissions import Submission, discover
from .db import open_engine, sessions
from .models import Upload, now
from .storage import Course, Store
from .warm import WarmGrader

BATCH = 8  # submissions graded together: [grader] jobs of them at a time
IDLE_S = 0.2


def version(config: Config, assignment: str) -> str:
    """What a result was graded with: the grader's files and the assignment's configuration."""
    return grader_version()[:16] + config.fingerprint(assignment)[:16]


def die_with_parent() -> None:
    """Linux: SIGKILL this process when the process that started it dies, however it dies."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: the parent check in `run` still ends it after its current batch


class Worker:
    def __init__(self, make_session: sessionmaker[Session], store: Store, course: Course, data_root: Path | None,
                 scheduler: str | None = None):
        self.make_session, self.store, self.course, self.data_root = make_session, store, course, data_root
        self.scheduler = scheduler  # grade on this Dask cluster (WarmGrader then keeps no sandbox of its own)
        self._graders: dict[tuple[str, str], WarmGrader] = {}

    def recover(self) -> int:
        """Put back the gradings a dead worker left running; how many. Call only holding the lock."""
        with self.make_session() as db:
            count = db.execute(update(Upload).where(Upload.status == "running").values(status="queued")).rowcount
            db.commit()
        return count

    def _grader(self, config: Config, assignment: str) -> WarmGrader:
        """The assignment's warm grader; the others' sandboxes are closed (one zygote's memory at a
        time), as is this one's when its configuration changed."""
        if self.scheduler:
            config = config.model_copy(update={"grader": config.grader.model_copy(update={"scheduler": self.scheduler})})
        key = (assignment, config.fingerprint(assignment))
        for other in [k for k in self._graders if k != key]:
            self._graders.pop(other).close()
        if key not in self._graders:
            self._graders[key] = WarmGrader(config, assignment, self.data_root)
        return self._graders[key]

    def claim(self) -> list[Upload]:
        """The oldest queued submissions of one assignment, now marked running."""
        with self.make_session() as db:
            first = db.scalar(select(Upload).where(Upload.status == "queued").order_by(Upload.id).limit(1))
            if first is None:
                return []
            rows = list(db.scalars(select(Upload).where(Upload.status == "queued", Upload.assignment == first.assignment)
                                   .order_by(Upload.id).limit(BATCH)))
            claimed = [row for row in rows if db.execute(update(Upload).where(
                Upload.id == row.id, Upload.status == "queued").values(status="running")).rowcount == 1]
            db.commit()
            return claimed

    def _reuse(self, db: Session, row: Upload, out: Path, graded_with: str) -> None:
        """The same file graded before by this grader version (another student's copy, a resubmission):
        its result.json placed where the grader's cache finds it, so it is not graded again."""
        earlier = db.scalar(select(Upload).where(Upload.sha256 == row.sha256, Upload.assignment == row.assignment,
                                                 Upload.status == "done", Upload.graded_version == graded_with,
                                                 Upload.id != row.id).limit(1))
        target = out / str(row.id) / "result.json"
        if earlier is not None and earlier.result and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            result = load_result(self.store.root / earlier.result)
            save_result(result.model_copy(update={"student": str(row.id)}), target)

    def grade(self, rows: list[Upload]) -> None:
        """Grade claimed rows of one assignment and record each result once."""
        config = self.course.config
        assignment = rows[0].assignment
        grader = self._grader(config, assignment)
        graded_with = version(config, assignment)
        out = self.store.results(assignment)
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="autograde-server-") as scratch:
            submissions = []
            with self.make_session() as db:
                for row in rows:
                    self._reuse(db, row, out, graded_with)
                    submissions.append(self._submission(row, grader, Path(scratch)))
            by_id = {str(row.id): row for row in rows}

            def finished(_done: int, _total: int, result: SubmissionResult, _reused: bool) -> None:
                self._record([by_id[result.student]], [result], graded_with)  # feedback as soon as it is written

            try:
                grader.grade(submissions, out_dir=out, progress=finished)
            finally:
                self._record(rows, [], graded_with)  # any row still running: the grader failed on it

    def _submission(self, row: Upload, grader: Grader, scratch: Path) -> Submission:
        path = self.store.root / row.stored
        if path.suffix != ".zip":
            return Submission(str(row.id), path, label=row.filename)
        folder = scratch / str(row.id)
        (folder / "in").mkdir(parents=True)
        (folder / "unpacked").mkdir()
        shutil.copyfile(path, folder / "in" / f"{row.id}.zip")  # a copy: discover() never follows a link
        found, _ = discover(folder / "in", grader.assignment.module_name, folder / "unpacked")
        return found[0] if found else Submission(str(row.id), None, label=row.filename)

    def _record(self, rows: list[Upload], results: list[SubmissionResult], graded_with: str) -> None:
        by_id = {result.student: result for result in results}
        with self.make_session() as db:
            for row in rows:
                result = by_id.get(str(row.id))
                values: dict[str, object] = {"status": "error", "finished_at": now()}
                if result is not None:
                    values.update(status="done", score=result.score, max_score=result.max_score,
                                  result=f"results/{row.assignment}/{row.id}/result.json", graded_version=graded_with,
                                  gradings=Upload.gradings + 1)
                db.execute(update(Upload).where(Upload.id == row.id, Upload.status == "running").values(**values))
            db.commit()

    def run(self, alive: Callable[[], bool]) -> None:
        """Grade until `alive()` says stop; wait for the lock first (a previous worker finishing)."""
        self.store.root.mkdir(parents=True, exist_ok=True)
        with open(self.store.lock, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.recover()
            while alive():
                rows = self.claim()
                if not rows:
                    time.sleep(IDLE_S)
                    continue
                try:
                    self.grade(rows)
                except Exception as exc:  # noqa: BLE001 - its rows say error; the next batch is graded
                    print(f"autograde worker: grading {[r.id for r in rows]} failed: {exc!r}", file=sys.stderr)
        for grader in self._graders.values():
            grader.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.server.worker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data-root", type=Path)
    parser.add_argument("--scheduler", help="a Dask scheduler's address, or local:N (serve's --scheduler/--cluster)")
    args = parser.parse_args(argv)
    die_with_parent()
    parent = os.getppid()
    worker = Worker(sessions(open_engine(args.db)), Store(args.store), Course(args.config), args.data_root,
                    args.scheduler)
    worker.run(lambda: os.getppid() == parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
