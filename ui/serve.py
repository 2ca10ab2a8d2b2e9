"""Start the dashboard: ``python -m ui.serve [streamlit options]`` (what scripts/run.sh runs).

It switches off Streamlit's first-generation multipage mode before any session starts. Otherwise a
freshly started server treats the ``pages/`` folder as pages of their own for its first session (see
ui/routing.py), and that session's URL does not follow its filters. It gates Streamlit's upload route: only a
session that may import can send files (ui/upload_gate.py). It says where it listens and who may use it: the
server listens on 127.0.0.1 (this machine) unless ``--server.address`` or ``STREAMLIT_SERVER_ADDRESS`` says
otherwise. Then it is plain ``streamlit run``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli
from streamlit.web.server.starlette import starlette_app

from crm_metrics import accounts
from ui.cli_bridge import open_bridge
from ui.upload_gate import GatedRuntime

APP = Path(__file__).resolve().parent.parent / "app.py"
# the app's Streamlit settings (theme, upload size, no tracebacks to the browser), passed as flags so that they hold
# wherever the app is started from (an installed app has no .streamlit folder in the working directory)
CONFIG = Path(__file__).resolve().parent / "streamlit_config.toml"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def gate_uploads() -> None:
    """Streamlit's upload route sees only the sessions that may import as live (ui/upload_gate.py)."""
    create = starlette_app.create_upload_routes
    if getattr(create, "gated", False):
        return

    def gated(runtime, upload_mgr, base_url):
        return create(GatedRuntime(runtime), upload_mgr, base_url)

    gated.gated = True
    starlette_app.create_upload_routes = gated


def answer_the_command_line(url: str) -> None:
    """Add the route through which the command line's reports reach the app (ui/cli_bridge.py)."""
    create = starlette_app.create_streamlit_routes
    if getattr(create, "bridged", False):
        return

    def with_bridge(runtime):
        return [open_bridge(url), *create(runtime)]

    with_bridge.bridged = True
    starlette_app.create_streamlit_routes = with_bridge


def _server_option(args: list[str], name: str, default: str) -> str:
    """``--server.NAME`` from the command line, else ``STREAMLIT_SERVER_NAME`` from the environment, else
    ``default``."""
    flag = f"--server.{name}"
    for i, arg in enumerate(args):
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
        if arg == flag and i + 1 < len(args):
            return args[i + 1]
    return os.environ.get(f"STREAMLIT_SERVER_{name.upper()}") or default


def listening_port(args: list[str]) -> str:
    return _server_option(args, "port", "8501")


def listening_address(args: list[str]) -> str:
    """The address the server listens on: the command line's, else the environment's, else 127.0.0.1."""
    return _server_option(args, "address", "127.0.0.1")


def start_notice(address: str, mode: str) -> str:
    """What the server says when it starts: where it listens and who may use it."""
    where = ("only on this machine (127.0.0.1); to serve your team, set --server.address 0.0.0.0 with sign-in "
             "(CRM_AUTH=local or oidc)" if address in LOOPBACK else f"on {address}: anyone who can reach it")
    who = {"none": "without sign-in: every visitor is admin", "local": "with sign-in (local accounts)",
           "oidc": "with sign-in (OpenID Connect)"}[mode]
    notice = f"Customer dashboard: listening {where}, {who}."
    if address not in LOOPBACK and mode == "none":
        notice += " WARNING: anyone on the network can import, undo and reset; set CRM_AUTH."
    return notice


def config_flags(given: list[str]) -> list[str]:
    """``--section.key value`` for every setting of :data:`CONFIG` the command line does not set itself."""
    import tomllib

    flags = []
    for section, options in tomllib.loads(CONFIG.read_text(encoding="utf-8")).items():
        for key, value in options.items():
            name = f"--{section}.{key}"
            if not any(a == name or a.startswith(name + "=") for a in given):
                flags += [name, str(value).lower() if isinstance(value, bool) else str(value)]
    return flags


def main() -> None:
    """The ``crm-dashboard`` console script: Streamlit's own command line on the app, with the upload gate."""
    PagesManager.uses_pages_directory = False
    gate_uploads()
    args = sys.argv[1:]
    args = [*config_flags(args), *args]
    address = listening_address(args)
    if not any(a.startswith("--server.address") for a in args):
        args = ["--server.address", address, *args]
    print(start_notice(address, accounts.auth_mode()), flush=True)
    local = "127.0.0.1" if address in ("0.0.0.0", "::", "localhost") else f"[{address}]" if ":" in address else address
    answer_the_command_line(f"http://{local}:{listening_port(args)}")
    sys.argv = ["streamlit", "run", str(APP), *args]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
