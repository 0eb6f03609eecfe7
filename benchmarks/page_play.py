"""Frames and epochs per second while the page plays, in headless Chromium.

Run by hand: `python benchmarks/page_play.py [--seconds 5]`. For the DEFAULT and MAX
networks of train_speed.py, at the default speed (1 epoch per frame at 60 Hz, i.e. 60
epochs/s) and the fastest (200, i.e. 12,000 epochs/s asked for), it opens the page with the
configuration in its address, presses Play, and counts drawn frames (the page's own count)
and epochs. The page paces itself by animation frames, so 60 frames/s is the ceiling. It also plays
DEFAULT for 20,000 epochs and compares the frame rate at the end with the start.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ALL = "x1,x2,x1_sq,x2_sq,x1x2,sin_x1,sin_x2"
CONFIGS = {
    "DEFAULT": "dataset=circle&num_samples=500&train_ratio=50&features=x1,x2"
               "&hidden=4:tanh:0,2:tanh:0&batch_size=10&optimizer=sgd&learning_rate=0.03",
    "MAX": f"dataset=spiral&num_samples=500&train_ratio=50&features={ALL}"
           "&hidden=" + ",".join(["16:relu:0"] * 8) + "&batch_size=10&learning_rate=0.03",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def frames_drawn(page) -> int:
    """The page's own count of drawn frames (listening to the socket from here would make
    the browser copy every message to us, and slow it down)."""
    return page.evaluate("window.playground.framesDrawn || 0")


def measure(browser, base: str, query: str, speed: int, seconds: float) -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{base}/?lang=en&speed={speed}&{query}")
    page.wait_for_selector('[data-node="0:0"]')
    epoch = page.get_by_test_id("epoch")
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(500)  # settle (sync Playwright handles events only while waiting)
    start_frames, start_epoch, start = frames_drawn(page), int(epoch.inner_text()), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    end_frames, end_epoch, end = frames_drawn(page), int(epoch.inner_text()), time.perf_counter()
    page.get_by_role("button", name="Pause").click()
    page.close()
    return (end_frames - start_frames) / (end - start), (end_epoch - start_epoch) / (end - start)


def long_run(browser, base: str, seconds: float) -> tuple[float, float, int]:
    """DEFAULT at 1 epoch/frame: frame rate now, then after 20,000 epochs."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{base}/?lang=en&speed=1&{CONFIGS['DEFAULT']}")
    page.wait_for_selector('[data-node="0:0"]')
    sid = page.evaluate("window.playground.sessionId")

    def rate() -> float:
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(500)
        n0, t0 = frames_drawn(page), time.perf_counter()
        page.wait_for_timeout(seconds * 1000)
        r = (frames_drawn(page) - n0) / (time.perf_counter() - t0)
        page.get_by_role("button", name="Pause").click()
        return r

    before = rate()
    with httpx.Client(base_url=base) as client:  # 20,000 epochs, as fast as the server goes
        while client.get(f"/api/sessions/{sid}").json()["epoch"] < 20_000:
            client.post(f"/api/sessions/{sid}/step", json={"epochs": 200})
    page.get_by_role("button", name="Step").click()
    after = rate()
    epochs = int(page.get_by_test_id("epoch").inner_text())
    page.close()
    return before, after, epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "playground", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/api/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, query in CONFIGS.items():
                for speed in (1, 200):
                    fps, eps = measure(browser, base, query, speed, args.seconds)
                    print(f"{name:8s} speed {speed:3d} epochs/frame: {fps:6.1f} frames/s "
                          f"{eps:8.1f} epochs/s")
            before, after, epochs = long_run(browser, base, args.seconds)
            print(f"DEFAULT long run: {before:.1f} frames/s at the start, {after:.1f} frames/s "
                  f"after {epochs:,} epochs ({after / before:.2f}x)")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
