"""After a prompt, `drift fix` goes on on new connections (`drift.live.session.after_a_prompt`;
helper-820 F3). A NAT or firewall with an idle timeout forgets a connection while a question
waits, silently: no RST, no FIN, its packets dropped, new connections let through. drift sets
no keepalive, so a call sent on the forgotten one waits out its deadline, each retry too. With
the check's connection kept across "Deploy…?", the fix stopped ("could not be read again after
the prompt"); kept across "Move all traffic…?", the promotion was not sent and the canary's
clean-up failed on it too, leaving the canary."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from drift.sandbox import Sandbox
from tests.cliutil import REPO
from tests.fix.terminal import Script, converse, spawn_on_a_terminal

EMULATED = ("CLOUD_RUN", "SECRET_MANAGER", "RESOURCE_MANAGER")
Reply = bytes | Callable[[], bytes | int] | None


class ForgetfulNat:
    """A TCP relay to `target` (HOST:PORT) on a thread of its own; `forget` drops what the
    connections it has carry from then on, in both directions, and closes none of them."""

    def __init__(self, target: str) -> None:
        self.host, port = target.rsplit(":", 1)
        self.target_port = int(port)
        self.generation = 0
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(timeout=10)

    def forgetting(self, reply: bytes | int) -> Callable[[], bytes | int]:
        """A script's `reply` (`tests.fix.terminal.Script`), given once the connections there
        are are forgotten: what they carry from then on is dropped."""

        def forget() -> bytes | int:
            self.generation += 1
            return reply

        return forget

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in self.writers:
            writer.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        generation = self.generation
        far_reader, far_writer = await asyncio.open_connection(self.host, self.target_port)
        self.writers += [writer, far_writer]
        pipes = (
            self._pipe(reader, far_writer, generation),
            self._pipe(far_reader, writer, generation),
        )
        with suppress(asyncio.CancelledError):  # closed (`close`): asyncio would log it
            await asyncio.gather(*pipes)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, generation: int
    ) -> None:
        try:
            while data := await reader.read(65536):
                if self.generation == generation:
                    writer.write(data)
                    await writer.drain()
        except OSError:
            pass


@contextmanager
def behind_a_nat(sandbox: Sandbox) -> Iterator[ForgetfulNat]:
    nat = ForgetfulNat(sandbox.environ()["CLOUD_RUN_EMULATOR_HOST"])
    try:
        yield nat
    finally:
        nat.close()


def test_the_steps_after_a_prompt_go_on_new_connections(sandbox: Sandbox, tmp_path: Path) -> None:
    """The connections are forgotten as each prompt shows, and "y" is answered: the canary is
    deployed and all traffic moved. Each call is given 3 s and the retry budget 10 s, so a
    call on a forgotten connection fails the fix (never a hang). drift runs with
    ResourceWarning an error: every set of clients is closed."""
    with behind_a_nat(sandbox) as nat:
        output, code = fix_web(sandbox, tmp_path, nat, nat.forgetting(b"y\n"))
    assert "web: traffic moved to web-drift-" in output, output
    assert code == 0, output
    assert "Exception ignored" not in output and "ResourceWarning" not in output, output


def test_ctrl_c_at_the_promotion_prompt_cleans_up_on_new_connections(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Ctrl-C at "Move all traffic…?", the connections forgotten as it shows: the clean-up
    (the canary's tag removed, the routing that served put back) goes on new connections;
    it failed on the forgotten one and left the canary."""
    with behind_a_nat(sandbox) as nat:
        output, code = fix_web(sandbox, tmp_path, nat, b"y\n", nat.forgetting(signal.SIGINT))
    assert "Ctrl-C at the promotion prompt; cleaned up" in output, output
    assert "failed" not in output and "drift rollback" not in output, output
    assert code == 4, output
    assert "Exception ignored" not in output and "ResourceWarning" not in output, output


def fix_web(
    sandbox: Sandbox, tmp_path: Path, nat: ForgetfulNat, canary: Reply, promotion: Reply = None
) -> tuple[str, int]:
    """`drift fix e2e --service web` on a terminal, through `nat`: `canary` replies to
    "Deploy…?", `promotion` (the same if None) to "Move all traffic…?"; what it printed, and
    its exit code."""
    via = f"127.0.0.1:{nat.port}"
    env = {
        **sandbox.environ(),
        **dict.fromkeys((f"{api}_EMULATOR_HOST" for api in EMULATED), via),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
        "DRIFT_CALL_TIMEOUT": "3",
        "DRIFT_RETRY_BUDGET": "10",
    }
    args = ["fix", "e2e", "--service", "web", "--profiles", str(REPO / "profiles")]
    argv = [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-m", "drift", *args]
    terminal = spawn_on_a_terminal(argv, env, tmp_path)
    script: Script = [
        (b"no traffic? [y/N]", canary),
        (b"Move all traffic of web", canary if promotion is None else promotion),
    ]
    output = converse(terminal, script).decode(errors="replace")
    return output, terminal[0].wait()
