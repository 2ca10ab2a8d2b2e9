"""Access control: each role's actions allowed or refused as the issue's table says, personal data masked
for viewers in every report, accounts stored hashed, and sign-in mistakes that do not say which part."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest

from crm_metrics import accounts, db, report
from crm_metrics.access import (
    LOCAL_ADMIN,
    PERMISSIONS,
    AccessDenied,
    Principal,
    can,
    for_export,
    mask_email,
    mask_name,
    restrict,
)
from crm_metrics.importing import import_file, undo_import
from crm_metrics.learn import apply_scenario
from crm_metrics.reports import REPORTS
from crm_metrics.sample import SampleParams, load_sample

VIEWER, EDITOR, ADMIN = Principal("vera", "viewer"), Principal("ed", "editor"), Principal("ada", "admin")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# The table, written out by hand: what each role may do.
EXPECTED = {
    "viewer": {"view"},
    "editor": {"view", "see_personal", "export_contacts", "import", "save_source", "set_targets", "undo_own_import"},
    "admin": set(PERMISSIONS),
}


@pytest.mark.parametrize("principal", [VIEWER, EDITOR, ADMIN], ids=lambda p: p.role)
def test_each_role_may_do_exactly_what_the_table_says(principal):
    assert {action for action in PERMISSIONS if can(principal, action)} == EXPECTED[principal.role]


def test_unknown_role_and_action_are_errors():
    with pytest.raises(ValueError):
        Principal("x", "superuser")
    with pytest.raises(ValueError):
        can(VIEWER, "fly")


CUSTOMERS = "customer_id,name,email,birth_year,gender\nC1,Jane Doe,jane.doe@example.com,1980,f\nC2,Bo,bo@shop.io,,\n"


@pytest.fixture
def store(con, write):
    import_file(con, "customers", write("c.csv", CUSTOMERS), actor=ADMIN)
    import_file(con, "surveys", write("s.csv", "customer_id,survey_date,csat,comment\nC1,2024-01-02,5,"
                                                "call me on 555-0100\n"), actor=ADMIN)
    return con


def _counts(con):
    return dict(con.execute("SELECT 'customers', count(*) FROM customers UNION ALL "
                            "SELECT 'ledger', count(*) FROM import_ledger").fetchall())


def test_a_viewer_cannot_import_and_nothing_changes(store, write):
    before = _counts(store)
    with pytest.raises(AccessDenied, match="viewer may not import"):
        import_file(store, "customers", write("more.csv", "customer_id\nC9\n"), actor=VIEWER)
    assert _counts(store) == before


def test_an_editor_imports_undoes_their_own_but_not_the_admins(store, write):
    result = import_file(store, "customers", write("mine.csv", "customer_id\nC7\n"), actor=EDITOR)
    by = store.execute("SELECT imported_by FROM import_ledger WHERE import_id = ?", [result.import_id]).fetchall()[0][0]
    assert by == "ed"
    undo_import(store, result.import_id, actor=EDITOR)
    admins = store.execute("SELECT min(import_id) FROM import_ledger WHERE imported_by = 'ada'").fetchall()[0][0]
    with pytest.raises(AccessDenied, match="undo anyone's import"):
        undo_import(store, admins, actor=EDITOR)
    with pytest.raises(AccessDenied):
        undo_import(store, admins, actor=VIEWER)
    assert "undone" in undo_import(store, int(store.execute(
        "SELECT max(import_id) FROM import_ledger WHERE undone_at IS NULL").fetchall()[0][0]), actor=ADMIN)


def test_only_an_admin_resets_to_the_sample(store):
    before = _counts(store)
    for who in (VIEWER, EDITOR):
        with pytest.raises(AccessDenied):
            load_sample(store, SampleParams(customers=50), replace=True, actor=who)
        with pytest.raises(AccessDenied):
            apply_scenario(store, "workshop", actor=who)
    assert _counts(store) == before
    load_sample(store, SampleParams(customers=50), replace=True, actor=ADMIN)
    assert _counts(store)["customers"] == 50


def test_a_viewers_cursor_reads_masked_personal_data(store):
    query = "SELECT customer_id, name, email, birth_year, gender FROM customers ORDER BY customer_id"
    viewer = restrict(store.cursor(), VIEWER)
    rows = viewer.execute(query).fetchall()
    assert rows == [("C1", "J***", "j***@example.com", None, None), ("C2", "B***", "b***@shop.io", None, None)]
    assert viewer.execute("SELECT comment FROM surveys").fetchall() == [(None,)]
    # the same rule in Python (for exports and the README)
    assert [mask_name("Jane Doe"), mask_email("jane.doe@example.com")] == ["J***", "j***@example.com"]
    editor = restrict(store.cursor(), EDITOR)
    assert editor.execute(query).fetchall()[0] == ("C1", "Jane Doe", "jane.doe@example.com", 1980, "f")
    # switching a cursor back gives the tables again
    assert restrict(viewer, ADMIN).execute(query).fetchall()[0][2] == "jane.doe@example.com"


def test_viewer_exports_have_no_personal_columns():
    frame = pd.DataFrame({"customer_id": ["C1"], "name": ["J***"], "email": ["j***@x.io"], "revenue": [10]})
    assert list(for_export(frame, VIEWER).columns) == ["customer_id", "revenue"]
    assert list(for_export(frame, EDITOR).columns) == list(frame.columns)


def _emails_in(frame) -> set[str]:
    found = set()
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype).startswith("str"):
            for value in frame[column].dropna():
                found.update(EMAIL.findall(str(value)))
    return found


def _customer_lists(cur):
    """Every report, and every crm_metrics function that returns customers with contact fields."""
    from crm_metrics import campaigns, clusters, customer360, rfm, worth
    from crm_metrics.kpis import data_span

    as_of = data_span(cur)[1]
    for name in sorted(REPORTS):
        yield name, REPORTS[name](cur, None)
    summary = rfm.segment_summary(cur, as_of)
    for segment in summary["segment"]:
        yield f"members of {segment}", rfm.segment_members(cur, segment, as_of)
    flows = rfm.migration(cur, as_of - dt.timedelta(days=90), as_of)
    moved = flows[flows["moved"]].iloc[0]
    yield "flow", rfm.flow_members(cur, moved["from_segment"], moved["to_segment"], as_of - dt.timedelta(days=90),
                                   as_of)
    found = customer360.search(cur, "a")
    yield "search", found
    yield "profile", pd.DataFrame([customer360.profile(cur, found["customer_id"].iloc[0], as_of)])
    scores = rfm.rfm_scores(cur, as_of)
    yield "with contacts", clusters.with_contacts(cur, scores[["customer_id"]].head(200))
    stats = campaigns.campaign_stats(cur, as_of)
    yield "converted", campaigns.converted_customers(cur, stats["campaign_id"].iloc[0], as_of)
    yield "worth", worth.customer_worth(cur, as_of)


def test_no_report_or_customer_list_gives_a_viewer_an_unmasked_email(sample_con):
    """Run for a viewer: no real email in any cell. Run for an admin, the same lists do contain them (so
    the scan can find one)."""
    real = {e for (e,) in sample_con.execute("SELECT email FROM customers WHERE email IS NOT NULL").fetchall()}
    viewer, admin = restrict(sample_con.cursor(), VIEWER), restrict(sample_con.cursor(), LOCAL_ADMIN)
    masked_seen = False
    for name, frame in _customer_lists(viewer):
        assert not (_emails_in(frame) & real), name
        masked_seen |= frame.astype(str).apply(lambda c: c.str.contains(r"\*\*\*@", regex=True)).any().any()
    assert masked_seen, "a viewer saw no masked email at all: the lists above held no contacts"
    admin_seen = set()
    for _, frame in _customer_lists(admin):
        admin_seen |= _emails_in(frame) & real
    assert admin_seen, "an admin saw no email either: the check above proves nothing"


def test_passwords_are_stored_hashed_and_checked(tmp_path):
    path = tmp_path / "users.json"
    accounts.add_user("vera", "viewer", "correct horse", path)
    text = path.read_text()
    assert "correct horse" not in text and json.loads(text)["users"]["vera"]["password"].startswith("scrypt$")
    assert accounts.authenticate("vera", "correct horse", path) == Principal("vera", "viewer")
    # a wrong password and an unknown name give the same answer
    assert accounts.authenticate("vera", "wrong", path) is None
    assert accounts.authenticate("nobody", "correct horse", path) is None
    with pytest.raises(accounts.AccountError):
        accounts.add_user("short", "viewer", "1234567", path)
    with pytest.raises(accounts.AccountError):
        accounts.add_user("x", "root", "long enough", path)
    accounts.set_role("vera", "editor", path)
    assert accounts.list_users(path) == [{"user": "vera", "role": "editor"}]
    accounts.remove_user("vera", path)
    assert accounts.list_users(path) == []


def test_two_hashes_of_one_password_differ(tmp_path):
    first, second = accounts.hash_password("same password"), accounts.hash_password("same password")
    assert first != second and accounts.verify_password("same password", first)
    assert not accounts.verify_password("same password", "plain-text-or-garbage")


def test_oidc_roles_come_from_configuration(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('default_role = "viewer"\n[roles]\n"Anna@Example.com" = "editor"\n')
    assert accounts.role_for_email("anna@example.com", path) == "editor"
    assert accounts.role_for_email("someone@example.com", path) == "viewer"
    path.write_text('[roles]\n"x@y.z" = "owner"\n')
    with pytest.raises(ValueError):
        accounts.role_for_email("x@y.z", path)


def test_users_command_line(tmp_path, monkeypatch, capsys):
    import io

    from crm_metrics.__main__ import main

    path = str(tmp_path / "u.json")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["users", "--file", path, "add", "ed", "--role", "editor", "--password-stdin"]) == 0
    assert main(["users", "--file", path, "list"]) == 0
    assert "ed\teditor" in capsys.readouterr().out
    assert accounts.authenticate("ed", "a long password", tmp_path / "u.json") is not None
    assert main(["users", "--file", path, "remove", "nobody"]) == 2


def test_a_viewer_sees_the_cursor_reset_for_the_reporting_rebuild(store):
    """The reporting layer is rebuilt on a cursor of its own: a viewer's session triggering it never
    writes masked values into derived tables (they hold no personal fields), and the rebuild works."""
    from crm_metrics.reporting import ensure_current

    cur = restrict(store.cursor(), VIEWER)
    ensure_current(cur)
    assert db.scalar(cur, "reporting_version") is not None


def test_counts_over_personal_fields_are_the_same_for_every_role(sample_con, write):
    """Masking changes what a viewer reads, never a count: the duplicate-email check counts real emails."""
    import_file(sample_con, "customers", write("dupes.csv", "customer_id,email\nD1,jo@x.io\nD2,JO@x.io\nD3,ja@x.io\n"))
    as_viewer = report(sample_con, "quality", principal=VIEWER).set_index("check_name")["affected"]
    as_admin = report(sample_con, "quality", principal=LOCAL_ADMIN).set_index("check_name")["affected"]
    assert as_viewer.to_dict() == as_admin.to_dict()
    assert as_admin["Duplicate customers"] >= 2


def test_readme_permission_table_is_the_code():
    from pathlib import Path

    from crm_metrics.access import markdown_permissions

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert markdown_permissions() in readme, "README's permission table is stale: paste markdown_permissions()"


def test_passwords_are_hashed_at_owasps_cost_and_an_old_hash_is_upgraded_on_sign_in(tmp_path, monkeypatch):
    """Issue 25.4: scrypt N=2^14 was below current guidance (N >= 2^17, r = 8)."""
    path = tmp_path / "users.json"
    accounts.add_user("vera", "viewer", "correct horse", path)
    assert json.loads(path.read_text())["users"]["vera"]["password"].split("$")[1:4] == ["131072", "8", "1"]
    monkeypatch.setattr(accounts, "SCRYPT_N", 2**14)
    old = accounts.hash_password("correct horse")
    monkeypatch.undo()
    users = json.loads(path.read_text())
    users["users"]["vera"]["password"] = old
    path.write_text(json.dumps(users))
    assert accounts.authenticate("vera", "correct horse", path) == Principal("vera", "viewer")
    assert json.loads(path.read_text())["users"]["vera"]["password"].split("$")[1] == "131072"
    assert not accounts.verify_password("x", "scrypt$1048576$8$1$c2FsdA==$aGFzaA==")  # above ours: refused, unrun


def test_a_session_token_opens_signed_in_until_it_expires_or_the_account_changes(tmp_path, monkeypatch):
    monkeypatch.delenv("CRM_SECRET", raising=False)
    path = tmp_path / "users.json"
    accounts.add_user("ed", "editor", "editor-password", path)
    token = accounts.session_token("ed", path, now=1_000_000)
    assert (tmp_path / ".session_secret").stat().st_mode & 0o777 == 0o600
    assert accounts.principal_from_token(token, path, now=1_000_000 + 3600) == Principal("ed", "editor")
    assert accounts.principal_from_token(token, path, now=1_000_000 + 13 * 3600) is None  # expired after 12 h
    name, expires, signature = token.split(".")
    assert accounts.principal_from_token(f"{name}.{int(expires) + 99999}.{signature}", path, now=1_000_000) is None
    forged = accounts.session_token("ed", path, now=1_000_000).replace(name, "YWRh")  # "ada"
    assert accounts.principal_from_token(forged, path, now=1_000_000) is None
    accounts.set_role("ed", "viewer", path)
    assert accounts.principal_from_token(token, path, now=1_000_000) == Principal("ed", "viewer")  # role of now
    accounts.add_user("ed", "viewer", "a new password", path)  # a new password ends the old sessions
    assert accounts.principal_from_token(token, path, now=1_000_000) is None
    assert accounts.principal_from_token("garbage", path) is None and accounts.principal_from_token(None, path) is None


def test_failed_sign_ins_lock_the_name_and_the_address_for_a_while(caplog):
    limits = accounts.SignInLimits(per_account=5, per_address=20, window_seconds=900)
    for i in range(5):
        assert limits.wait_seconds("vera", "10.0.0.1", now=100 + i) == 0
        limits.failed("vera", "10.0.0.1", now=100 + i)
    assert limits.wait_seconds("Vera", "10.0.0.9", now=110) == pytest.approx(890)  # the name, from anywhere
    assert limits.wait_seconds("vera", "10.0.0.1", now=1001) == 0  # the window moved on
    for i in range(20):  # one address trying many names
        limits.failed(f"user{i}", "10.0.0.2", now=2000 + i)
    assert limits.wait_seconds("someone-new", "10.0.0.2", now=2030) > 0
    assert limits.wait_seconds("someone-new", "10.0.0.3", now=2030) == 0
    assert "sign-in failed for 'vera' from 10.0.0.1" in caplog.text and "sign-in refused" in caplog.text
