"""`chinhquyenso demo` as a first-time visitor runs it: a fresh directory, the printed address works, the
simulators answer, and Ctrl+C/SIGTERM stops every process it started."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT = 180  # migrate + demo data on a cold SQLite file, then gunicorn, worker, simulators


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, grandchildren: gunicorn's workers), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait() is missing


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find child processes")
def test_demo_serves_the_portal_and_simulators_and_stops_cleanly(tmp_path):
    port, simulators_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "STORAGE_URL", "OIDC_ISSUER", "SIMULATORS_URL", "SITE_URL")}
    env |= {"CHINHQUYENSO_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen(
        [sys.executable, "-m", "chinhquyenso", "demo", "--port", str(port), "--simulators-port", str(simulators_port)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # our own process group, so the clean-up below can never hit pytest
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []
    threading.Thread(target=lambda: [lines.put(line) for line in demo.stdout], daemon=True).start()
    try:
        url = None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while url is None and time.monotonic() < deadline and demo.poll() is None:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            output.append(line)
            if match := re.search(r"Mở trình duyệt: (http://\S+)", line):
                url = match.group(1)
        assert url == f"http://127.0.0.1:{port}/", "".join(output[-40:])

        status, html = fetch(url)
        assert status == 200
        assert "Huyện Quảng Điền" in html
        status, _ = fetch(f"http://127.0.0.1:{simulators_port}/")
        assert status == 200

        children = descendants(demo.pid)
        assert len(children) >= 3  # simulators, worker, gunicorn (+ its workers)

        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=30) == 0
        deadline = time.monotonic() + 15
        while (left := {pid for pid in children if alive(pid)}) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert left == set(), f"processes left running after SIGTERM: {left}"
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
