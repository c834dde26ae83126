"""`autograde warm`: a sandbox kept started between a student's `autograde check` runs (opt-in).

A cold check spends most of its wait starting the sandbox's zygote (torch, MNIST: seconds) before
the checks' own work. `autograde warm` starts a background process for this user that holds the
course server's warm grader (server/warm.py: the same `Grader`, one `LocalBatch` kept open, so the
same zygote forks the same confined child per check) and listens on a unix socket in a private
folder. `autograde check FILE` sends it the file's path when one runs for the same key, and falls
back to a cold start otherwise; `autograde warm --stop` ends this user's warm processes, and each
ends by itself after `--idle-timeout` seconds without a check.

Same isolation: the student's code runs only in the zygote's children, as in a batch; the warm
process is a trusted one (it never imports torch) that reads the file, judges the observations and
sends back the result. Who may ask: the socket's folder is this user's, mode 0700, and the peer's
uid is checked on every connection. Which sandbox: the socket's name is a hash of the grader's
files, the configuration that grades (grader.toml, [report] and [server] aside) and the data root,
so a check after an edit to grader.toml or a `git pull` never uses a sandbox started before it.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .config import Config, ConfigError, load_config
from .data import locate_root
from .grading import Running, grader_version
from .results import SubmissionResult
from .sandbox.batch import LocalBatch
from .server.warm import WarmGrader
from .submissions import Submission

IDLE_TIMEOUT_S = 1800.0  # `autograde warm`'s default: a zygote holds about 1 GB, so it goes after half an hour unused
START_TIMEOUT_S = 300.0  # the zygote's own start timeout (sandbox/runner.py): torch on a busy machine
REQUEST_TIMEOUT_S = 10.0  # a client that connects and says nothing is not waited for
MAX_LINE = 1 << 24  # a result with a student's printed output fits many times over


class WarmError(Exception):
    """No usable warm sandbox: the caller grades cold (or, for `autograde warm`, says why)."""


class NoWarmSandbox(WarmError):
    """None runs for this key (no socket, or nobody answers it): the ordinary cold check."""


def folder(create: bool = True) -> Path:
    """This user's private folder for the sockets: $XDG_RUNTIME_DIR/autograde, else
    <temp>/autograde-<uid>; refused unless it is a real folder of this user's that nobody else
    may enter (a folder another user made first could hold a socket that is theirs). Without
    `create`, a folder not there means no warm sandbox (a check leaves nothing behind)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    path = Path(runtime) / "autograde" if runtime and Path(runtime).is_dir() else \
        Path(tempfile.gettempdir()) / f"autograde-{os.getuid()}"
    try:
        if create:
            path.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except FileNotFoundError:
        raise NoWarmSandbox(f"{path}: none started") from None
    except OSError as exc:
        raise WarmError(f"{path}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise WarmError(f"{path} is not a private folder of this user's (mode 0700): not used")
    return path


def key(config: Config, data_root: Path | None) -> str:
    """What a warm sandbox grades with: the grader's files, the configuration, the data root."""
    grading = config.model_dump(mode="json", exclude={"report", "server"})
    root = str(locate_root(data_root or config.path(config.data.root))[0].resolve())
    text = json.dumps([grader_version(), grading, root], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def send(conn: socket.socket, message: dict[str, object]) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


def lines(conn: socket.socket) -> Iterator[dict[str, object]]:
    """The JSON messages on `conn`, one a line, until it closes."""
    buffer = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return
        buffer += chunk
        if len(buffer) > MAX_LINE:
            raise WarmError("a message too long")
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            message = json.loads(line)
            if not isinstance(message, dict):
                raise WarmError("a message that is not a JSON object")
            yield message


def connect(path: Path, timeout: float | None) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(str(path))
    except OSError as exc:
        conn.close()
        raise NoWarmSandbox(f"{path.name}: {exc.strerror or exc}") from None
    return conn


def ask(path: Path, request: dict[str, object], timeout: float | None,
        on_message: Callable[[dict[str, object]], None] = lambda _: None,
        connected: Callable[[], None] = lambda: None) -> dict[str, object]:
    """Send one request (`connected` once a server took the connection); every message before the
    last goes to `on_message`; the last one back."""
    with connect(path, timeout) as conn:
        connected()
        send(conn, request)
        last: dict[str, object] = {}
        try:
            for message in lines(conn):
                if last:
                    on_message(last)
                last = message
        except (OSError, ValueError) as exc:
            raise WarmError(f"the warm sandbox stopped answering: {exc}") from None
    if not last:
        raise WarmError("the warm sandbox closed the connection without an answer")
    return last


def grade(config: Config, data_root: Path | None, assignment: str, file: Path, running: Running,
          connected: Callable[[], None]) -> tuple[SubmissionResult, bool]:
    """`file` graded by this user's warm sandbox for this key (`connected` once one took the
    request): (the result, whether the grader's own step failed on it). WarmError when none runs
    for the key or it did not grade."""
    answer = ask(folder(create=False) / f"{key(config, data_root)}.sock",
                 {"assignment": assignment, "file": str(file.resolve())},
                 config.limits.wall_s + START_TIMEOUT_S,
                 lambda message: running(*message["running"]), connected)  # type: ignore[misc]
    if "result" not in answer:
        raise WarmError(str(answer.get("error", answer)))
    return SubmissionResult.model_validate(answer["result"]), bool(answer["unprocessable"])


class Server:
    """The background process: one warm grader at a time (its zygote's memory), keyed by assignment."""

    def __init__(self, config: Config, data_root: Path | None, idle_s: float):
        self.config, self.data_root, self.idle_s = config, data_root, idle_s
        self.graders: dict[str, WarmGrader] = {}

    def grader(self, assignment: str) -> WarmGrader:
        for other in [name for name in self.graders if name != assignment]:
            self.graders.pop(other).close()
        if assignment not in self.graders:
            self.graders[assignment] = WarmGrader(self.config, assignment, self.data_root)
        return self.graders[assignment]

    def warm_up(self, assignment: str) -> None:
        """Start the assignment's zygote now, so that the first check finds it warm."""
        grader = self.grader(assignment)
        grader._local = LocalBatch(grader._settings()).__enter__()  # what WarmGrader does on its first batch

    def handle(self, conn: socket.socket) -> bool:
        """Answer one connection; False when it asked the server to stop."""
        pid, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
        if uid != os.getuid():
            return True
        conn.settimeout(REQUEST_TIMEOUT_S)
        request = next(lines(conn), {})
        if request.get("stop"):
            self.close()
            send(conn, {"stopped": os.getpid()})
            return False
        if "file" not in request:
            send(conn, {"ready": os.getpid()})
            return True
        conn.settimeout(None)
        alive = [True]

        def tell(message: dict[str, object]) -> None:
            if alive[0]:
                try:
                    send(conn, message)
                except OSError:  # the student pressed Ctrl-C: the grading finishes, the zygote stays warm
                    alive[0] = False

        try:
            grader = self.grader(str(request["assignment"]))
            submission = Submission(Path(str(request["file"])).stem, Path(str(request["file"])))
            [result] = grader.grade([submission], running=lambda *status: tell({"running": list(status)}))
        except Exception as exc:  # noqa: BLE001 - the client grades cold and shows the error as a cold check does
            tell({"error": f"{type(exc).__name__}: {exc}"})
            return True
        failed = submission.student in grader.unprocessable
        grader.unprocessable.discard(submission.student)
        tell({"result": json.loads(result.model_dump_json()), "unprocessable": failed})
        return True

    def serve(self, path: Path) -> None:
        """Accept checks on `path` until stopped or idle for `idle_s` seconds."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            path.unlink(missing_ok=True)  # a dead server's socket (`start` found nobody answering it)
            listener.bind(str(path))
            listener.listen(8)
            listener.settimeout(self.idle_s)
            mine = os.stat(path).st_ino
            going = True
            while going:
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    break
                with conn:
                    try:
                        going = self.handle(conn)
                    except (OSError, ValueError, WarmError):
                        pass  # one client's broken connection or garbled request
        finally:
            listener.close()
            self.close()
            if path.exists() and os.stat(path).st_ino == mine:  # not a newer server's socket
                path.unlink()

    def close(self) -> None:
        while self.graders:
            self.graders.popitem()[1].close()


def start(config_path: Path, config: Config, data_root: Path | None, assignment: str | None, idle_s: float) -> tuple[int, bool]:
    """A warm process for this key (started in the background unless one answers): (its pid, whether it
    was already running)."""
    path = folder() / f"{key(config, data_root)}.sock"
    try:
        return int(ask(path, {}, REQUEST_TIMEOUT_S)["ready"]), True  # type: ignore[call-overload]
    except WarmError:
        pass
    command = [sys.executable, "-m", "autograder.warm", "--config", str(config_path.resolve()), "--idle-timeout", str(idle_s)]
    command += ["--data-root", str(data_root.resolve())] if data_root else []
    command += ["--assignment", assignment] if assignment else []
    with open(path.with_suffix(".log"), "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                                   cwd=path.parent)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() not in (None, 0):  # 0: another one holds this key's lock and is starting
            raise WarmError(f"the warm process ended ({path.with_suffix('.log')}): "
                            + path.with_suffix(".log").read_text(errors="replace")[-2000:])
        try:
            return int(ask(path, {}, REQUEST_TIMEOUT_S)["ready"]), False  # type: ignore[call-overload]
        except WarmError:
            time.sleep(0.1)
    process.kill()
    raise WarmError(f"the warm process did not start in {START_TIMEOUT_S:g} s")


def stop_all() -> list[int]:
    """Stop every warm process of this user's; their pids, once each has ended."""
    stopped: list[int] = []
    try:
        servers = sorted(folder(create=False).glob("*.sock"))  # whatever their key
    except NoWarmSandbox:
        return stopped
    for path in servers:
        try:
            pid = int(ask(path, {"stop": True}, START_TIMEOUT_S)["stopped"])  # type: ignore[call-overload]
        except (WarmError, KeyError, ValueError):
            path.unlink(missing_ok=True)  # nobody answers: a dead process's socket
            continue
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.05)
        stopped.append(pid)
    return stopped


def main(argv: list[str] | None = None) -> int:
    """The background process itself (`autograde warm` starts it)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.warm")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--data-root", type=Path)
    parser.add_argument("--assignment")
    parser.add_argument("--idle-timeout", type=float, default=IDLE_TIMEOUT_S)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # SIGTERM too closes the zygote
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    path = folder() / f"{key(config, args.data_root)}.sock"
    with open(path.with_suffix(".lock"), "w") as lock:
        try:  # one process per key: a second `autograde warm` while the first starts waits for its socket
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        server = Server(config, args.data_root, args.idle_timeout)
        if args.assignment:
            server.warm_up(args.assignment)
        server.serve(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
