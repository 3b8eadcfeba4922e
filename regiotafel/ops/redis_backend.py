"""The Redis task queue: a django-tasks backend with the same leases as the database queue.

``TASKS_BACKEND=redis`` (with ``REDIS_URL``) selects it; ``regiotafel worker`` runs its jobs
unchanged (``ops.queue`` dispatches). Every change of a job's state is ONE Lua script, so it
is atomic on the Redis server, and every time is the Redis server's clock (``TIME``), so
workers on machines whose clocks differ agree on when a lease ran out.

Keys (all under the prefix, ``regiotafel:taken:`` by default; one Redis, not a cluster):

- ``job:<id>``: a hash with the job (task path, arguments as JSON, queue, priority,
  ``run_after``, status, attempts, the worker holding it, its worker ids, times, outcome);
- ``queues``: the set of queue names ever used;
- ``ready:<queue>``: ready jobs, scored by priority then enqueue time (lowest first);
- ``delayed:<queue>``: jobs with a future ``run_after``, scored by it; a claim moves those
  that are due to ``ready``;
- ``waiting``: ready jobs scored by enqueue time (the queue lag for /gezond);
- ``running``: the lease: claimed jobs scored by the moment their lease runs out;
- ``done:SUCCESSFUL`` and ``done:FAILED``: finished jobs scored by their end (retention).

A claim pops the best ready job and leases it in one script, so two workers never take the
same job. The worker renews its leases; a result is stored only while the worker still holds
the lease (status RUNNING, its worker id, lease not run out). Every worker's beat puts jobs
whose lease ran out back in ``ready``, or FAILED after ``TASK_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from django.core.exceptions import SuspiciousOperation
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError, TaskResult
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.signals import task_enqueued
from django_tasks.utils import normalize_json

DEFAULT_PREFIX = "regiotafel:taken:"
PRIORITY_SPAN = 10**13  # enqueue times in ms stay below this; priority ranks above it

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# ARGV: prefix, id, queue, rank base, run_after ms or '', then field/value pairs
ENQUEUE = (
    _NOW
    + """
local p, id, q, base, after = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local job = p .. 'job:' .. id
redis.call('HSET', job, 'status', 'READY', 'attempts', 0, 'worker_ids', '[]',
  'enqueued_at', now, 'rank_base', ARGV[4], 'queue', q, 'run_after', after)
for i = 6, #ARGV, 2 do redis.call('HSET', job, ARGV[i], ARGV[i + 1]) end
redis.call('SADD', p .. 'queues', q)
if after ~= '' and tonumber(after) > now then
  redis.call('ZADD', p .. 'delayed:' .. q, tonumber(after), id)
else
  redis.call('ZADD', p .. 'ready:' .. q, base + now, id)
  redis.call('ZADD', p .. 'waiting', now, id)
end
return now
"""
)

# ARGV: prefix, worker id, lease ms, queue names ('*' for all)
CLAIM = (
    _NOW
    + """
local p, worker, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local queues = {}
for i = 4, #ARGV do
  if ARGV[i] == '*' then queues = redis.call('SMEMBERS', p .. 'queues'); break end
  queues[#queues + 1] = ARGV[i]
end
local best, best_score, best_q = nil, nil, nil
for _, q in ipairs(queues) do
  local delayed = p .. 'delayed:' .. q
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', delayed, '-inf', now)) do
    local job = p .. 'job:' .. id
    local enq = tonumber(redis.call('HGET', job, 'enqueued_at'))
    redis.call('ZREM', delayed, id)
    redis.call('ZADD', p .. 'ready:' .. q, tonumber(redis.call('HGET', job, 'rank_base')) + enq, id)
    redis.call('ZADD', p .. 'waiting', enq, id)
  end
  local top = redis.call('ZRANGE', p .. 'ready:' .. q, 0, 0, 'WITHSCORES')
  if top[1] and (best_score == nil or tonumber(top[2]) < best_score) then
    best, best_score, best_q = top[1], tonumber(top[2]), q
  end
end
if not best then return false end
redis.call('ZREM', p .. 'ready:' .. best_q, best)
redis.call('ZREM', p .. 'waiting', best)
local job = p .. 'job:' .. best
local ids = cjson.decode(redis.call('HGET', job, 'worker_ids') or '[]')
ids[#ids + 1] = worker
redis.call('HINCRBY', job, 'attempts', 1)
redis.call('HSET', job, 'status', 'RUNNING', 'worker', worker, 'last_attempted_at', now,
  'worker_ids', cjson.encode(ids))
redis.call('HSETNX', job, 'started_at', now)
redis.call('ZADD', p .. 'running', now + lease, best)
return best
"""
)

_HOLDS = """
local function holds(p, id, worker, now)
  local until_ = redis.call('ZSCORE', p .. 'running', id)
  if not until_ or tonumber(until_) < now then return false end
  local job = p .. 'job:' .. id
  return redis.call('HGET', job, 'worker') == worker
    and redis.call('HGET', job, 'status') == 'RUNNING'
end
"""

# ARGV: prefix, worker id, lease ms, job ids
RENEW = (
    _NOW
    + _HOLDS
    + """
local p, worker, lease, n = ARGV[1], ARGV[2], tonumber(ARGV[3]), 0
for i = 4, #ARGV do
  if holds(p, ARGV[i], worker, now) then
    redis.call('ZADD', p .. 'running', 'XX', now + lease, ARGV[i]); n = n + 1
  end
end
return n
"""
)

# ARGV: prefix, id, worker id, status, then field/value pairs
FINISH = (
    _NOW
    + _HOLDS
    + """
local p, id, worker, status = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if not holds(p, id, worker, now) then return 0 end
local job = p .. 'job:' .. id
redis.call('HSET', job, 'status', status, 'finished_at', now)
for i = 5, #ARGV, 2 do redis.call('HSET', job, ARGV[i], ARGV[i + 1]) end
redis.call('ZREM', p .. 'running', id)
redis.call('ZADD', p .. 'done:' .. status, now, id)
return 1
"""
)

# ARGV: prefix, max attempts, exception class path, traceback
RECOVER = (
    _NOW
    + """
local p, limit, again, failed = ARGV[1], tonumber(ARGV[2]), 0, 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'running', '-inf', '(' .. now)) do
  local job = p .. 'job:' .. id
  redis.call('ZREM', p .. 'running', id)
  if tonumber(redis.call('HGET', job, 'attempts') or 0) >= limit then
    redis.call('HSET', job, 'status', 'FAILED', 'finished_at', now,
      'exception_class_path', ARGV[3], 'traceback', ARGV[4])
    redis.call('ZADD', p .. 'done:FAILED', now, id)
    failed = failed + 1
  elseif redis.call('EXISTS', job) == 1 then
    local enq = tonumber(redis.call('HGET', job, 'enqueued_at'))
    redis.call('HSET', job, 'status', 'READY')
    redis.call('HDEL', job, 'worker')
    redis.call('ZADD', p .. 'ready:' .. redis.call('HGET', job, 'queue'),
      tonumber(redis.call('HGET', job, 'rank_base')) + enq, id)
    redis.call('ZADD', p .. 'waiting', enq, id)
    again = again + 1
  end
end
return {again, failed}
"""
)

# ARGV: prefix, cutoff ms
PRUNE = """
local p, cutoff, n = ARGV[1], ARGV[2], 0
for _, status in ipairs({'SUCCESSFUL', 'FAILED'}) do
  local done = p .. 'done:' .. status
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', done, '-inf', cutoff)) do
    redis.call('DEL', p .. 'job:' .. id); n = n + 1
  end
  redis.call('ZREMRANGEBYSCORE', done, '-inf', cutoff)
end
return n
"""


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _time(value: bytes | str | None) -> datetime | None:
    if value in (None, b"", ""):
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


@dataclass
class ClaimedJob:
    """What the worker needs of a claimed job (the database queue gives a DBTaskResult)."""

    backend: RedisBackend
    pk: str
    task_path: str

    @property
    def task(self) -> Task:
        return self.task_result.task

    @property
    def task_result(self) -> TaskResult:
        return self.backend.get_result(self.pk)

    def refresh_from_db(self) -> None:
        """Nothing cached: ``task_result`` reads Redis each time."""


class RedisBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True
    supports_priority = True

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self.url = self.options["URL"]
        self.prefix = self.options.get("PREFIX", DEFAULT_PREFIX)
        self.client = redis.Redis.from_url(
            self.url, health_check_interval=30, socket_timeout=10, socket_connect_timeout=5
        )
        self._scripts = {
            name: self.client.register_script(source)
            for name, source in {
                "enqueue": ENQUEUE,
                "claim": CLAIM,
                "renew": RENEW,
                "finish": FINISH,
                "recover": RECOVER,
                "prune": PRUNE,
            }.items()
        }

    def _run(self, name: str, *args: Any):
        return self._scripts[name](args=[self.prefix, *args])

    # ------------------------------------------------------------ django-tasks API
    def enqueue(self, task: Task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        job_id = str(uuid.uuid4())
        args_kwargs = normalize_json({"args": args, "kwargs": kwargs})
        run_after = "" if task.run_after is None else str(_ms(task.run_after))
        enqueued = self._run(
            "enqueue",
            job_id,
            task.queue_name,
            (100 - task.priority) * PRIORITY_SPAN,
            run_after,
            "task_path",
            task.module_path,
            "priority",
            task.priority,
            "args_kwargs",
            json.dumps(args_kwargs),
            "backend",
            self.alias,
        )
        result = TaskResult(
            task=task,
            id=job_id,
            status=TaskResultStatus.READY,
            enqueued_at=_time(enqueued),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args_kwargs["args"],
            kwargs=args_kwargs["kwargs"],
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult:
        raw = self.client.hgetall(f"{self.prefix}job:{result_id}")
        if not raw:
            raise TaskResultDoesNotExist(result_id)
        job = {key.decode(): value.decode() for key, value in raw.items()}
        task = import_string(job["task_path"])
        if not isinstance(task, Task):
            raise SuspiciousOperation(f"Task {result_id} does not point to a Task")
        task = task.using(
            priority=int(job["priority"]),
            queue_name=job["queue"],
            run_after=_time(job.get("run_after")),
            backend=self.alias,
        )
        args_kwargs = json.loads(job["args_kwargs"])
        status = TaskResultStatus[job["status"]]
        errors = []
        if status == TaskResultStatus.FAILED:
            errors.append(
                TaskError(
                    exception_class_path=job.get("exception_class_path", ""),
                    traceback=job.get("traceback", ""),
                )
            )
        result = TaskResult(
            task=task,
            id=result_id,
            status=status,
            enqueued_at=_time(job.get("enqueued_at")),
            started_at=_time(job.get("started_at")),
            last_attempted_at=_time(job.get("last_attempted_at")),
            finished_at=_time(job.get("finished_at")),
            args=args_kwargs["args"],
            kwargs=args_kwargs["kwargs"],
            backend=self.alias,
            errors=errors,
            worker_ids=json.loads(job.get("worker_ids") or "[]"),
        )
        if "return_value" in job:
            object.__setattr__(result, "_return_value", json.loads(job["return_value"]))
        return result

    # ------------------------------------------------------------ the worker's side
    def claim(self, *, worker_id: str, queues: list[str], lease_seconds: int) -> ClaimedJob | None:
        job_id = self._run("claim", worker_id, lease_seconds * 1000, *(queues or ["*"]))
        if not job_id:
            return None
        job_id = job_id.decode()
        path = self.client.hget(f"{self.prefix}job:{job_id}", "task_path")
        return ClaimedJob(self, job_id, (path or b"").decode())

    def renew(self, *, worker_id: str, job_ids: list, lease_seconds: int) -> int:
        if not job_ids:
            return 0
        return int(self._run("renew", worker_id, lease_seconds * 1000, *map(str, job_ids)))

    def finish(
        self, *, job_id, worker_id: str, return_value: Any, error: tuple[str, str] | None
    ) -> bool:
        if error is None:
            fields = [
                "return_value",
                json.dumps(normalize_json(return_value)),
                "exception_class_path",
                "",
                "traceback",
                "",
            ]
            status = TaskResultStatus.SUCCESSFUL
        else:
            fields = ["exception_class_path", error[0], "traceback", error[1]]
            status = TaskResultStatus.FAILED
        return bool(self._run("finish", str(job_id), worker_id, status.value, *fields))

    def recover_expired(self, *, max_attempts: int, reason: tuple[str, str]) -> dict[str, int]:
        again, failed = self._run("recover", max_attempts, *reason)
        return {"ready": int(again), "failed": int(failed)}

    def prune(self, *, cutoff: datetime) -> int:
        return int(self._run("prune", _ms(cutoff)))

    def figures(self) -> tuple[float, dict[str, int]]:
        """Seconds the oldest ready job has waited, and the number of jobs per state."""
        p = self.prefix
        queues = [q.decode() for q in self.client.smembers(f"{p}queues")]
        with self.client.pipeline(transaction=True) as pipe:
            pipe.time()
            pipe.zrange(f"{p}waiting", 0, 0, withscores=True)
            pipe.zcard(f"{p}running")
            pipe.zcard(f"{p}done:SUCCESSFUL")
            pipe.zcard(f"{p}done:FAILED")
            for q in queues:
                pipe.zcard(f"{p}ready:{q}")
                pipe.zcard(f"{p}delayed:{q}")
            now, oldest, running, successful, failed, *ready = pipe.execute()
        now_ms = now[0] * 1000 + now[1] // 1000
        lag = max(0.0, (now_ms - oldest[0][1]) / 1000) if oldest else 0.0
        counts = {
            TaskResultStatus.READY: sum(ready),
            TaskResultStatus.RUNNING: running,
            TaskResultStatus.SUCCESSFUL: successful,
            TaskResultStatus.FAILED: failed,
        }
        return lag, {str(status): n for status, n in counts.items()}

    def live_args(self, task_path: str) -> list[dict]:
        """Arguments of the ready, delayed and running jobs of one task (for sweeps that
        must not enqueue a job twice)."""
        p = self.prefix
        ids = set(self.client.zrange(f"{p}running", 0, -1))
        for q in self.client.smembers(f"{p}queues"):
            ids.update(self.client.zrange(f"{p}ready:{q.decode()}", 0, -1))
            ids.update(self.client.zrange(f"{p}delayed:{q.decode()}", 0, -1))
        found = []
        for job_id in ids:
            path, args_kwargs = self.client.hmget(
                f"{p}job:{job_id.decode()}", "task_path", "args_kwargs"
            )
            if path and path.decode() == task_path and args_kwargs:
                found.append(json.loads(args_kwargs))
        return found
