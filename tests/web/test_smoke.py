def test_home_page_renders_for_anonymous_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "MIM Academy" in response.get_data(as_text=True)


def test_learner_signs_in_and_sees_dashboard(learner_client):
    response = learner_client.get("/dashboard")
    assert response.status_code == 200
    assert learner_client.user.name in response.get_data(as_text=True)


def test_links_follow_the_port_make_run_serves_on(monkeypatch):
    from academy.config import load_settings

    monkeypatch.delenv("ACADEMY_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104 - a setting, not a bind
    assert load_settings().base_url == "http://127.0.0.1:8123"
    monkeypatch.setenv("ACADEMY_BASE_URL", "https://academy.example.com/")
    assert load_settings().base_url == "https://academy.example.com"
