"""`python -m playground [--host 127.0.0.1] [--port 8000]`: serve the page and the API."""

import argparse

import uvicorn

from .service.config import Limits


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m playground", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    args = parser.parse_args()
    print(f"Neural Playground on http://{args.host}:{args.port}")
    # a WebSocket message is a frame request: bounded like a request body (API.md 6.1)
    uvicorn.run("playground.app:app", host=args.host, port=args.port, log_level="warning",
                ws_max_size=Limits.max_body_bytes)


if __name__ == "__main__":
    main()
