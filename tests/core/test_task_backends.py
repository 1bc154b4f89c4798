"""Both task backends really run a task in a separate worker process: the database queue (default)
and RQ on Redis (when REDIS_URL is set)."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _run(args, env, timeout=120):
    result = subprocess.run([sys.executable, "-m", "chinhquyenso", *args], env=env, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


ENQUEUE = (
    "from chinhquyenso.core.tasks import ping; r = ping.enqueue('xin chào'); print('ID=' + r.id)"
)


def _result(task_id, env):
    code = (f"from chinhquyenso.core.tasks import ping; r = ping.get_result('{task_id}'); print('STATUS=' + r.status);"
            "print('VALUE=' + str(r.return_value if r.status == 'SUCCESSFUL' else None))")
    return _run(["manage", "shell", "-c", code], env)


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TASKS_IMMEDIATE")}
    env["CHINHQUYENSO_VAR_DIR"] = str(tmp_path)
    _run(["manage", "migrate", "-v", "0"], env)
    return env


def test_database_queue_runs_a_task_in_a_worker_process(env):
    out = _run(["manage", "shell", "-c", ENQUEUE], env)
    task_id = out.split("ID=")[1].strip()
    assert "STATUS=READY" in _result(task_id, env)
    _run(["manage", "db_worker", "--queue-name", "*", "--batch", "--no-startup-delay", "--no-reload"], env)
    after = _result(task_id, env)
    assert "STATUS=SUCCESSFUL" in after and "VALUE=xin chào" in after


def test_rq_queue_runs_a_task_in_a_worker_process(env):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    redis.Redis.from_url(url).flushdb()
    env = {**env, "REDIS_URL": url}
    out = _run(["manage", "shell", "-c", ENQUEUE], env)
    task_id = out.split("ID=")[1].strip()
    _run(["manage", "rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job"], env)
    after = _result(task_id, env)
    assert "STATUS=SUCCESSFUL" in after and "VALUE=xin chào" in after
