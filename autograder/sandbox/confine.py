"""What a forked child does to itself so that nothing it runs can reach anything but itself.

Two walls, both applied before any student code, in every tier where the kernel allows them:

1. **Namespaces of its own** (`enter_namespaces`): new user, PID, IPC, network and UTS
   namespaces. In its own PID namespace a submission cannot name another process (so no
   `prlimit`, `kill`, `ptrace` or `process_vm_*` of a sibling, the zygote or the trusted grader:
   same-user permission checks never get that far), and when the submission's first process
   (PID 1 there) ends, the kernel kills every process left in it, however deep its tree or fast
   it regrows. Its own IPC namespace holds its System V objects, freed with it; its own network
   namespace has no interface but a loopback of its own (no TCP or UDP out, no abstract unix
   socket of anyone else). The child that called `unshare` stays outside as a keeper: it waits
   for PID 1 and ends the same way, so the zygote sees one child per job as before.
2. **A seccomp filter** (`install_seccomp`, x86-64), a second wall that does not depend on the
   namespaces: no `connect`, no `sendmsg`, no `sendto` to an address (the ways to reach a unix
   socket file on the host), no sockets but unix ones, no `io_uring` (which could do the same
   behind the filter's back), no `ptrace`/`process_vm_*`/`pidfd_getfd`/`kcmp`, no `prlimit` of
   another process, no new namespaces, no System V shared memory, `memfd_create` or shared
   anonymous mappings (memory that RLIMIT_DATA does not count), and none of `bpf`,
   `perf_event_open`, `userfaultfd`, keyrings, mounts, module loading. For the CPU limit and fair
   share: no `setsid` (a new session is a new autogroup, one more share of the CPU), no raised
   priority or real-time policy, and no new action for SIGCHLD (`SIG_IGN`/`SA_NOCLDWAIT` let the
   kernel reap children whose CPU time then counts for no one; see zygote.py). A denied call fails
   with EPERM, which student code sees as an ordinary error.

What each wall achieved is written to `confinement.json` in the job's output folder.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import struct

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACES = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS

_libc = ctypes.CDLL(None, use_errno=True)


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None) -> None:
    """SIGKILL this process when its parent dies: a zygote killed from outside (the OOM killer, an
    operator) or a keeper that died must not leave a submission running with no one to enforce its
    limits. If the parent (`parent`, where this process can see its PID) is already gone, exit now."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(70)


def _unshare(flags: int) -> bool:
    return _libc.unshare(ctypes.c_int(flags)) == 0


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def enter_namespaces() -> str | None:
    """Move this (single-threaded) child into namespaces of its own and return in the first process
    of the new PID namespace; the calling process becomes its keeper and never returns. Returns
    what was entered ("user+pid+ipc+net+uts", or "pid+ipc+net+uts" where the child may make them
    without a user namespace), or None where the kernel allows neither (nothing changed)."""
    uid, gid = os.getuid(), os.getgid()
    if _unshare(CLONE_NEWUSER | NAMESPACES):
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError:
            pass  # unmapped ids are "nobody" inside: the walls hold all the same
        entered = "user+pid+ipc+net+uts"
    elif _unshare(NAMESPACES):
        entered = "pid+ipc+net+uts"
    else:
        return None
    pid = os.fork()
    if pid == 0:
        die_with_parent(None)  # PID 1 of the new namespace: its parent, the keeper, is outside it
        return entered
    _keep(pid)


def _keep(pid: int) -> None:
    """The keeper: wait for the namespace's first process and end as it ended. Never returns."""
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # it re-raises a crash: no core of its memory
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            os._exit(70)
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


# --- seccomp ---------------------------------------------------------------------------------------

AUDIT_ARCH_X86_64 = 0xC000003E
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
ALLOW = 0x7FFF0000
KILL = 0x80000000
EPERM = 0x00050000 | 1
ENOSYS = 0x00050000 | 38
AF_UNIX = 1
MAP_SHARED_ANONYMOUS = 0x01 | 0x20

DENIED = {  # x86-64 numbers
    "connect": 42, "sendmsg": 46, "sendmmsg": 307, "ptrace": 101, "process_vm_readv": 310,
    "process_vm_writev": 311, "kcmp": 312, "pidfd_getfd": 438, "shmget": 29, "memfd_create": 319,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "bpf": 321,
    "perf_event_open": 298, "userfaultfd": 323, "keyctl": 250, "add_key": 248, "request_key": 249,
    "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "setns": 308, "unshare": 272,
    "open_by_handle_at": 304, "init_module": 175, "finit_module": 313, "kexec_load": 246,
    # Fair share: a new session is a new autogroup, i.e. one more share of the CPU for the same
    # submission; a higher priority or a real-time policy takes the neighbours' share outright.
    "setsid": 112, "setpriority": 141, "sched_setparam": 142, "sched_setscheduler": 144, "sched_setattr": 314,
}
SOCKET, SENDTO, PRLIMIT64, MMAP, CLONE, CLONE3, RT_SIGACTION = 41, 44, 302, 9, 56, 435, 13
SIGCHLD = 17
NEW_NAMESPACE = CLONE_NEWNS | CLONE_NEWCGROUP | NAMESPACES | CLONE_NEWUSER


def _arg(index: int, high: bool = False) -> int:
    """Offset of an argument's low (or high) 32 bits in struct seccomp_data (little-endian)."""
    return 16 + 8 * index + (4 if high else 0)


def _program() -> list[tuple[int, int | str, int | str, int]]:
    """The filter as (code, jump-if-true, jump-if-false, k); jumps are labels or 0 (next)."""
    ld, jeq, jset, ret, and_ = 0x20, 0x15, 0x45, 0x06, 0x54
    jge = 0x35
    code: list[tuple[int, int | str, int | str, int]] = [
        (ld, 0, 0, 4), (jeq, 0, "kill", AUDIT_ARCH_X86_64),
        (ld, 0, 0, 0), (jge, "kill", 0, 0x40000000),  # x32 system calls
    ]
    code += [(jeq, "eperm", 0, number) for number in DENIED.values()]
    code += [(jeq, "enosys", 0, CLONE3),  # its flags cannot be read here: glibc falls back to clone
             (jeq, "socket", 0, SOCKET), (jeq, "sendto", 0, SENDTO), (jeq, "prlimit", 0, PRLIMIT64),
             (jeq, "mmap", 0, MMAP), (jeq, "clone", 0, CLONE), (jeq, "sigaction", 0, RT_SIGACTION),
             (ret, 0, 0, ALLOW)]
    code += [("socket",), (ld, 0, 0, _arg(0)), (jeq, "allow", "eperm", AF_UNIX)]
    code += [("sendto",), (ld, 0, 0, _arg(4)), (jeq, 0, "eperm", 0), (ld, 0, 0, _arg(4, high=True)),
             (jeq, "allow", "eperm", 0)]
    code += [("prlimit",), (ld, 0, 0, _arg(0)), (jeq, "allow", "eperm", 0)]
    code += [("mmap",), (ld, 0, 0, _arg(3)), (and_, 0, 0, MAP_SHARED_ANONYMOUS),
             (jeq, "eperm", "allow", MAP_SHARED_ANONYMOUS)]
    code += [("clone",), (ld, 0, 0, _arg(0)), (jset, "eperm", "allow", NEW_NAMESPACE)]
    # Setting SIGCHLD's action (SIG_IGN or SA_NOCLDWAIT make the kernel reap children itself, and the
    # CPU time of such children is added to no one's); reading it (a NULL new action) is allowed.
    code += [("sigaction",), (ld, 0, 0, _arg(0)), (jeq, 0, "allow", SIGCHLD), (ld, 0, 0, _arg(1)),
             (jeq, 0, "eperm", 0), (ld, 0, 0, _arg(1, high=True)), (jeq, "allow", "eperm", 0)]
    code += [("allow",), (ret, 0, 0, ALLOW), ("eperm",), (ret, 0, 0, EPERM), ("enosys",), (ret, 0, 0, ENOSYS),
             ("kill",), (ret, 0, 0, KILL)]
    return code  # type: ignore[return-value]


def assemble() -> bytes:
    """The filter as struct sock_filter entries, label jumps resolved to relative offsets."""
    labels, instructions = {}, []
    for entry in _program():
        if len(entry) == 1:
            labels[entry[0]] = len(instructions)
        else:
            instructions.append(entry)

    def offset(target: int | str, at: int) -> int:
        if target == 0:
            return 0
        distance = labels[target] - at - 1
        assert 0 <= distance < 256, (target, distance)
        return distance

    return b"".join(struct.pack("HBBI", code, offset(jt, at), offset(jf, at), k)
                    for at, (code, jt, jf, k) in enumerate(instructions))


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_seccomp() -> bool:
    """Install the filter on this process and everything it starts; False where unsupported."""
    if platform.machine() != "x86_64":
        return False
    program = assemble()
    buffer = ctypes.create_string_buffer(program)
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
