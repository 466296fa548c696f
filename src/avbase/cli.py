"""The ``avbase`` command line. Errors print one line on stderr; ``--debug`` shows the traceback."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from avbase.core.errors import AvbaseError
from avbase.core.i18n import _, label, negotiate, set_locale
from avbase.kit.output import emit_json, emit_table, err_console
from avbase.settings import get_settings

app = typer.Typer(
    help="avbase — the digital base for an audio-visual industry cluster.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
jobs_app = typer.Typer(help="Background jobs.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(jobs_app, name="jobs")

from avbase.industry.cli import industry_app  # noqa: E402  (after the core groups, in help order)

app.add_typer(industry_app, name="industry")

from avbase.policy.cli import policy_app  # noqa: E402

app.add_typer(policy_app, name="policy")

from avbase.media.cli import media_app  # noqa: E402
from avbase.search.cli import search_command  # noqa: E402

app.add_typer(media_app, name="media")
app.command("search")(search_command)

from avbase.chain.production_cli import resources_app, scripts_app  # noqa: E402

app.add_typer(scripts_app, name="scripts")
app.add_typer(resources_app, name="resources")
from avbase.chain.cli import chain_app  # noqa: E402

app.add_typer(chain_app, name="chain")
from avbase.ecosystem.cli import contest_app  # noqa: E402

app.add_typer(contest_app, name="contest")

from avbase.review.cli import review_app  # noqa: E402

app.add_typer(review_app, name="review")
from avbase.rights.cli import rights_app  # noqa: E402

app.add_typer(rights_app, name="rights")

Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@app.callback()
def root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False) -> None:
    set_locale(
        negotiate(
            requested=os.environ.get("AVBASE_LOCALE"),
            stored=None,
            accept_language=os.environ.get("LANG", "").replace("_", "-"),
            default=get_settings().default_locale,
        )
    )


def _engine() -> Any:
    from avbase.core.db import get_engine

    return get_engine()


def _require_schema() -> None:
    from avbase.core.migrate import current_revision

    if current_revision(_engine()) is None:
        raise AvbaseError("The database is not initialised. Run `avbase init` first.")


# --- set-up -------------------------------------------------------------------------------------------


@app.command()
def init(json_out: Json = False) -> None:
    """Create the data folder and bring the database schema up to date."""
    from avbase.core.migrate import current_revision, upgrade

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    upgrade(engine)
    info = {
        "database": engine.dialect.name,
        "revision": current_revision(engine),
        "var_dir": str(settings.var_dir.resolve()),
    }
    if json_out:
        emit_json(info)
    else:
        typer.echo(_("Database ready ({database}, revision {revision}); data in {var_dir}.", **info))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head", json_out: Json = False) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from avbase.core.migrate import current_revision, upgrade

    upgrade(_engine(), revision)
    current = current_revision(_engine())
    if json_out:
        emit_json({"revision": current})
    else:
        typer.echo(_("Database schema at revision {revision}.", revision=current))


@config_app.command("show")
def config_show(json_out: Json = False) -> None:
    """Show the effective configuration (secrets masked)."""
    shown = get_settings().public_dict()
    if json_out:
        emit_json(shown)
    else:
        emit_table(_("Configuration"), [_("Setting"), _("Value")], sorted(shown.items()))


# --- running ------------------------------------------------------------------------------------------


def _print_demo_logins() -> None:
    from sqlalchemy import select

    from avbase.core.accounts.models import User
    from avbase.core.db import session_scope
    from avbase.demo.data import DEMO_PASSWORD, users

    names = [person.username for person in users()]
    with session_scope(_engine()) as session:
        present = set(session.scalars(select(User.username).where(User.username.in_(names))))
    if present:
        typer.echo(_("Demo logins (password: {password}):", password=DEMO_PASSWORD))
        for person in users():
            if person.username in present:
                typer.echo(f"  {person.username:<16} {person.display_name}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    worker: Annotated[
        bool | None, typer.Option("--worker/--no-worker", help="Run a job worker in-process.")
    ] = None,
) -> None:
    """Serve the web UI and the REST API."""
    import uvicorn

    from avbase.app import create_app

    _require_schema()
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    typer.echo(_("avbase is running at http://{host}:{port}/  (API docs: /api/docs)", host=host, port=port))
    _print_demo_logins()
    uvicorn.run(create_app(run_worker=worker), host=host, port=port, log_level="warning", proxy_headers=True)


@app.command("worker")
def worker_command(once: Annotated[bool, typer.Option(help="Run queued jobs, then exit.")] = False) -> None:
    """Run background jobs until stopped (Ctrl-C or SIGTERM)."""
    from avbase.core.jobs.worker import Worker

    _require_schema()
    worker = Worker(_engine())
    if once:
        ran = worker.run_until_idle()
        typer.echo(_("{count} jobs run.", count=ran))
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    typer.echo(_("Worker {id} waiting for jobs. Ctrl-C stops it.", id=worker.worker_id))
    try:
        worker.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


def watch_job(job_id: int, *, run_inline: bool) -> Any:
    """Show a Rich progress bar for a job until it finishes; optionally run the worker in this process."""
    from avbase.core.db import session_scope
    from avbase.core.jobs.models import Job
    from avbase.core.jobs.worker import Worker

    engine = _engine()
    runner: threading.Thread | None = None
    if run_inline:
        # This job only: what it queues (media analysis after the demo) is left to the server's worker.
        runner = threading.Thread(target=Worker(engine).run_until_idle, args=(job_id,), daemon=True)
        runner.start()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(f"#{job_id}", total=1.0, note="")
        while True:
            with session_scope(engine) as session:
                job = session.get(Job, job_id)
                if job is None:
                    raise AvbaseError("Job not found.")
                progress.update(
                    task, completed=job.progress, description=f"#{job.id} {_(job.title)}", note=job.message
                )
                if job.state.finished:
                    break
            time.sleep(0.2)
    if runner is not None:
        runner.join(timeout=5)
    return job


@app.command()
def demo(
    json_out: Json = False,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Run the job here and show progress.")
    ] = True,
) -> None:
    """Load the demo organisations and users (safe to run twice)."""
    from avbase.core.db import session_scope
    from avbase.core.i18n import N_
    from avbase.core.jobs import enqueue

    _require_schema()
    with session_scope(_engine()) as session:
        job_id = enqueue(session, kind="demo.load", title=N_("Load demo data")).id
    if not wait:
        emit_json({"job": job_id}) if json_out else typer.echo(_("Queued job #{id}.", id=job_id))
        return
    job = watch_job(job_id, run_inline=True)
    if json_out:
        emit_json({"job": job.id, "state": job.state, "result": job.result, "error": job.error})
    elif job.error:
        raise AvbaseError(job.error)
    else:
        typer.echo(
            _("Demo data loaded: {organisations} new organisations, {users} new users.", **(job.result or {}))
        )


# --- inbox and notifications --------------------------------------------------------------------------


@app.command("inbox")
def inbox_command(
    as_user: Annotated[
        str | None, typer.Option("--as", help="Act as this user (default: the platform operator).")
    ] = None,
    json_out: Json = False,
) -> None:
    """What needs the user now, across every module: the items of their home page."""
    from avbase.core import inbox
    from avbase.core.db import session_scope
    from avbase.industry.cli import principal_for
    from avbase.kit.dates import today

    _require_schema()
    with session_scope(_engine()) as session:
        principal = principal_for(session, as_user)
        items = inbox.collect(session, principal, on=today())
    if json_out:
        emit_json({"user": principal.username, "items": [item.to_json() for item in items]})
        return
    emit_table(
        _("Inbox of {name}", name=principal.display_name),
        [_("Urgency"), _("Due"), _("What"), _("Where")],
        [(label(i.urgency), i.due_on, i.title, i.link) for i in items],
    )


@app.command("notify")
def notify_command(json_out: Json = False) -> None:
    """Record new inbox items as notifications now and queue their e-mails and any digest that is due
    (workers do this every notify_scan_minutes; this is for cron or a first run)."""
    from avbase.core.notifications.service import scan_and_queue

    _require_schema()
    made = scan_and_queue(_engine())
    emit_json({"notifications": made}) if json_out else typer.echo(
        _("{count} new notifications.", count=made)
    )


# --- users --------------------------------------------------------------------------------------------


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (lower case).")],
    role: Annotated[
        str,
        typer.Option(help="admin, authority_officer, park_operator, enterprise_staff, reviewer or creator."),
    ],
    org: Annotated[str, typer.Option(help="Organisation id or exact name.")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the username).")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="Asked for when not given; or set AVBASE_NEW_PASSWORD.", envvar="AVBASE_NEW_PASSWORD"
        ),
    ] = None,
    json_out: Json = False,
) -> None:
    """Add a user to an organisation."""
    from sqlalchemy import select

    from avbase.core.accounts import service
    from avbase.core.accounts.models import Organisation
    from avbase.core.accounts.schemas import UserIn, UserOut
    from avbase.core.audit import Actor
    from avbase.core.db import session_scope
    from avbase.core.errors import NotFound

    _require_schema()
    if password is None:
        password = typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    with session_scope(_engine()) as session:
        session.info["actor"] = Actor(name=f"cli:{os.environ.get('USER', 'operator')}")
        found = (
            session.get(Organisation, int(org))
            if org.isdigit()
            else session.scalar(select(Organisation).where(Organisation.name == org))
        )
        if found is None:
            raise NotFound("Organisation not found.", field="org")
        data = UserIn(
            username=username,
            display_name=name or username,
            email=email,
            password=password,
            role=role,
            org_id=found.id,
        )
        user = service.create_user(session, None, data)
        out = UserOut.model_validate(user).model_dump(mode="json")
    if json_out:
        emit_json(out)
    else:
        typer.echo(_("User {username} added to {org}.", username=out["username"], org=found.name))


# --- jobs ---------------------------------------------------------------------------------------------


@jobs_app.command("list")
def jobs_list(
    state: Annotated[
        str | None, typer.Option(help="queued, running, succeeded, failed or cancelled.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
    json_out: Json = False,
) -> None:
    """List the newest jobs."""
    from sqlalchemy import select

    from avbase.core.db import session_scope
    from avbase.core.jobs.models import Job, JobState
    from avbase.core.jobs.schemas import JobOut

    _require_schema()
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        stmt = stmt.where(Job.state == JobState(state))
    with session_scope(_engine()) as session:
        rows = [JobOut.model_validate(job).model_dump(mode="json") for job in session.scalars(stmt)]
    if json_out:
        emit_json(rows)
        return
    emit_table(
        _("Jobs"),
        ["#", _("Job"), _("State"), _("Progress"), _("Attempts"), _("Queued")],
        [
            (
                r["id"],
                f"{_(r['title'])} ({r['kind']})",
                label(r["state"]),
                f"{r['progress']:.0%}",
                f"{r['attempts']}/{r['max_attempts']}",
                r["created_at"][:19],
            )
            for r in rows
        ],
    )


@jobs_app.command("watch")
def jobs_watch(job_id: int, json_out: Json = False) -> None:
    """Show a job's progress until it finishes (a worker must be running)."""
    from avbase.core.jobs.schemas import JobOut

    _require_schema()
    job = watch_job(job_id, run_inline=False)
    if json_out:
        emit_json(JobOut.model_validate(job).model_dump(mode="json"))


# --- entry point --------------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> tuple[str, int]:
    if isinstance(exc, AvbaseError):
        text = _(exc.message, **exc.params)
        if exc.field and exc.field not in text:  # a message that names its place says it once
            text = f"{exc.field}: {text}"
        return text, 1 if exc.status_code in (404, 500) else 2
    if isinstance(exc, ValidationError):
        from avbase.web.validation import field_errors

        return "; ".join(f"{e['field']}: {e['message']}" for e in field_errors(exc.errors())), 2
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError):
        return _("Cannot use the database: {reason}", reason=str(exc.orig).strip().splitlines()[0]), 1
    return f"{type(exc).__name__}: {exc}", 1


def main() -> None:
    try:
        app()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        if "--debug" in sys.argv:
            raise
        message, code = _one_line(exc)
        print(_("avbase: error: {message}", message=message), file=sys.stderr)
        sys.exit(code)


if __name__ == "__main__":
    main()
