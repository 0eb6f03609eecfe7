"""What keeping a session costs: bytes per stored session, and the milliseconds to write
and read one, on each store.

Run by hand: `python benchmarks/store_cost.py [--redis redis://127.0.0.1:6379/0]`. For the
DEFAULT and MAX networks of class_load.py, each trained until its history is full (500
points), it prints the record's size (records.py), to_record and from_record, and, per
store, one write-behind round of 30 changed sessions (SQLite: one transaction; Redis: 30
versioned writes) and the load of one session by a process that never saw it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from playground.service.config import Config  # noqa: E402
from playground.service.records import from_record, to_record  # noqa: E402
from playground.service.sqlite_store import SqliteStore  # noqa: E402

ALL = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
CONFIGS = {"DEFAULT": {}, "MAX": {"dataset": "spiral", "features": ALL,
                                  "hidden": [{"units": 16, "activation": "relu"}] * 8}}


def ms(fn, n: int = 50) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1000


def round_trip(store, config: Config, students: int = 30) -> tuple[float, list[str]]:
    ids = []
    for _ in range(students):
        session = store.create(config)
        with store.use(session.id) as s:
            for _ in range(600):
                s.step(steps=1)
        ids.append(session.id)
    store.flush()
    for sid in ids:                       # every one changed since the last round
        with store.use(sid) as s:
            s.step(steps=1)
    start = time.perf_counter()
    store.flush()
    write = (time.perf_counter() - start) * 1000
    return write, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default=None, help="also measure this Redis")
    args = parser.parse_args()
    for name, raw in CONFIGS.items():
        config = Config.model_validate(raw)
        with tempfile.TemporaryDirectory() as tmp:
            store = SqliteStore(Path(tmp) / "s.db", flush_interval=3600)
            write, ids = round_trip(store, config)
            session = store.get(ids[0])
            blob = to_record(session)
            print(f"{name}: {len(blob):,} bytes a session (history of {len(session.history)} "
                  f"points); to_record {ms(lambda: to_record(session)):.2f} ms, from_record "
                  f"{ms(lambda: from_record(blob), 20):.2f} ms")
            print(f"  sqlite: a write-behind round of 30 changed sessions {write:.1f} ms")
            store.close()
            again = SqliteStore(Path(tmp) / "s.db", flush_interval=3600)
            start = time.perf_counter()
            again.get(ids[0])
            print(f"  sqlite: first use of a stored session after a restart "
                  f"{(time.perf_counter() - start) * 1000:.1f} ms")
            again.close()
        if args.redis:
            from playground.service.redis_store import RedisStore
            one = RedisStore(args.redis, flush_interval=3600)
            write, ids = round_trip(one, config)
            print(f"  redis: a write-behind round of 30 changed sessions {write:.1f} ms")
            other = RedisStore(args.redis, flush_interval=3600)
            one.close()                                  # hands the leases back
            start = time.perf_counter()
            with other.use(ids[0]):
                pass
            print(f"  redis: first use on another worker {(time.perf_counter() - start) * 1000:.1f} ms")
            other.close()


if __name__ == "__main__":
    main()
