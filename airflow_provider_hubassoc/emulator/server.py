"""Run the emulator with uvicorn in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from airflow_provider_hubassoc.emulator.app import create_app
from airflow_provider_hubassoc.emulator.config import EmulatorConfig
from airflow_provider_hubassoc.emulator.runtime import EmulatorRuntime
from airflow_provider_hubassoc.emulator.state import Portal

log = logging.getLogger(__name__)


class EmulatorServer:
    """A running emulator: uvicorn serving :func:`~airflow_provider_hubassoc.emulator.app.create_app`.

    Usable as a context manager::

        with EmulatorServer(EmulatorConfig(seed="demo")) as emu:
            requests.get(f"{emu.url}/_emulator/stats")

    :param config: Emulator configuration (defaults to :class:`EmulatorConfig`'s defaults).
    :param host: Interface to bind.
    :param port: Port to bind; ``0`` picks a free port (see :attr:`port` after :meth:`start`).
    """

    def __init__(self, config: EmulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or EmulatorConfig()
        self.host = host
        self._requested_port = port
        self.runtime = EmulatorRuntime(self.config)
        self.app = create_app(self.runtime)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        """The bound port (only after :meth:`start`)."""
        if self._port is None:
            raise RuntimeError("the emulator is not running")
        return self._port

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    @property
    def state(self) -> Portal:
        """The in-memory portal, for direct inspection."""
        return self.runtime.portal

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 15.0) -> EmulatorServer:
        """Start uvicorn in a daemon thread and wait until it accepts connections.

        :param timeout: Seconds to wait for startup.
        :raises RuntimeError: When the server does not start in time.
        """
        if self._server is not None:
            raise RuntimeError("the emulator is already started")
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self._requested_port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=server.run, name="hubspot-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server = None
                raise RuntimeError("the HubSpot emulator failed to start")
            time.sleep(0.01)
        sockets: list[Any] = [s for srv in server.servers for s in srv.sockets]
        self._port = int(sockets[0].getsockname()[1])
        log.info("HubSpot emulator listening on %s", self.url)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and wait for its thread.

        :param timeout: Seconds to wait for the thread to end.
        """
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout)
        self._server = None
        self._thread = None
        self._port = None

    def reset(self) -> None:
        """Portal back to the seed, counters zeroed (same as ``POST /_emulator/reset``)."""
        self.runtime.reset()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
