"""Running a participant's code submission: ``predict(inputs: dict) -> dict`` in a limited subprocess.

A code submission is one ``.py`` file or a ``.zip`` with ``main.py`` at its root. It is read here before
anything is stored (a file that is not UTF-8, does not compile or defines no ``predict`` is malformed and
uses no try), then run by the scoring job: ``python -I`` in an empty temporary folder holding only the
participant's files, with the hidden inputs as JSON on stdin and the predictions as JSON on stdout.

The limits: wall-clock time, CPU time (``RLIMIT_CPU``), address space (``RLIMIT_AS``), no new processes or
threads (``RLIMIT_NPROC`` 0) and a bare environment (no proxies, no ``AVBASE_*`` settings, nothing of the
worker's). Where ``unshare -rn`` works the child also runs in its own network namespace with no interface
but loopback. Everywhere else, the network and the files outside the run's folder and the Python
installation are refused by a bootstrap the child runs before the participant's code: it replaces the socket
constructors and adds an audit hook (PEP 578) that refuses sockets, new processes, ``ctypes`` and opening
files elsewhere. That is a Python-level guard, not a kernel sandbox: a C extension doing its own system
calls is not seen by it. Run the worker as a user that cannot read what participants must not see.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from avbase.core.i18n import N_
from avbase.ecosystem.metrics import Malformed

CODE_SUFFIXES = (".py", ".zip")
NATIVE_MAGIC = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"MZ")  # Linux, macOS and Windows binaries
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll", ".pyc")
ENTRY = "main.py"
MAX_FILES = 200
MAX_UNPACKED = 50 << 20  # a zip may not unpack to more than this
OUTPUT_MAX = 64 << 20  # predictions (and prints) a run may write
DETAIL_CHARS = 300  # of an exception's last line: enough to debug, little of the hidden inputs leaks


def is_code(file_name: str) -> bool:
    return file_name.lower().endswith(CODE_SUFFIXES)


# --- reading a submission -----------------------------------------------------------------------------


def read_code(data: bytes, file_name: str) -> dict[str, bytes]:
    """The submission's files by relative path (``main.py`` among them), each Python file compiled (never
    run) to refuse a syntax error with its line before any try is used."""
    files = _unzip(data) if file_name.lower().endswith(".zip") else {ENTRY: data}
    if ENTRY not in files:
        raise Malformed(N_("{field}: the zip has no main.py at its root."), field="file")
    for path, content in files.items():
        if path.endswith(".py"):
            _compile(path, content)
    if not _defines_predict(ast.parse(files[ENTRY])):
        raise Malformed(N_("{field}: main.py defines no predict(inputs) at its top level."), field="file")
    return files


def _unzip(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > MAX_FILES or sum(info.file_size for info in members) > MAX_UNPACKED:
            raise Malformed(
                N_("{field}: the zip holds more than {files} files or {mb} MB."),
                field="file",
                files=MAX_FILES,
                mb=MAX_UNPACKED >> 20,
            )
        files: dict[str, bytes] = {}
        for info in members:
            path = PurePosixPath(info.filename)
            if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
                raise Malformed(N_("{field}: the zip names a path outside itself."), field="file")
            content = archive.read(info)
            if content.startswith(NATIVE_MAGIC) or info.filename.endswith(NATIVE_SUFFIXES):
                # Native code would run beneath the Python-level guard: only Python source is taken.
                raise Malformed(N_("{field}: compiled or native code is not accepted ({name})."),
                                field="file", name=info.filename)  # fmt: skip
            files[str(path)] = content
        return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError) as exc:
        raise Malformed(N_("{field}: not a readable zip ({error})."), field="file", error=str(exc)) from exc


def _compile(path: str, content: bytes) -> None:
    try:
        compile(content, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise Malformed(
            N_("{field}: {error} at line {line}."),
            field=path,
            error=exc.msg,
            line=exc.lineno or 0,
        ) from exc
    except ValueError as exc:  # null bytes, an undecodable source
        raise Malformed(N_("{field}: not Python source ({error})."), field=path, error=str(exc)) from exc


def _defines_predict(module: ast.Module) -> bool:
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "predict":
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "predict" for target in node.targets
        ):
            return True
        if isinstance(node, ast.ImportFrom | ast.Import) and any(
            (alias.asname or alias.name) == "predict" for alias in node.names
        ):
            return True
    return False


# --- running it ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    seconds: float  # wall clock; the CPU limit is the same number of seconds, rounded up
    memory_bytes: int


@dataclass(frozen=True)
class Outcome:
    """What the run gave: the predictions (any JSON value, checked by the metric afterwards), or the
    participant's failure: ``reason`` one of timeout, memory, error, output; ``detail`` for them to read."""

    predictions: Any = None
    reason: str | None = None
    detail: str = ""


# Runs first in the child. Kept small: every line here is trusted code running beside hostile code.
BOOTSTRAP = r"""
import json, os, sys
code_dir, denied = sys.argv[1], [os.path.realpath(p) for p in sys.argv[2:]]
result = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)  # the participant's print() goes to stderr, never into the predictions
sys.stdout = sys.stderr
allowed = [os.path.realpath(p) for p in [code_dir, *sys.path, sys.prefix, sys.base_prefix] if p]
allowed += ["/dev/null", "/dev/urandom", "/proc/self", "/sys/devices/system/cpu", "/proc/cpuinfo"]

def inside(path, roots):
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)

def refuse(event, args):
    if event.startswith("socket.") or event in (
        "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
        "pty.spawn", "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata", "ctypes.addressof", "sys.addaudithook",
    ):
        raise PermissionError(f"{event} is not allowed in a contest submission")
    if event == "open" and isinstance(args[0], (str, bytes)):
        path = os.path.realpath(os.fsdecode(args[0]))
        mode, flags = args[1] or "", args[2] if isinstance(args[2], int) else 0
        writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND
        writes = any(c in mode for c in "wax+") or flags & writing
        if writes or inside(path, denied) or not inside(path, allowed):
            raise PermissionError(f"opening {args[0]!r} is not allowed in a contest submission")

try:
    import numpy  # loads its libraries through ctypes, which participants' code may not do afterwards
except ImportError:
    pass
import socket
def no_socket(*args, **kwargs):
    raise PermissionError("the network is not available to a contest submission")
for name in ("socket", "socketpair", "create_connection", "create_server", "fromfd"):
    setattr(socket, name, no_socket)
sys.addaudithook(refuse)
for module in (os, sys.modules["posix"]):
    if hasattr(module, "memfd_create"):
        module.memfd_create = no_socket  # a file with no path to check; bypassable, like all of this

inputs = json.loads(sys.stdin.read())
sys.path.insert(0, code_dir)
import traceback
sys.stderr.write("\x00avbase-started\x00\n")  # from here on, whatever happens is the participant's
sys.stderr.flush()
try:
    import main
    predictions = main.predict(inputs)
    text = json.dumps(predictions, allow_nan=False)
except BaseException as exc:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(code_dir)]
    where = f" ({os.path.relpath(frames[-1].filename, code_dir)}, line {frames[-1].lineno})" if frames else ""
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    sys.stderr.write("\x00avbase-error\x00" + last + where + "\n")
    sys.stderr.flush()
    os._exit(3 if isinstance(exc, MemoryError) else 1)
result.write(text)
result.flush()
os._exit(0)
"""
ERROR_MARK = "\x00avbase-error\x00"
START_MARK = "\x00avbase-started\x00"


class RunnerBroken(RuntimeError):
    """The run failed before the participant's code started: ours (the job fails and is retried)."""


@cache
def network_namespace_works() -> bool:
    """Whether ``unshare -rn`` can start a process here (user namespaces allowed); checked once."""
    found = shutil.which("unshare")
    if found is None:
        return False
    try:
        return subprocess.run([found, "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _bare_environment() -> dict[str, str]:
    """Nothing of the worker's environment: no proxies, no settings, no secrets; one thread per library."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": "/nonexistent",
        "PYTHONHASHSEED": "0",
        "PYTHONIOENCODING": "utf-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _limit(limits: Limits) -> None:
    """In the child, before it runs Python: CPU seconds, address space, no new processes, no core."""
    cpu = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_MAX, OUTPUT_MAX))
    os.setsid()  # its own process group, killed whole on a timeout


def _no_new_processes() -> None:
    # Not everywhere: where it fails, the bootstrap's guard still refuses it at the Python level.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


@dataclass(frozen=True)
class Run:
    """Everything one run needs, read from the database beforehand so that no transaction waits on it."""

    files: dict[str, bytes]
    inputs: bytes
    limits: Limits
    denied: list[Path]

    def execute(self) -> Outcome:
        return run_predict(self.files, self.inputs, self.limits, denied=self.denied)


def run_predict(files: dict[str, bytes], inputs: bytes, limits: Limits, *, denied: list[Path]) -> Outcome:
    """Runs ``predict`` on the inputs. Raises ``OSError`` or ``RunnerBroken`` when the run could not be
    started or the bootstrap failed before the participant's code began (ours: the job is retried);
    anything from then on is the participant's outcome."""
    with tempfile.TemporaryDirectory(prefix="avbase-run-") as folder:
        work = Path(folder)
        code_dir = work / "code"
        for path, content in files.items():
            target = code_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        command = [sys.executable, "-I", "-B", "-c", BOOTSTRAP, str(code_dir), *map(str, denied)]
        if network_namespace_works():
            command = ["unshare", "-rn", *command]
        # Files, not pipes: RLIMIT_FSIZE caps the output in the child; nothing is buffered whole here.
        (work / "inputs.json").write_bytes(inputs)

        def prepare() -> None:
            _limit(limits)
            _no_new_processes()

        with (
            (work / "inputs.json").open("rb") as stdin,
            (work / "out").open("wb") as stdout,
            (work / "err").open("wb") as stderr,
        ):
            process = subprocess.Popen(
                command,
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
                cwd=code_dir,
                env=_bare_environment(),
                preexec_fn=prepare,  # the limits are set in the child, before it runs Python
            )
            try:
                process.wait(timeout=limits.seconds)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                if START_MARK.encode() not in (work / "err").read_bytes()[:4096]:
                    raise RunnerBroken("the runner did not reach the code within the time limit") from None
                return Outcome(reason="timeout", detail=f"{limits.seconds:g} s")
        out, err = (work / "out").read_bytes(), (work / "err").read_bytes()
    if max(len(out), len(err)) >= OUTPUT_MAX:  # Python ignores SIGXFSZ: its writes failed at the cap
        return Outcome(reason="output", detail=f"more than {OUTPUT_MAX >> 20} MB written")
    return _outcome(process.returncode, out, err.decode("utf-8", "replace"), limits)


def _outcome(code: int, out: bytes, err: str, limits: Limits) -> Outcome:
    if START_MARK not in err:
        raise RunnerBroken(f"the runner failed before the code started (exit {code}): {err[-2000:]}")
    if code in (-signal.SIGXCPU, -signal.SIGKILL) and ERROR_MARK not in err:
        return Outcome(reason="timeout", detail=f"{limits.seconds:g} s")
    if ERROR_MARK in err:
        detail = err.rsplit(ERROR_MARK, 1)[1].strip()[:DETAIL_CHARS]
        return Outcome(reason="memory" if code == 3 else "error", detail=detail)
    if "MemoryError" in err or "Cannot allocate memory" in err:
        return Outcome(reason="memory", detail=f"{limits.memory_bytes >> 20} MB")
    if code != 0:
        last = err.strip().splitlines()[-1:] or [f"exit status {code}"]
        return Outcome(reason="error", detail=last[0][:DETAIL_CHARS])
    try:
        return Outcome(predictions=json.loads(out))
    except (UnicodeDecodeError, ValueError) as exc:
        return Outcome(reason="output", detail=f"not JSON: {exc}"[:DETAIL_CHARS])
