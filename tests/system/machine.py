"""A throw-away Debian machine with a real systemd as PID 1, in namespaces on this host.

The cached rootfs tarball is unpacked into a temporary folder; `unshare --pid --fork --mount
--uts --ipc` starts a shell that mounts proc, sysfs (read-only: no udev in here), cgroup2,
tmpfs /run and /tmp and a small /dev, then `chroot`s and execs `/lib/systemd/systemd --system`,
which becomes PID 1 of the new PID namespace. Everything runs in a cgroup of its own, so a hard
kill (`cgroup.kill`) can always end it. Commands go in with `nsenter -t PID -m -p -u -i -r -w`.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

CGROUP2 = next(
    (
        p
        for p in (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup"))
        if (p / "cgroup.procs").exists()
    ),
    None,
)

# Runs inside the new namespaces (as their PID 1 until exec): mounts, then systemd.
BOOT = r"""
set -e
r="$1"
mount --make-rprivate /
mount --bind "$r" "$r"
mount -t proc proc "$r/proc"
mount -t sysfs -o ro sysfs "$r/sys"
mount -t cgroup2 cgroup2 "$r/sys/fs/cgroup"
mount -t tmpfs -o mode=755 tmpfs "$r/run"
mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
mount -t tmpfs -o mode=755,nosuid tmpfs "$r/dev"
for n in null zero full random urandom tty; do
  touch "$r/dev/$n"; mount --bind "/dev/$n" "$r/dev/$n"
done
mkdir -p "$r/dev/pts" "$r/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
ln -s pts/ptmx "$r/dev/ptmx"
ln -s /proc/self/fd "$r/dev/fd"
mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
hostname wsa-systemd-test
exec chroot "$r" /lib/systemd/systemd --system
"""


def populated(cgroup: Path) -> bool:
    """Is any process left anywhere in this cgroup's subtree (cgroup.events)?"""
    try:
        return "populated 1" in (cgroup / "cgroup.events").read_text()
    except FileNotFoundError:
        return False


class BootError(RuntimeError):
    pass


def unavailable() -> str | None:
    """Why this host cannot boot the machine, or None."""
    if os.geteuid() != 0:
        return "needs root (namespaces, chroot, mounts)"
    for tool in ("unshare", "nsenter", "chroot", "mount", "tar", "dpkg"):
        if shutil.which(tool) is None:
            return f"{tool} not found"
    if CGROUP2 is None:
        return "no cgroup2 hierarchy on this host"
    probe = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount", "--uts", "--ipc", "true"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        return f"unshare does not work here: {probe.stderr.strip()}"
    return None


def wait_for(what: str, check: Callable[[], object], timeout: float, every: float = 0.05) -> object:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(every)


class Machine:
    def __init__(self, tarball: Path, workdir: Path) -> None:
        self.tarball = tarball
        self.workdir = workdir
        self.root = workdir / "root"
        self.cgroup: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.pid = 0  # systemd, as seen from the host
        self.console = workdir / "console.log"

    # ------------------------------------------------------------------ life cycle

    def boot(self, timeout: float = 60.0) -> None:
        self.root.mkdir()
        subprocess.run(
            ["tar", "--numeric-owner", "--xattrs", "-C", str(self.root), "-xf", str(self.tarball)],
            check=True,
        )
        assert CGROUP2 is not None
        self.cgroup = Path(tempfile.mkdtemp(prefix="wsa-systest-", dir=CGROUP2))
        console = self.console.open("wb")
        cgroup = self.cgroup

        def enter_cgroup() -> None:
            (cgroup / "cgroup.procs").write_text(str(os.getpid()))

        self.proc = subprocess.Popen(
            ["unshare", "--pid", "--fork", "--mount", "--uts", "--ipc", "--",
             "sh", "-c", BOOT, "boot", str(self.root)],
            stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "container": "webshell-agent-test"},
            preexec_fn=enter_cgroup,
        )  # fmt: skip
        console.close()
        self.pid = int(wait_for("systemd to start", self._systemd_pid, 10.0))  # type: ignore[arg-type]
        state = ""

        def settled() -> bool:
            nonlocal state
            done = self.run(["systemctl", "is-system-running"], check=False, timeout=10)
            state = done.stdout.strip()
            return state in ("running", "degraded")

        try:
            wait_for("system to finish booting", settled, timeout, every=0.2)
        except TimeoutError as e:
            raise BootError(
                f"{e} (state {state!r}); console: {self.console_text()[-2000:]}"
            ) from None

    def _systemd_pid(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise BootError(f"boot failed: {self.console_text()[-2000:]}")
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return 0
        for pid in children.split():
            try:
                exe = os.readlink(f"/proc/{pid}/exe")
            except OSError:
                continue
            if exe.endswith("/systemd"):
                return int(pid)
        return 0

    def console_text(self) -> str:
        try:
            return self.console.read_text(errors="replace")
        except OSError:
            return ""

    def shutdown(self, timeout: float = 30.0) -> None:
        """`systemctl poweroff`, then a hard kill of the whole cgroup if it does not end."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self.run(["systemctl", "--no-block", "poweroff"], check=False, timeout=10)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._cleanup()

    def kill(self) -> None:
        """SIGKILL to the namespace's PID 1 takes every process in it along; the cgroup's
        kill switch catches anything that escaped the namespace."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        if self.cgroup is not None and (self.cgroup / "cgroup.kill").exists():
            (self.cgroup / "cgroup.kill").write_text("1")
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(30)

    def _cleanup(self) -> None:
        if self.cgroup is not None:
            cgroup = self.cgroup
            if (cgroup / "cgroup.events").exists():  # the whole subtree, zombies included
                wait_for("the machine's cgroup to empty", lambda: not populated(cgroup), 10.0)
            for sub in sorted(cgroup.rglob("*"), key=lambda p: -len(p.parts)):
                if sub.is_dir():
                    with contextlib.suppress(OSError):
                        sub.rmdir()
            with contextlib.suppress(OSError):
                cgroup.rmdir()
            self.cgroup = None
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ inside

    def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float = 120.0,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """A command inside the machine (its namespaces, root and cwd /)."""
        full = ["nsenter", "-t", str(self.pid), "-m", "-p", "-u", "-i", "-r", "-w", "--",
                "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", *argv]  # fmt: skip
        done = subprocess.run(
            full, capture_output=True, text=True, timeout=timeout, input=input, check=False
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{shlex.join(argv)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def sh(self, script: str, **kw: object) -> subprocess.CompletedProcess[str]:
        return self.run(["sh", "-c", script], **kw)  # type: ignore[arg-type]

    def host_pid(self, inside: int) -> int:
        """This host's PID of the process the machine calls `inside` (to signal it from here)."""
        ns = os.readlink(f"/proc/{self.pid}/ns/pid")
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status", encoding="utf-8") as f:
                    ids = next((ln.split()[1:] for ln in f if ln.startswith("NSpid:")), [])
                inner = len(ids) > 1 and int(ids[-1]) == inside
                if inner and os.readlink(f"/proc/{entry}/ns/pid") == ns:
                    return int(entry)
            except OSError:
                continue
        raise AssertionError(f"no host PID for the machine's PID {inside}")

    def path(self, inside: str) -> Path:
        """A path inside the machine, seen from the host (files are shared, not copied)."""
        return self.root / inside.lstrip("/")


@contextlib.contextmanager
def booted(tarball: Path, base: Path | None = None) -> Iterator[Machine]:
    with tempfile.TemporaryDirectory(prefix="wsa-machine-", dir=base) as tmp:
        m = Machine(tarball, Path(tmp))
        try:
            m.boot()
            yield m
        finally:
            m.shutdown()
