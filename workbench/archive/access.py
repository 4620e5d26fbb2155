"""Who may read and write what, enforced by PostgreSQL: roles, grants, row-level security, the
recusal rule and the audit trail of a shared archive.

An officer in JupyterLab can run any Python, so no check in the application is a boundary: each
person connects with their own login role and the database decides. ``install`` (run by
``workbench users setup`` or ``workbench init --shared``, as the database owner) creates

- three group roles per database, ``<db>_officer``, ``<db>_leader``, ``<db>_admin``, with grants
  per table (leaders: SELECT only; officers: SELECT and the writes the workflow needs, no
  UPDATE/DELETE on append-only tables; nobody: UPDATE/DELETE on ``audit``);
- row-level security on every table that belongs to an area, keyed on ``current_user`` joined
  to ``users`` through SECURITY DEFINER functions: a county officer reads and writes only their
  county's rows, a city officer reads all and writes the city's, a leader reads all, an admin
  does everything;
- a trigger that refuses verified entries from a user who belongs to the matter's unit (回避);
- triggers that stamp the signed-in login (``session_user``) into the "by" column of every new
  row, whatever the application sent, and write every change to ``audit``.

``add_user`` creates the ``users`` row and a LOGIN role of the same name. SQLite is the
single-user archive and has none of this.
"""

from __future__ import annotations

import sqlalchemy as sa

from workbench.errors import WorkbenchError
from workbench.labels import register, t

from .schema import USER_ROLES, metadata, users
from .store import Archive, now

register({
    "err_users_need_pg": {
        "zh": "用户与权限只用于多人共用的 PostgreSQL 档案;单机 SQLite 档案无需用户(--db postgresql://…)",
        "en": "users and roles are for a shared PostgreSQL archive; a single-user SQLite archive has none "
              "(--db postgresql://…)"},
    "err_user_role": {"zh": "角色须为 {options} 之一:{role}", "en": "role must be one of {options}: {role}"},
    "err_user_area": {"zh": "地区“{area}”不在本机构组织机构中,可选:{options}",
                      "en": "area “{area}” is not one of the organisation's: {options}"},
    "err_user_login": {"zh": "登录名只能用小写字母、数字和下划线,以字母开头:{login}",
                       "en": "a login is lower-case letters, digits and _, starting with a letter: {login}"},
    "err_user_exists": {"zh": "用户已存在:{login}", "en": "user exists: {login}"},
    "err_user_unknown": {"zh": "没有该用户:{login}", "en": "no such user: {login}"},
    "err_user_unit": {"zh": "没有该单位:{unit}", "en": "no such unit: {unit}"},
})

#: tables whose rows belong to an area, and the SQL giving a row's area (``wb_area_of_*`` below)
AREA_OF = {
    "rounds": "area",
    "units": "coalesce(county, wb_own_area())",
    "matters": "wb_area_of_unit(unit_id)",
    "matter_amendments": "wb_area_of_matter(matter_id)",
    "implementation": "wb_area_of_matter(matter_id)",
    # a 文号 numbers a round's document: its ref is letter:ROUND:UNIT, correction:ROUND:… or filing:ROUND
    "doc_numbers": "wb_area_of_round(split_part(ref, ':', 2))",
    "letter_corrections": "wb_area_of_letter(letter_id)",
    "results": "wb_area_of_run(run_id)",
    "rectification_events": "wb_area_of_item(item_id)",
    "extension_requests": "wb_area_of_item(item_id)",
    "decisions": "coalesce(wb_area_of_round(round_id), wb_area_of_unit(unit_id))",
    "decision_log": "wb_area_of_decision(decision_id)",
    # A county reads the filings it sent; the office they are filed with records them.
    "filings": ("area", "wb_own_area()"),
}
ROUND_KEYED = ("round_matters", "entries", "entry_versions", "scoring_runs", "work_log",
               "rectification_items", "seals", "amendments", "amending", "letters", "step_events", "round_team",
               "evidence", "survey_facts")
#: only ever added to (a change is a new row): officers get INSERT, never UPDATE or DELETE
APPEND_ONLY = {"matter_amendments", "entries", "results", "scoring_runs", "step_events", "decision_log",
               "rectification_events", "amendments", "letters", "evidence", "seals",
               "doc_numbers", "letter_corrections"}
#: the office's own tables: everyone reads them, only an admin changes them (a county's public
#: signing key is registered by the city's admin: who may sign for an area is the city's decision)
ADMIN_ONLY = ("organisation", "organisation_areas", "users", "filing_keys")
#: the column naming who made a row: the database writes the signed-in login into it
BY_COLUMN = {
    "entries": "entered_by", "scoring_runs": "computed_by", "rounds": "created_by",
    "round_matters": "decided_by", "rectification_items": "created_by", "rectification_events": "by",
    "extension_requests": "requested_by", "decisions": "created_by", "decision_log": "by",
    "seals": "sealed_by", "amendments": "by", "letters": "created_by", "step_events": "by",
    "evidence": "added_by", "survey_facts": "entered_by", "filings": "received_by",
    "organisation": "recorded_by", "users": "created_by", "matter_amendments": "by",
    "filing_keys": "registered_by", "implementation": "entered_by", "doc_numbers": "by",
    "letter_corrections": "by",
}
# the trail itself; a counter the entries already show; a marker that never outlives its transaction
NOT_AUDITED = {"audit", "entry_versions", "amending"}

FUNCTIONS = """
CREATE OR REPLACE FUNCTION wb_user_role(u name) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$ SELECT role FROM users WHERE login = u AND active $$;
CREATE OR REPLACE FUNCTION wb_user_area(u name) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$ SELECT area FROM users WHERE login = u AND active $$;
CREATE OR REPLACE FUNCTION wb_user_unit(u name) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$ SELECT unit_id FROM users WHERE login = u AND active $$;
CREATE OR REPLACE FUNCTION wb_own_area() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$
  SELECT coalesce((SELECT area FROM organisation_areas ORDER BY position LIMIT 1), 'city') $$;
CREATE OR REPLACE FUNCTION wb_area_of_round(r text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$ SELECT area FROM rounds WHERE round_id = r $$;
CREATE OR REPLACE FUNCTION wb_area_of_unit(u text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$ SELECT coalesce(county, wb_own_area()) FROM units WHERE unit_id = u $$;
CREATE OR REPLACE FUNCTION wb_area_of_matter(m text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$ SELECT wb_area_of_unit(unit_id) FROM matters WHERE matter_id = m $$;
CREATE OR REPLACE FUNCTION wb_area_of_run(r integer) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$
  SELECT wb_area_of_round(round_id) FROM scoring_runs WHERE run_id = r $$;
CREATE OR REPLACE FUNCTION wb_area_of_item(i integer) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$
  SELECT wb_area_of_round(round_id) FROM rectification_items WHERE item_id = i $$;
CREATE OR REPLACE FUNCTION wb_area_of_letter(l integer) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$ SELECT wb_area_of_round(round_id) FROM letters WHERE letter_id = l $$;
CREATE OR REPLACE FUNCTION wb_area_of_decision(d integer) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$
  SELECT coalesce(wb_area_of_round(round_id), wb_area_of_unit(unit_id)) FROM decisions
  WHERE decision_id = d $$;
-- Leaders and admins read everything; a city officer reads every area the city oversees, a
-- county officer only their own.
CREATE OR REPLACE FUNCTION wb_can_read(a text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE wb_user_role(current_user) WHEN 'admin' THEN true WHEN 'leader' THEN true
    WHEN 'officer' THEN wb_user_area(current_user) = wb_own_area() OR a = wb_user_area(current_user) ELSE false END $$;
CREATE OR REPLACE FUNCTION wb_can_write(a text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE wb_user_role(current_user) WHEN 'admin' THEN true
    WHEN 'officer' THEN a IS NOT NULL AND a = wb_user_area(current_user) ELSE false END $$;

-- 回避: a user who belongs to a unit does not verify its matters. (Run as the invoker, so that
-- current_user is the one inserting; the functions it calls read users as the owner.)
CREATE OR REPLACE FUNCTION wb_recusal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.source = 'verified' AND wb_user_unit(current_user) IS NOT NULL
     AND wb_user_unit(current_user) = (SELECT unit_id FROM matters WHERE matter_id = NEW.matter_id) THEN
    RAISE EXCEPTION 'recusal: % belongs to unit % of matter %', current_user, wb_user_unit(current_user),
      NEW.matter_id USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;

-- Who made a row is the signed-in login, not what the application typed. Only for registered
-- users: the owner running ``workbench demo`` or a migration keeps its own names.
CREATE OR REPLACE FUNCTION wb_stamp_by() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF wb_user_role(current_user) IS NOT NULL THEN
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], session_user::text));
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION wb_audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public AS $$
DECLARE
  row jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
  k jsonb := '{}';
  c text;
BEGIN
  FOREACH c IN ARRAY TG_ARGV LOOP k := k || jsonb_build_object(c, row -> c); END LOOP;
  INSERT INTO audit (at, "by", table_name, action, row_key, "before", "after") VALUES (
    clock_timestamp(), session_user, TG_TABLE_NAME, TG_OP, k::text,
    CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE (to_jsonb(OLD) - 'content')::text END,
    CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE (to_jsonb(NEW) - 'content')::text END);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION wb_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = '42501';
END $$;
"""


def group_roles(conn) -> dict[str, str]:
    """role word → this database's group role (roles are cluster-wide; grants are per database)."""
    db = conn.execute(sa.text("SELECT current_database()")).scalar()
    return {r: f"{db}_{r}" for r in USER_ROLES}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def install_sql(groups: dict[str, str]) -> list[str]:
    """Every statement of ``install``, in order (idempotent: policies and triggers are replaced)."""
    off, lead, adm = (_q(groups[r]) for r in USER_ROLES)
    stmts = [FUNCTIONS, "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC"]
    for name, table in metadata.tables.items():
        tq = _q(name)
        stmts.append(f"GRANT ALL ON {tq} TO {adm}")
        stmts.append(f"GRANT SELECT ON {tq} TO {lead}")
        if name == "audit":
            stmts.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {tq} FROM {adm}")
            stmts.append(f"REVOKE INSERT ON {tq} FROM {adm}")
        elif name in ADMIN_ONLY:
            stmts.append(f"GRANT SELECT ON {tq} TO {off}")
        else:
            writes = "INSERT" if name in APPEND_ONLY else "INSERT, UPDATE, DELETE"
            stmts.append(f"GRANT SELECT, {writes} ON {tq} TO {off}")
        area = AREA_OF.get(name) or ("wb_area_of_round(round_id)" if name in ROUND_KEYED else None)
        if area:
            read, area = area if isinstance(area, tuple) else (area, area)
            stmts += [f"ALTER TABLE {tq} ENABLE ROW LEVEL SECURITY",
                      f"DROP POLICY IF EXISTS wb_read ON {tq}",
                      f"CREATE POLICY wb_read ON {tq} FOR SELECT USING (wb_can_read({read}))",
                      f"DROP POLICY IF EXISTS wb_insert ON {tq}",
                      f"CREATE POLICY wb_insert ON {tq} FOR INSERT WITH CHECK (wb_can_write({area}))",
                      f"DROP POLICY IF EXISTS wb_update ON {tq}",
                      f"CREATE POLICY wb_update ON {tq} FOR UPDATE USING (wb_can_write({area})) "
                      f"WITH CHECK (wb_can_write({area}))",
                      f"DROP POLICY IF EXISTS wb_delete ON {tq}",
                      f"CREATE POLICY wb_delete ON {tq} FOR DELETE USING (wb_can_write({area}))"]
        if name in BY_COLUMN:
            stmts += [f"DROP TRIGGER IF EXISTS wb_stamp_by ON {tq}",
                      f"CREATE TRIGGER wb_stamp_by BEFORE INSERT ON {tq} FOR EACH ROW "
                      f"EXECUTE FUNCTION wb_stamp_by('{BY_COLUMN[name]}')"]
        if name not in NOT_AUDITED:
            keys = ", ".join(f"'{c.name}'" for c in table.primary_key.columns)
            stmts += [f"DROP TRIGGER IF EXISTS wb_audit ON {tq}",
                      f"CREATE TRIGGER wb_audit AFTER INSERT OR UPDATE OR DELETE ON {tq} FOR EACH ROW "
                      f"EXECUTE FUNCTION wb_audit({keys})"]
    stmts += [
        "DROP TRIGGER IF EXISTS wb_recusal ON entries",
        "CREATE TRIGGER wb_recusal BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION wb_recusal()",
        "DROP TRIGGER IF EXISTS wb_append_only ON audit",
        "CREATE TRIGGER wb_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW "
        "EXECUTE FUNCTION wb_audit_append_only()",
        "DROP TRIGGER IF EXISTS wb_append_only_truncate ON audit",
        "CREATE TRIGGER wb_append_only_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT "
        "EXECUTE FUNCTION wb_audit_append_only()",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {off}, {adm}",
    ]
    return stmts


def _require_pg(archive: Archive) -> None:
    if archive.engine.dialect.name != "postgresql":
        raise WorkbenchError(t("err_users_need_pg"))


def install(archive: Archive) -> dict[str, str]:
    """Create the group roles and install grants, policies and triggers; returns the groups."""
    _require_pg(archive)
    with archive.engine.begin() as conn:
        groups = group_roles(conn)
        existing = {r for (r,) in conn.execute(sa.text("SELECT rolname FROM pg_roles"))}
        for g in groups.values():
            if g not in existing:
                conn.execute(sa.text(f"CREATE ROLE {_q(g)} NOLOGIN"))
        db = conn.execute(sa.text("SELECT current_database()")).scalar()
        conn.execute(sa.text(f"REVOKE CONNECT ON DATABASE {_q(db)} FROM PUBLIC"))
        conn.execute(sa.text(f"GRANT CONNECT ON DATABASE {_q(db)} TO " + ", ".join(_q(g) for g in groups.values())))
        for stmt in install_sql(groups):
            conn.exec_driver_sql(stmt.replace("%", "%%"))
    return groups


def add_user(archive: Archive, login: str, area: str, role: str, unit_id: str | None = None,
             password: str | None = None, created_by: str = "") -> None:
    """The ``users`` row and a LOGIN role in the role's group, in one transaction. Without a
    password the role can sign in only as pg_hba.conf allows otherwise (e.g. a certificate).
    Who added the user is the database role that did it, unless ``created_by`` says otherwise."""
    _require_pg(archive)
    if not login or not login.replace("_", "a").isalnum() or not login[0].isalpha() or login != login.lower() \
            or not login.isascii():
        raise WorkbenchError(t("err_user_login", login=login))
    if role not in USER_ROLES:
        raise WorkbenchError(t("err_user_role", options=", ".join(USER_ROLES), role=role))
    org = archive.organisation()
    if area not in org.areas:
        raise WorkbenchError(t("err_user_area", area=area, options=", ".join(org.areas)))
    if unit_id and unit_id not in set(archive.units()["unit_id"]):
        raise WorkbenchError(t("err_user_unit", unit=unit_id))
    with archive.engine.begin() as conn:
        groups = group_roles(conn)
        if conn.execute(sa.select(users.c.login).where(users.c.login == login)).first() or \
                conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).first():
            raise WorkbenchError(t("err_user_exists", login=login))
        conn.execute(users.insert().values(login=login, area=area, role=role, unit_id=unit_id or None,
                                           active=True, created_at=now(),
                                           created_by=created_by or conn.execute(sa.text("SELECT current_user")).scalar()))
        pw = "" if password is None else " PASSWORD " + conn.exec_driver_sql(
            "SELECT quote_literal(%s)", (password,)).scalar()
        conn.exec_driver_sql(f"CREATE ROLE {_q(login)} LOGIN{pw.replace('%', '%%')} IN ROLE {_q(groups[role])}")


def disable_user(archive: Archive, login: str) -> None:
    """No more sign-in (NOLOGIN), no more rights (the policies look for an active user), open
    sessions ended. The row and the role stay: the archive still names them."""
    _require_pg(archive)
    with archive.engine.begin() as conn:
        done = conn.execute(users.update().where(users.c.login == login).values(active=False)).rowcount
        if not done:
            raise WorkbenchError(t("err_user_unknown", login=login))
        conn.execute(sa.text(f"ALTER ROLE {_q(login)} NOLOGIN"))
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"),
                     {"u": login})


def list_users(archive: Archive):
    return archive.read(users)


def signed_in_user(archive: Archive) -> str | None:
    """The login this connection belongs to, on a shared archive where it is a registered user;
    None on SQLite and for the database owner (single-user and administrative use)."""
    if archive.engine.dialect.name != "postgresql":
        return None
    with archive.engine.connect() as conn:
        return conn.execute(sa.select(users.c.login).where(
            (users.c.login == sa.literal_column("session_user")) & users.c.active)).scalar()


def readable_areas(archive: Archive) -> list[str]:
    """The organisation's areas whose rounds the signed-in user may open, in its order. Asked of
    the database (``wb_can_read``, the rule its row-level security applies), not decided again
    here; every area on SQLite and for the database owner."""
    areas = list(archive.organisation().areas)
    if signed_in_user(archive) is None:
        return areas
    with archive.engine.connect() as conn:
        ok = {a for (a,) in conn.execute(sa.text(
            "SELECT a FROM unnest(CAST(:areas AS text[])) AS a WHERE wb_can_read(a)"), {"areas": areas})}
    return [a for a in areas if a in ok]
