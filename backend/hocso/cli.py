"""The `hocso` command: serve, migrate, content check/load and user bootstrap."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hocso.core.config import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from hocso.accounts.models import RoleKind, User
    from hocso.accounts.schemas import RegisterIn
    from hocso.agencies.models import Agency


def _fail(message: str) -> int:
    print(f"hocso: {message}", file=sys.stderr)
    return 1


class Refused(Exception):
    """What the operator gave cannot be used; main prints the message as one line and exits 1."""


@dataclass
class Context:
    """What every command runs with: the settings it was given and, once asked for, the database."""

    settings: Settings
    _engines: list[Engine] = field(default_factory=list)

    def database(self, *, load_content: bool = True) -> Engine:
        """Migrates the database and (optionally) loads content/ if it changed; returns the engine."""
        from hocso.content.service import sync_content
        from hocso.core.db import make_engine, open_session
        from hocso.core.migrate import upgrade

        settings = self.settings
        if settings.sqlalchemy_url.startswith("sqlite"):
            settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        engine = make_engine(settings.sqlalchemy_url, connections=settings.db_connections, wait_seconds=settings.db_wait_seconds)
        self._engines.append(engine)
        upgrade(engine)
        if load_content:
            with open_session(engine, write=True) as session:
                report = sync_content(session, settings.content_dir)
                session.commit()
            if report.changed:
                print(
                    f"content: loaded {len(report.added_versions)} new module version(s)"
                    + (f", retired {', '.join(report.retired)}" if report.retired else "")
                    + (f"; {len(report.problems)} problem(s), run `hocso content check`" if report.problems else ""),
                    file=sys.stderr,
                )
        return engine

    def close(self) -> None:
        for engine in self._engines:
            engine.dispose()


def default_workers() -> int:
    """One worker process per CPU this process may run on: a worker uses one core at most."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, cpus)


def cmd_serve(args: argparse.Namespace, ctx: Context) -> int:
    import uvicorn

    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be 1 or more")
    workers = args.workers or default_workers()
    if not args.no_setup:
        ctx.database()
    print(f"hocso: serving http://{args.host}:{args.port} with {workers} worker(s)", file=sys.stderr)
    # X-Forwarded-For/-Proto are believed only from the proxies FORWARDED_ALLOW_IPS names; otherwise anyone
    # could pick the address that per-address limits count (uvicorn would trust 127.0.0.1 by default).
    trusted = os.environ.get("FORWARDED_ALLOW_IPS", "").strip()
    uvicorn.run(
        "hocso.main:create_served_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=workers,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        access_log=False,  # hocso.core.logging writes one JSON line per request instead
        log_level=os.environ.get("HOCSO_LOG_LEVEL", "info").lower(),
    )
    return 0


def cmd_migrate(_args: argparse.Namespace, ctx: Context) -> int:
    ctx.database(load_content=False)
    print("database is at the latest migration")
    return 0


def cmd_content_check(args: argparse.Namespace, ctx: Context) -> int:
    from hocso.content.schema import check_report

    settings = ctx.settings
    path = Path(args.path) if args.path else settings.content_dir
    if not path.exists():
        return _fail(f"no such folder: {path}")
    root = settings.content_dir if path.resolve().is_relative_to(settings.content_dir.resolve()) else path
    problems, giveaway = check_report(path, root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {path}", file=sys.stderr)
        return 1
    print(f"content OK: {path}; {giveaway}", file=sys.stderr)
    return 0


def cmd_content_load(args: argparse.Namespace, ctx: Context) -> int:
    from hocso.content.service import sync_content
    from hocso.core.db import open_session

    engine = ctx.database(load_content=False)
    with open_session(engine, write=True) as session:
        report = sync_content(session, ctx.settings.content_dir, force=args.force)
        session.commit()
    for problem in report.problems:
        print(problem)
    print(f"added: {', '.join(report.added_versions) or 'nothing'}; retired: {', '.join(report.retired) or 'nothing'}")
    return 1 if report.problems else 0


def _read_password(args: argparse.Namespace) -> str | None:
    """The password from --password, one line of standard input (--password-stdin), or a prompt typed twice."""
    import getpass

    if args.password is not None:
        return args.password
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _account_details(args: argparse.Namespace) -> RegisterIn:
    """Reads the account's details and password from the command line, as sign-up would check them."""
    from pydantic import ValidationError

    from hocso.accounts.schemas import RegisterIn

    try:
        password = _read_password(args)
    except ValueError as exc:
        raise Refused(str(exc)) from exc
    if password is None:
        raise Refused("give the password at the prompt, or on standard input with --password-stdin")
    try:
        return RegisterIn(email=args.email, phone=args.phone, password=password, full_name=args.full_name)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Refused(f"{where + ': ' if where else ''}{first['msg'].removeprefix('Value error, ')}") from exc


def _account_named(session: Session, data: RegisterIn) -> User | None:
    """Finds the account the email or phone already names; refuses when they name two different ones."""
    from hocso.accounts import service

    identifier = data.email or data.phone
    assert identifier, "RegisterIn refuses an account with neither email nor phone"
    user = service.find_by_identifier(session, identifier)
    other = service.find_by_identifier(session, data.phone) if data.email and data.phone else None
    if user is not None and other is not None and other.id != user.id:
        raise Refused(f"{data.email} and {data.phone} belong to two different accounts")
    return user or other


def _grant_roles(session: Session, *, user: User, roles: list[str], scoped: list[RoleKind], agency: Agency | None) -> None:
    """Adds roles to what the account has, never taking any away; the scoped ones apply on agency."""
    from hocso.accounts.models import RoleKind
    from hocso.agencies import access, audit

    # learner and civil_servant are not granted: everyone learns, and members of an agency are its civil servants.
    for name in dict.fromkeys(roles):
        if name in ("learner", "civil_servant"):
            continue
        kind = RoleKind(name)
        on = agency if kind in scoped else None
        _, new = access.grant(session, user=user, kind=kind, agency=on)
        if new and on is not None:
            audit.record(
                session,
                actor=None,
                agency=on,
                action="role_granted",
                detail={"user": str(user.id), "kind": kind.value, "via": "command line"},
            )


def cmd_users_create(args: argparse.Namespace, ctx: Context) -> int:
    from hocso.accounts import roles as held_roles
    from hocso.accounts.models import ROLES, RoleKind, User
    from hocso.agencies.tree import get_by_code
    from hocso.core.db import open_session
    from hocso.core.security import hash_password
    from hocso.flows import move_person

    unknown = [r for r in (args.role or []) if r not in ROLES]
    if unknown:
        return _fail(f"unknown role(s): {', '.join(unknown)}. Roles are: {', '.join(ROLES)}")
    data = _account_details(args)
    roles = [r for r in (args.role or []) if r]
    # agency_admin and helper are roles on an agency: --agency names it; otherwise --agency is the one joined.
    scoped = [RoleKind(r) for r in roles if r in (RoleKind.agency_admin, RoleKind.helper)]
    if scoped and not args.agency:
        return _fail(f"an {scoped[0].value} needs --agency CODE, the root of the subtree they work in")
    engine = ctx.database(load_content=False)
    with open_session(engine, write=True) as session:
        user = _account_named(session, data)
        created = user is None
        if user is None:
            user = User(email=data.email, phone=data.phone, full_name=data.full_name)
        user.full_name = data.full_name
        user.password_hash = hash_password(data.password)
        session.add(user)
        session.flush()
        agency: Agency | None = None
        if args.agency:
            agency = get_by_code(session, args.agency)
            if agency is None:
                return _fail(f"no agency with code {args.agency}; load the tree first (hocso agencies load FILE)")
            if not scoped:
                move_person(session, user=user, agency=agency)
        # Run again on an existing account, roles are added to what it has, never taken away.
        _grant_roles(session, user=user, roles=roles, scoped=scoped, agency=agency)
        session.commit()
        names = ",".join(held_roles.role_names(session, user))
        print(f"{'created' if created else 'updated'} {data.email or data.phone} ({names})")
    return 0


def cmd_agencies_load(args: argparse.Namespace, ctx: Context) -> int:
    from hocso.agencies.tree import read_tree_file
    from hocso.core.db import open_session
    from hocso.flows import load_tree

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"no such file: {path}")
    try:
        rows = read_tree_file(path)
    except (ValueError, UnicodeDecodeError) as exc:
        return _fail(f"{path}: {exc}")
    engine = ctx.database(load_content=False)
    with open_session(engine, write=True) as session:
        report = load_tree(session, rows)
        if report.problems:
            for problem in report.problems:
                print(f"{path}: {problem}", file=sys.stderr)
            return _fail(f"{len(report.problems)} problem(s); nothing was changed")
        session.commit()
    print(f"agencies: {report.created} created, {report.updated} updated, {report.unchanged} unchanged")
    return 0


def cmd_users_import(args: argparse.Namespace, ctx: Context) -> int:
    import json

    from hocso.agencies.tree import get_by_code
    from hocso.core import jobs
    from hocso.core.db import open_session, write_session
    from hocso.core.errors import HocsoError
    from hocso.staff import imports

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"no such file: {path}")
    raw = path.read_bytes()
    try:
        staff = imports.read_staff_file(raw)
    except HocsoError as exc:
        return _fail(f"{path}: {exc.detail}")
    engine = ctx.database(load_content=False)
    with write_session(engine) as session:
        agency = get_by_code(session, args.agency)
        if agency is None:
            return _fail(f"no agency with code {args.agency}")
        # The same job a large upload becomes, claimed by this process at once and run here with a progress line.
        job = imports.queue_import(session, caller=None, agency=agency, raw=raw, staff=staff, claimed=True)
        session.commit()

    def progress(done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        print(f"\rimporting [{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows", end="", file=sys.stderr, flush=True)

    jobs.run_claimed(engine, ctx.settings, job, on_progress=progress, retry=False)
    print(file=sys.stderr)
    with open_session(engine) as session:
        done = session.get(jobs.Job, job.id)
        assert done is not None  # finished jobs are purged only days later
        if done.status != "done":
            return _fail(f"the import stopped: {done.error}")
        result = done.result
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_keys_rotate(_args: argparse.Namespace, ctx: Context) -> int:
    from hocso.core import security

    settings = ctx.settings
    path = security.add_issuer_key(settings.issuer_keys_path)
    kid = security.issuer_jwks(settings)["keys"][-1]["kid"]
    print(f"new signing key {path.name} (kid {kid}); credentials signed before still verify")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hocso", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, load content/ if it changed, serve the API and the PWA")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, help="worker processes (default: one per CPU)")
    serve.add_argument(
        "--no-setup",
        action="store_true",
        help="neither migrate nor load content/: a release step ran `hocso migrate` and `hocso content load` once "
        "for every replica",
    )
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=cmd_migrate)

    content = sub.add_parser("content", help="check or load learning content")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    check = content_sub.add_parser("check", help="validate content files; one line per problem (file:line: why)")
    check.add_argument("path", nargs="?")
    check.set_defaults(func=cmd_content_check)
    load = content_sub.add_parser("load", help="load content/ into the database now")
    load.add_argument("--force", action="store_true", help="reload even if nothing changed")
    load.set_defaults(func=cmd_content_load)

    users = sub.add_parser("users", help="manage accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser("create", help="create or update an account (idempotent on the identifier)")
    create.add_argument("--email")
    create.add_argument("--phone")
    secret = create.add_mutually_exclusive_group()
    secret.add_argument(
        "--password",
        help="the password on the command line (visible to other users of the machine; prefer the prompt or --password-stdin)",
    )
    secret.add_argument("--password-stdin", action="store_true", help="read the password from the first line of standard input")
    create.add_argument("--full-name", required=True)
    create.add_argument("--role", action="append", help="a role to grant; repeat for several")
    create.add_argument("--agency", help="agency code: the subtree an agency_admin or helper works in, else the agency joined")
    create.set_defaults(func=cmd_users_create)
    imp = users_sub.add_parser("import", help="import civil servants from CSV (full_name,email,phone[,agency_code])")
    imp.add_argument("--agency", required=True, help="the agency the rows belong to (or the root of their agency_code)")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_users_import)

    keys = sub.add_parser("keys", help="the keys that sign Open Badges credentials")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_sub.add_parser("rotate", help="make a new signing key; older keys stay published so old credentials verify")
    rotate.set_defaults(func=cmd_keys_rotate)

    agencies_p = sub.add_parser("agencies", help="manage the agency tree")
    agencies_sub = agencies_p.add_subparsers(dest="agencies_command", required=True)
    load_tree = agencies_sub.add_parser("load", help="create or update the tree from CSV/JSON (code,name,parent_code)")
    load_tree.add_argument("file")
    load_tree.set_defaults(func=cmd_agencies_load)
    return parser


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    """Runs one command with the given settings (by default, the environment's)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    ctx = Context(settings or get_settings())
    try:
        return args.func(args, ctx)
    except Refused as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one line for an operator, not a traceback
        if os.environ.get("HOCSO_DEBUG"):
            raise
        return _fail(f"{type(exc).__name__}: {exc}")
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
