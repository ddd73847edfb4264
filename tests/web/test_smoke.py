def test_home_page_renders_for_anonymous_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "MIM Academy" in response.get_data(as_text=True)


def test_learner_signs_in_and_sees_dashboard(learner_client):
    response = learner_client.get("/dashboard")
    assert response.status_code == 200
    assert learner_client.user.name in response.get_data(as_text=True)


def test_links_follow_the_port_make_run_serves_on(monkeypatch):
    from academy.config import load_config

    monkeypatch.delenv("ACADEMY_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104 - a setting, not a bind
    assert load_config()["BASE_URL"] == "http://127.0.0.1:8123"
    monkeypatch.setenv("ACADEMY_BASE_URL", "https://academy.example.com/")
    assert load_config()["BASE_URL"] == "https://academy.example.com"


def test_the_app_keeps_its_files_in_the_configured_instance_directory(monkeypatch, tmp_path):
    from academy import create_app

    monkeypatch.setenv("ACADEMY_INSTANCE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("ACADEMY_SECRET_KEY", raising=False)
    monkeypatch.setenv("ACADEMY_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    app = create_app({"TESTING": True})
    assert app.instance_path == str((tmp_path / "state").resolve())
    assert (tmp_path / "state" / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
    assert app.config["SIGNING_KEY_DIR"] == tmp_path / "state" / "keys"
