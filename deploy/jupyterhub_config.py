"""JupyterHub for a staffing office's shared archive: sign-in, one server per person, and each
server reaching PostgreSQL with that person's own database role.

    jupyterhub -f deploy/jupyterhub_config.py        (from the folder that keeps the hub's state)

Settings come from the environment, so the same file serves the office and the tests:

WORKBENCH_HUB_DB        the archive as the hub reads it (a role that may SELECT ``users``), e.g.
                        postgresql://workbench_hub:…@dbhost/workbench
WORKBENCH_HUB_SECRETS   a folder only the hub's OS user can read (chmod 700), one file per login
                        holding that login's database password: the file given to
                        ``workbench users add LOGIN --password-file``. A login without one gets
                        no server.
WORKBENCH_HUB_IP/PORT   where people open the hub (default 127.0.0.1:8000; put TLS in front)
WORKBENCH_HUB_API_PORT, WORKBENCH_HUB_PROXY_API_PORT   the hub's and the proxy's private ports
WORKBENCH_HUB_ADMINS    comma-separated hub admins (they approve sign-ups at /hub/authorize)
WORKBENCH_HUB_SPAWNER   ``local`` (default): each person's server runs as their own OS user
                        (create one per login), so no officer can read another's process or
                        credentials; ``simple``: all as the hub's user (tests, one trusted host)
WORKBENCH_HUB_OFFICER_URL  where an officer lands (default: the officers' app,
                        /voila/render/officer_app.ipynb; /lab for the notebooks in JupyterLab);
                        leaders land on the dashboard

Why the identity holds: the hub signs the person in, then starts their server with WORKBENCH_DB
naming *their* login and password. The person never types a name into the workbench and cannot
choose another role: PostgreSQL checks the password (pg_hba.conf ``scram-sha-256``), and
``SET ROLE`` to anyone else is refused because login roles are not members of each other
(tests/archive/test_access.py). The database, not the server, decides what they may read and
write, since in JupyterLab they can run any Python.

Authenticator: jupyterhub-nativeauthenticator keeps a local user list in the hub's database —
people sign up at /hub/signup with their workbench login and an admin approves them; nothing
else to run, which suits an office of a few dozen people. An office with a directory server
swaps it for jupyterhub-ldapauthenticator (``c.JupyterHub.authenticator_class = "ldapauthenticator.LDAPAuthenticator"``
plus ``c.LDAPAuthenticator.server_address`` and ``bind_dn_template``): passwords and leavers
are then managed in one place. Either way the hub login must equal the workbench login.
"""

import json
import os
import sys
from pathlib import Path

import sqlalchemy as sa

from workbench.paths import NOTEBOOKS_DIR, VOILA_CONFIG

c = get_config()  # noqa: F821 - provided by JupyterHub

env = os.environ.get
STATE = Path.cwd()
SECRETS = Path(env("WORKBENCH_HUB_SECRETS", "/etc/workbench/db-passwords"))
HUB_DB = env("WORKBENCH_HUB_DB", "")

# ------------------------------------------------------------------ where it listens, its state
c.JupyterHub.ip = env("WORKBENCH_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(env("WORKBENCH_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env("WORKBENCH_HUB_API_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

# configurable-http-proxy (npm); the hub starts and stops it
c.ConfigurableHTTPProxy.command = [env("WORKBENCH_CHP", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('WORKBENCH_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# ------------------------------------------------------------------ who signs in
c.JupyterHub.authenticator_class = "native"
c.NativeAuthenticator.open_signup = env("WORKBENCH_HUB_OPEN_SIGNUP") == "1"  # never in an office
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 300
c.Authenticator.admin_users = {a for a in env("WORKBENCH_HUB_ADMINS", "").split(",") if a}
# Only the workbench's people (those the hub holds a database password for) sign in.
c.Authenticator.allowed_users = {p.name for p in SECRETS.glob("*") if p.is_file()} if SECRETS.is_dir() else set()


# ------------------------------------------------------------------ each person's server
if env("WORKBENCH_HUB_SPAWNER", "local") == "simple":
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
else:
    c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
# Voilà runs inside each server (/voila/render/…) configured as ``workbench serve`` runs it (the
# checked-in voila.json: the workbench template, no CDN, sources hidden), given to the servers
# as their jupyter_server_config.json.
SERVER_CONFIG = STATE / "server-config"
SERVER_CONFIG.mkdir(exist_ok=True)
_voila = json.loads((VOILA_CONFIG / "voila.json").read_text())
_server = {k: _voila[k] for k in ("VoilaConfiguration", "VoilaExecutor", "MappingKernelManager")}
# Standalone Voilà loads no MathJax; inside a server its page asks a CDN for it unless both the
# URL and the configuration are null (voila's front end then leaves the MathJax plug-in out).
_server["ServerApp"] = {"tornado_settings": {"mathjax_url": None, "mathjax_config": None}}
(SERVER_CONFIG / "jupyter_server_config.json").write_text(json.dumps(_server, indent=1))
c.Spawner.notebook_dir = env("WORKBENCH_HUB_NOTEBOOKS", str(NOTEBOOKS_DIR))
c.Spawner.env_keep = ["PATH", "PYTHONPATH", "LANG", "WORKBENCH_LANG", "WORKBENCH_ROUND", "WORKBENCH_PROJECT"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90


def _role(login: str) -> str | None:
    if not HUB_DB:
        return None
    engine = sa.create_engine(HUB_DB, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT role FROM users WHERE login = :l AND active"),
                                {"l": login}).scalar()
    finally:
        engine.dispose()


def hand_over_credentials(spawner) -> None:
    """The person's own database role goes to their server, read from a file only the hub can
    read; the leaders' server opens on the dashboard."""
    login = spawner.user.name
    secret = SECRETS / login
    if not secret.is_file():
        raise RuntimeError(f"no database password for {login} in {SECRETS}")
    role = _role(login)
    if role is None:
        raise RuntimeError(f"{login} is not an active workbench user")
    url = sa.engine.make_url(HUB_DB).set(username=login, password=secret.read_text().splitlines()[0].strip())
    spawner.environment.update({
        "WORKBENCH_DB": url.render_as_string(hide_password=False),
        "JUPYTER_PATH": str(VOILA_CONFIG),  # where the workbench Voilà template is found
        "JUPYTER_CONFIG_PATH": str(SERVER_CONFIG),
    })
    spawner.default_url = ("/voila/render/dashboard.ipynb" if role == "leader"
                           else env("WORKBENCH_HUB_OFFICER_URL", "/voila/render/officer_app.ipynb"))


c.Spawner.pre_spawn_hook = hand_over_credentials

# ------------------------------------------------------------------ idle servers are stopped
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                f"--timeout={env('WORKBENCH_HUB_IDLE_SECONDS', '3600')}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
