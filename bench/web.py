"""Web benchmark: serve the demo, then measure the dashboard page and one API list endpoint.

    .venv/bin/python bench/web.py [--clients 4] [--seconds 10]

Starts `avbase serve` on a fresh SQLite demo database (no in-process worker), signs in as the demo admin,
and drives each URL with N concurrent keep-alive clients for a fixed time. Prints requests per second and
p50/p95/p99 latency. The load generator runs on the same machine, so it competes with the server for CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    var_dir = tempfile.mkdtemp(prefix="avbase-bench-")
    env = {**os.environ, "AVBASE_VAR_DIR": var_dir}
    env.pop("AVBASE_DATABASE_URL", None)
    cli = [sys.executable, "-m", "avbase.cli"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def sign_in(url: str) -> tuple[dict[str, str], dict[str, str]]:
    """Returns (browser cookies, API bearer header) for the demo admin."""
    with httpx.Client(base_url=url) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"username": "admin", "password": "avbase-demo", "csrf_token": token})
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)  # type: ignore[union-attr]
        created = client.post("/api/v1/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": csrf})
        return dict(client.cookies), {"Authorization": f"Bearer {created.json()['token']}"}


async def drive(url: str, path: str, clients: int, seconds: float, **auth: dict[str, str]) -> list[float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def one_client() -> None:
        async with httpx.AsyncClient(base_url=url, **auth) as client:  # type: ignore[arg-type]
            await client.get(path)  # warm the connection
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")

    await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    server, url = start_server()
    try:
        cookies, bearer = sign_in(url)
        rows = []
        for name, path, auth in [
            ("dashboard page  GET /", "/", {"cookies": cookies}),
            ("API list  GET /api/v1/organisations", "/api/v1/organisations?per_page=20", {"headers": bearer}),
        ]:
            latencies = asyncio.run(drive(url, path, args.clients, args.seconds, **auth))
            rows.append(
                (
                    name,
                    len(latencies) / args.seconds,
                    statistics.median(latencies) * 1000,
                    percentile(latencies, 0.95) * 1000,
                    percentile(latencies, 0.99) * 1000,
                )
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    cpus = os.cpu_count()
    print(f"{args.clients} concurrent clients, {args.seconds:.0f} s per endpoint, {cpus} CPUs, SQLite demo\n")
    print(f"| {'endpoint':<38} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} |")
    print(f"|{'-' * 40}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    for name, rps, p50, p95, p99 in rows:
        print(f"| {name:<38} | {rps:>7.0f} | {p50:>7.1f} | {p95:>7.1f} | {p99:>7.1f} |")


if __name__ == "__main__":
    main()
