"""Upload-to-feedback latency of the course server (`autograde serve`), for issue 22.

Starts `autograde serve` (its worker included) on a throwaway course with softmax_tips, then
measures, from the start of the upload request to the moment the API says `done`:
  - one student on an idle server (five submissions, one after another);
  - 60 students uploading at once (each file different, so nothing comes from the cache);
and, for comparison, one cold `autograde check` of the same file.

    .venv/bin/python benchmarks/server_latency.py [--students 60]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from autograder.server.auth import new_token  # noqa: E402
from autograder.server.models import User  # noqa: E402
from tests.test_server_browser import free_port  # noqa: E402
from tests.test_server_fixtures import REFERENCE, make_course  # noqa: E402
from tests.test_server_load import serve  # noqa: E402


def latency(base: str, token: str, content: bytes) -> float:
    """Seconds from sending the upload to the API saying done."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=60) as client:
        start = time.monotonic()
        reply = client.post("/api/assignments/softmax_tips/submissions", headers=headers,
                            files={"file": ("softmax_tips.py", content)})
        reply.raise_for_status()
        while client.get(f"/api/submissions/{reply.json()['id']}", headers=headers).json()["status"] not in ("done", "error"):
            time.sleep(0.05)
        return time.monotonic() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=60)
    args = parser.parse_args()
    source = REFERENCE.read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        course = make_course(Path(folder) / "course", policy="graded_per_window = 0")
        with course.server.make_session() as db:
            users = [User(login=f"s{n:03d}", name=f"학생{n}", role="student") for n in range(args.students)]
            db.add_all(users)
            db.flush()
            tokens = [new_token(db, user) for user in users]
            db.commit()
        port = free_port()
        server = serve(course, port)
        base = f"http://127.0.0.1:{port}"
        try:
            latency(base, tokens[0], source + b"\n# warm-up\n")  # the worker's first grading imports the grader
            idle = [latency(base, tokens[0], source + f"\n# idle {n}\n".encode()) for n in range(5)]
            with ThreadPoolExecutor(args.students) as pool:
                loaded = list(pool.map(lambda n: latency(base, tokens[n], source + f"\n# load {n}\n".encode()),
                                       range(args.students)))
        finally:
            server.terminate()
            server.wait(30)
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "autograder", "check", str(REFERENCE), "--language", "en"],
                   capture_output=True, check=False)
    cold = time.monotonic() - start
    print(f"idle server, one student (5 uploads): median {statistics.median(idle):.2f} s, max {max(idle):.2f} s")
    print(f"{args.students} students at once: median {statistics.median(loaded):.2f} s, "
          f"95th percentile {percentile(loaded, 0.95):.2f} s, last {max(loaded):.2f} s")
    print(f"cold `autograde check` of the same file: {cold:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
