#!/usr/bin/python3
"""How a competition backend uses kw through Redis (Debian's python3-redis).

Enqueue a job on the stream kw workers read, then wait for its one result on kw:result:<id>. The
result is what `kwctl submit` prints, after a first line "STATUS MESSAGE" (STATUS is kwctl's exit
status: 0 judged and normal, 1 judged with a failing run, 2 invalid job, 3 kw's own trouble).

    examples/backend.py redis://:PASSWORD@127.0.0.1:6379 examples/hello-python.json
"""
import json
import sys
import uuid

import redis


def judge(client, job, stream="kw:jobs", timeout=900):
    job_id = uuid.uuid4().hex  # 32 lowercase hex digits: the key the answer comes back under
    client.xadd(stream, {"id": job_id, "job": json.dumps(job)})
    reply = client.blpop(f"kw:result:{job_id}", timeout=timeout)
    if reply is None:
        raise TimeoutError(f"no result for job {job_id} within {timeout} s")
    head, _, body = reply[1].partition(b"\n")
    status, _, message = head.decode().partition(" ")
    return int(status), message, json.loads(body) if body else None


def main():
    url, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        job = json.load(f)
    status, message, result = judge(redis.Redis.from_url(url), job)
    if message:
        print(f"kw: {message}", file=sys.stderr)
    if result is not None:
        print(json.dumps(result, indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
