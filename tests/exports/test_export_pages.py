"""The Exports page of a project: admins save and delete export actions from a form (CSRF
checked), members see and download them but get no controls and are refused when they forge a
post, outsiders get 404, and a bad definition is shown with what is wrong."""

from __future__ import annotations

import re

from tests.connector_fixtures import PASSWORD

PAGE = "/projects/QST/exports"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client, email: str) -> str:
    token = CSRF.search(client.get("/login").text).group(1)
    answer = client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return CSRF.search(client.get(PAGE).text).group(1)


def save(client, csrf: str, **fields: str):
    data = {
        "csrf_token": csrf,
        "name": "Tasks",
        "table": "tasks",
        "format": "csv",
        "versions": "1",
        **fields,
    }
    return client.post(PAGE, data=data, follow_redirects=False)


def test_an_admin_saves_downloads_and_deletes_an_action(make_client, team, tmp_path):
    client = make_client(exports_dir=str(tmp_path))
    csrf = sign_in(client, team.admin)
    answer = save(client, csrf, format="txt", columns="name,status", filters='type eq "milestone"')
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert "Export action saved." in page.text and ">Tasks<" in page.text
    action_id = re.search(r"/exports/(\d+)/download", page.text).group(1)
    file = client.get(f"{PAGE}/{action_id}/download")
    assert file.status_code == 200
    assert file.content == b"name\tstatus\r\nPower on\tplanned\r\n"
    deleted = client.post(
        f"{PAGE}/{action_id}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert deleted.status_code == 303
    assert "No export actions yet." in client.get(PAGE).text


def test_a_bad_definition_is_shown_and_nothing_saved(make_client, team, tmp_path):
    client = make_client(exports_dir=str(tmp_path))
    csrf = sign_in(client, team.admin)
    answer = save(client, csrf, columns="name,colour")
    assert answer.status_code == 422
    assert "has no column &#39;colour&#39;" in answer.text
    assert "No export actions yet." in answer.text


def test_members_see_no_controls_and_forged_posts_are_refused(make_client, team, tmp_path):
    admin = make_client(exports_dir=str(tmp_path))
    save(admin, sign_in(admin, team.admin))
    member = make_client(exports_dir=str(tmp_path))
    csrf = sign_in(member, team.member)
    page = member.get(PAGE)
    assert ">Tasks<" in page.text and "New export action" not in page.text
    assert "Delete" not in page.text
    assert save(member, csrf, name="Mine").status_code == 403
    assert save(member, "forged", name="Mine").status_code == 403


def test_an_outsider_gets_404(make_client, team, tmp_path):
    outsider = make_client(exports_dir=str(tmp_path))
    token = CSRF.search(outsider.get("/login").text).group(1)
    outsider.post(
        "/login",
        data={"csrf_token": token, "email": team.outsider, "password": PASSWORD},
        follow_redirects=False,
    )
    assert outsider.get(PAGE).status_code == 404
