"""``together-emulator`` / ``python -m together_pulumi.emulator``: serve the emulator with uvicorn.

Once the socket is listening it prints exactly one line to stdout,
``together-emulator: serving http://HOST:PORT`` (:mod:`.serving`), which scripts and tests parse
to learn the port (``--port 0`` picks a free one). Logs go to stderr. SIGINT/SIGTERM shut it down cleanly.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

import uvicorn

from .app import create_app
from .config import DEFAULT_PROJECT_ID, DEFAULT_PROJECTS, EmulatorConfig, Project
from .faults import FaultConfig, parse_methods
from .serving import serving_line

__all__ = ["build_parser", "config_from_args", "main"]


def _rate(value: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1; got {value}")
    return rate


def _non_negative(value: str) -> float:
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0; got {value}")
    return number


def _project(value: str) -> Project:
    project_id, _, name = value.partition("=")
    try:
        return Project(project_id.strip(), name.strip() or project_id.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="together-emulator",
        description="Local emulator of Together AI's Instant Clusters API (serves /v1/compute/...).",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8787, help="port to bind; 0 picks a free port (default 8787)")
    p.add_argument("--api-key", help="accept only 'Authorization: Bearer KEY' (default: any non-empty token)")
    p.add_argument("--provisioning-seconds", type=_non_negative, default=6.0, help="create -> Ready (default 6)")
    p.add_argument("--deletion-seconds", type=_non_negative, default=2.0, help="Deleting -> gone (default 2)")
    p.add_argument(
        "--volume-provisioning-seconds",
        type=_non_negative,
        default=2.0,
        help="volume provisioning -> available (default 2)",
    )
    p.add_argument(
        "--volume-deletion-seconds",
        type=_non_negative,
        default=0.0,
        help="volume DELETE -> gone, showing 'deleting' meanwhile (default 0: at once)",
    )
    p.add_argument(
        "--remediation-seconds",
        type=_non_negative,
        default=4.0,
        help="a remediation's processing, PENDING -> SUCCEEDED (default 4)",
    )
    p.add_argument("--state-file", type=Path, help="JSON file to load on start and rewrite after every change")
    p.add_argument("--seed", type=int, help="seed for generated ids and injected faults (reproducible runs)")
    p.add_argument(
        "--project",
        dest="projects",
        action="append",
        type=_project,
        metavar="ID[=NAME]",
        help=f"a project the API key can use (repeatable); the first is the key's own (default {DEFAULT_PROJECT_ID})",
    )
    f = p.add_argument_group("fault injection (applies to /v1 requests only)")
    f.add_argument("--fault-rate-429", type=_rate, default=0.0, help="fraction answered 429 with Retry-After")
    f.add_argument("--fault-rate-500", type=_rate, default=0.0, help="fraction answered 500")
    f.add_argument("--fault-rate-503", type=_rate, default=0.0, help="fraction answered 503 with Retry-After")
    f.add_argument(
        "--fault-drop-rate", type=_rate, default=0.0, help="fraction whose connection is dropped mid-response"
    )
    f.add_argument(
        "--fault-latency-ms", type=_non_negative, default=0.0, help="latency added to each faultable request"
    )
    f.add_argument("--fault-methods", help="comma-separated methods that may be faulted, e.g. GET,POST (default all)")
    f.add_argument("--fault-path-prefix", default="/v1", help="only paths with this prefix are faulted (default /v1)")
    f.add_argument(
        "--fault-after-commit-ratio",
        type=_rate,
        default=0.5,
        help="share of 500/503/drop faults on POST/PUT/DELETE injected after the change (default 0.5)",
    )
    f.add_argument("--retry-after", type=_non_negative, default=1.0, help="seconds sent in Retry-After (default 1)")
    p.add_argument("--log-level", default="warning", help="uvicorn log level on stderr (default warning)")
    return p


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    faults = FaultConfig(
        rate_429=args.fault_rate_429,
        rate_500=args.fault_rate_500,
        rate_503=args.fault_rate_503,
        drop_rate=args.fault_drop_rate,
        latency_ms=args.fault_latency_ms,
        methods=parse_methods(args.fault_methods),
        path_prefix=args.fault_path_prefix,
        retry_after_seconds=args.retry_after,
        after_commit_ratio=args.fault_after_commit_ratio,
        seed=args.seed,
    )
    return EmulatorConfig(
        api_key=args.api_key,
        provisioning_seconds=args.provisioning_seconds,
        deletion_seconds=args.deletion_seconds,
        volume_provisioning_seconds=args.volume_provisioning_seconds,
        volume_deletion_seconds=args.volume_deletion_seconds,
        remediation_seconds=args.remediation_seconds,
        state_file=args.state_file,
        seed=args.seed,
        faults=faults,
        projects=tuple(args.projects) if args.projects else DEFAULT_PROJECTS,
    )


class _Server(uvicorn.Server):
    """Announces the address only after uvicorn has started serving on the socket."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self.url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print(serving_line(self.url), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
        config.faults.validate()
    except ValueError as exc:
        parser.error(str(exc))
    app = create_app(config)
    # Bind ourselves so --port 0 resolves to a real port before we announce it.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets that say TCP,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"together-emulator: cannot bind {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    server_config = uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="on")
    server = _Server(server_config, f"http://{host}:{port}")
    # uvicorn re-raises SIGINT/SIGTERM after its graceful shutdown; with these handlers in place
    # that re-raise is a no-op, so a requested stop exits 0 after the final save.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stopped)
    server.run(sockets=[sock])
    app.state.emulator.store.save()
    return 0


def _stopped(signum: int, frame: FrameType | None) -> None:
    """Only reached when uvicorn replays a signal it has already handled."""


if __name__ == "__main__":
    sys.exit(main())
