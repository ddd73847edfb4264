"""What each worker remembers to draw pages faster (the header's entries, template URLs) follows
the viewer and the request: one role's header never shows to another, and a site mounted under a
path prefix gets its prefix in every link."""

from __future__ import annotations

import re

from academy.models import Role


def header_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav" aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r">([^<>]+)</(?:a|summary)>", nav)


def test_each_role_sees_its_own_header_from_the_same_worker(client_as, client):
    learner, admin = client_as(Role.LEARNER), client_as(Role.ADMIN)
    for _ in range(2):  # the second round is served from what the first remembered
        learner_links = header_links(learner.get("/courses").get_data(as_text=True))
        admin_links = header_links(admin.get("/courses").get_data(as_text=True))
        anonymous_links = header_links(client.get("/courses").get_data(as_text=True))
        assert learner_links == ["Dashboard", "Courses", "Certificates"]
        assert "Admin" in admin_links and "Users" in admin_links
        assert anonymous_links == ["Courses"]


def test_the_current_page_is_marked_per_page(learner_client):
    courses = learner_client.get("/courses").get_data(as_text=True)
    dashboard = learner_client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'href="/courses" aria-current="page">Courses<', courses)
    assert not re.search(r'aria-current="page">Courses<', dashboard)
    assert re.search(r'aria-current="page">Dashboard<', dashboard)


def test_links_carry_the_path_prefix_of_the_request_that_asked(client):
    mounted = client.get("/courses", base_url="http://localhost/academy/").get_data(as_text=True)
    plain = client.get("/courses").get_data(as_text=True)
    again = client.get("/courses", base_url="http://localhost/academy/").get_data(as_text=True)
    assert 'href="/academy/static/css/app.css"' in mounted and 'href="/academy/login"' in mounted
    assert 'href="/static/css/app.css"' in plain and 'href="/login"' in plain and "/academy/" not in plain
    assert again == mounted


def test_the_admin_menu_names_issued_certificates_apart_from_the_admins_own(admin_client):
    links = header_links(admin_client.get("/dashboard").get_data(as_text=True))
    assert links.count("Certificates") == 1 and "Issued certificates" in links
