"""`python -m playground [--host] [--port] [--workers N] [--store URL] [--data-dir DIR]`:
serve the page and the API. Sessions are kept in a SQLite file in the data directory
unless `--store` (or PLAYGROUND_STORE) names another store: `memory://` (nothing kept),
`sqlite:///path/file.db`, or `redis://host:port/db` (needed for several workers)."""

import argparse
import os

import uvicorn

from .service.config import Limits
from .service.sqlite_store import default_data_dir
from .service.stores import SCHEMES, embedded_url


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m playground", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (more than 1 needs --store redis://...)")
    parser.add_argument("--store", default=os.environ.get("PLAYGROUND_STORE"),
                        help="memory://, sqlite:///path/file.db or redis://host:port/db "
                             "(default: a SQLite file in --data-dir)")
    parser.add_argument("--data-dir", default=str(default_data_dir()),
                        help="where the embedded store keeps sessions (default: %(default)s)")
    args = parser.parse_args()
    store = args.store or embedded_url(args.data_dir)
    scheme = store.split("://", 1)[0]
    if scheme not in SCHEMES:
        parser.error(f"--store {store!r}: use one of " + ", ".join(f"{s}://" for s in SCHEMES))
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.workers > 1 and scheme != "redis":
        parser.error(f"--workers {args.workers} needs a store the workers share: "
                     f"--store redis://host:port/db (the {scheme} store serves one process)")
    os.environ["PLAYGROUND_STORE"] = store          # the app (in each worker) reads it
    print(f"Neural Playground on http://{args.host}:{args.port} (sessions: {store})",
          flush=True)
    # a WebSocket message is a frame request: bounded like a request body (API.md 6.1)
    uvicorn.run("playground.app:app", host=args.host, port=args.port, log_level="warning",
                ws_max_size=Limits.max_body_bytes, workers=args.workers)


if __name__ == "__main__":
    main()
